"""Enrollments: the filtered, sortable table with bulk actions and CSV export; the detail page
with its timeline, the transitions allowed now, evaluation and the edit form.

Every write calls enrollments.services (enrollment_update / enrollment_transition /
enrollment_evaluate / enrollment_bulk_*), which check the actor's scopes again, lock the row,
write the history and the event.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import StreamingHttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView
from django_tables2 import RequestConfig

from accounts import scopes as scope_names
from config.errors import DomainError, ForbiddenError
from dashboard.eligibility import eligibility_context
from dashboard.exports import enrollment_csv_rows
from dashboard.forms.enrollments import (
    BulkActionForm,
    EnrollmentCreateForm,
    EnrollmentEditForm,
    TransitionForm,
)
from dashboard.mixins import WorkspaceViewMixin, add_domain_error
from dashboard.tables import EnrollmentTable
from dashboard.views import confirm, list_options
from dashboard.words import event_words
from enrollments.filtersets import EnrollmentFilterSet
from enrollments.models import Enrollment, EnrollmentStatus
from enrollments.selectors import enrollment_timeline
from enrollments.services import (
    enrollment_bulk_evaluate,
    enrollment_bulk_transition,
    enrollment_create,
    enrollment_evaluate,
    enrollment_transition,
    enrollment_transition_request_check,
    enrollment_update,
)
from enrollments.services.invitations import (
    INVITABLE_STATUSES,
    enrollment_invite,
    enrollment_invite_many,
)
from enrollments.transitions import allowed_moves, transition_to
from instances.models import ProgramInstance

STATUS_WORDS = dict(EnrollmentStatus.choices)


class EnrollmentQueryMixin(WorkspaceViewMixin):
    """The scoped, filtered enrollments of the current request (the API's FilterSet)."""

    read_scope = scope_names.ENROLLMENTS_READ

    def base_queryset(self):
        return self.scoped(Enrollment).select_related("program_instance")

    def filtered(self):
        filterset = EnrollmentFilterSet(self.request.GET or None, queryset=self.base_queryset())
        if not filterset.is_bound:
            return filterset, self.base_queryset()
        if not filterset.is_valid():
            return filterset, self.base_queryset().none()
        return filterset, filterset.qs


class EnrollmentListView(EnrollmentQueryMixin, TemplateView):
    template_name = "dashboard/enrollments/list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        filterset, rows = self.filtered()
        bulk_form = BulkActionForm(tenant=self.tenant)
        actions = bulk_form.fields["action"].choices
        columns = list_options.columns_from(self.request)
        table = EnrollmentTable(rows, show_select=bool(actions), columns=columns)
        per_page = list_options.per_page_from(self.request.GET.get("perPage"))
        RequestConfig(self.request, paginate={"per_page": per_page}).configure(table)
        context.update(
            per_page=per_page,
            page_sizes=list_options.PAGE_SIZES,
            columns=columns,
            column_choices=list_options.column_choices(),
            saved_filters=list_options.saved_filters_of(self.request, self.workspace),
            current_query=list_options.clean_query(self.request.GET.urlencode()),
            table=table,
            params=self.request.GET,
            filter_errors=filterset.errors if filterset.is_bound else {},
            statuses=EnrollmentStatus.choices,
            instances=self.scoped(ProgramInstance).order_by("name").only("id", "name"),
            bulk_form=bulk_form,
            can_bulk=bool(actions),
        )
        return context


class EnrollmentExportView(EnrollmentQueryMixin, View):
    """The filtered set as CSV, streamed in chunks (one query, constant memory)."""

    def get(self, request):
        _, rows = self.filtered()
        # Exactly what the list shows: its filters and its sort order (every page).
        table = EnrollmentTable(rows.order_by("-created_at", "-id"))
        RequestConfig(request, paginate=False).configure(table)
        ordered = table.data.data.iterator(chunk_size=2000)
        stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
        response = StreamingHttpResponse(
            enrollment_csv_rows(ordered), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="enrollments-{stamp}.csv"'
        return response


class EnrollmentBulkView(EnrollmentQueryMixin, TemplateView):
    """POST ids + action: runs the bulk service and shows what happened to every row."""

    template_name = "dashboard/enrollments/bulk_result.html"
    write_scope = scope_names.ENROLLMENTS_WRITE
    http_method_names = ["post"]

    def post(self, request):
        move = transition_to(request.POST.get("action", ""))
        if move is not None and not self.tenant.has_scope(move.scope):
            # docs/dashboard.md: a move the role may not make (approve/reject without the review
            # scope) is a 403, as in the API; the scope comes from the transition table.
            raise PermissionDenied(f"Your role cannot use “{move.label}” on enrollments.")
        form = BulkActionForm(request.POST, tenant=self.tenant)
        back = request.POST.get("back", "")
        # Only a query string of the list page (no other path, no header-breaking characters).
        back = back if back.startswith("?") and not any(c in back for c in "\r\n\\") else ""
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
            return redirect(reverse("dashboard:enrollment-list") + back)
        action, ids = form.cleaned_data["action"], form.cleaned_data["ids"]
        # Tenancy: only this workspace's rows; ids of other workspaces are reported as missing.
        found = {e.pk: e for e in self.base_queryset().filter(pk__in=ids)}
        enrollments = [found[i] for i in ids if i in found]
        try:
            enrollment_transition_request_check(
                to=action, reason=form.cleaned_data.get("reason", "")
            )
        except DomainError as error:  # e.g. a rejection without a reason: say so before asking
            messages.error(request, error.message)
            return redirect(reverse("dashboard:enrollment-list") + back)
        if confirm.needs_bulk_confirmation(request, action):
            preview = confirm.bulk_preview(action=action, ids=ids, found=found)
            return self.response_class(
                request=request,
                template="dashboard/enrollments/bulk_confirm.html",
                context=self.get_context_data(
                    preview=preview, ids=ids, action=action, back=back, form=form
                ),
            )
        try:
            if action == "evaluate":
                results = enrollment_bulk_evaluate(enrollments=enrollments, actor=self.tenant)
            elif action == "invite":
                results = enrollment_invite_many(enrollments=enrollments, actor=self.tenant)
            else:
                results = enrollment_bulk_transition(
                    enrollments=enrollments,
                    to=action,
                    actor=self.tenant,
                    reason=form.cleaned_data.get("reason", ""),
                )
        except DomainError as error:  # refused as a whole (e.g. a rejection without a reason)
            messages.error(request, error.message)
            return redirect(reverse("dashboard:enrollment-list") + back)
        by_id = {r.enrollment_id: r for r in results}
        rows = []
        for enrollment_id in ids:
            enrollment = found.get(enrollment_id)
            result = by_id.get(enrollment_id)
            rows.append(
                {
                    "id": enrollment_id,
                    "enrollment": enrollment,
                    "ok": bool(result and result.ok),
                    "message": result.message if result else "Not found in this workspace.",
                }
            )
        context = self.get_context_data(
            rows=rows,
            action=dict(form.fields["action"].choices)[action],
            ok_count=sum(1 for r in rows if r["ok"]),
            back=back,
        )
        return self.render_to_response(context)


class EnrollmentDetailView(EnrollmentQueryMixin, TemplateView):
    template_name = "dashboard/enrollments/detail.html"

    def get_enrollment(self) -> Enrollment:
        return self.scoped_get(
            self.base_queryset().select_related(
                "customer", "lead", "previous_enrollment", "program_instance__program"
            ),
            pk=self.kwargs["pk"],
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        enrollment = kwargs.get("enrollment") or self.get_enrollment()
        context.update(
            enrollment=enrollment,
            transitions=self.transitions(enrollment),
            can_evaluate=self.can(scope_names.ENROLLMENTS_WRITE)
            and not enrollment.program_instance.is_read_only
            and (
                enrollment.status == EnrollmentStatus.CANDIDATE
                or EnrollmentStatus.CANDIDATE in enrollment.allowed_transitions
            ),
            can_invite=self.can(scope_names.ENROLLMENTS_WRITE)
            and enrollment.status in INVITABLE_STATUSES
            and not enrollment.program_instance.is_read_only,
            timeline=self.timeline(enrollment),
            **eligibility_context(enrollment, can_write=self.can(scope_names.ENROLLMENTS_WRITE)),
        )
        if self.can(scope_names.ENROLLMENTS_WRITE) and not enrollment.program_instance.is_read_only:
            context.setdefault(
                "edit_form", EnrollmentEditForm(initial=EnrollmentEditForm.initial_from(enrollment))
            )
        context.setdefault("transition_form", TransitionForm())
        return context

    def transitions(self, enrollment):
        """The transition table's rows possible now that this member may make (label, reason
        box, tone: all from the table)."""
        if enrollment.program_instance.is_read_only:
            return []
        return allowed_moves(enrollment, self.tenant.scopes)

    def timeline(self, enrollment):
        """`enrollments.selectors.enrollment_timeline` in words, newest first."""
        return [
            {
                "at": item["at"],
                "kind": item["kind"],
                "title": (
                    f"{STATUS_WORDS.get(item['from_status'], item['from_status'])} → "
                    f"{STATUS_WORDS.get(item['to_status'], item['to_status'])}"
                    if item["kind"] == "status"
                    else event_words(item["type"])
                ),
                "detail": item["reason"],
                "actor": item["actor"],
            }
            for item in enrollment_timeline(
                enrollment=enrollment, with_events=self.can(scope_names.EVENTS_READ)
            )
        ]


class EnrollmentEditView(EnrollmentDetailView):
    write_scope = scope_names.ENROLLMENTS_WRITE
    http_method_names = ["post"]

    def post(self, request, pk):
        enrollment = self.get_enrollment()
        form = EnrollmentEditForm(request.POST)
        if form.is_valid():
            try:
                enrollment_update(
                    enrollment=enrollment, data=form.service_data(), actor=self.tenant
                )
            except DomainError as error:
                add_domain_error(form, error)
            else:
                messages.success(request, "Saved.")
                return redirect("dashboard:enrollment-detail", pk=enrollment.pk)
        context = self.get_context_data(enrollment=enrollment, edit_form=form)
        return self.render_to_response(context, status=400)


class EnrollmentTransitionView(EnrollmentDetailView):
    """POST to=<status> (+ reason), or evaluate=1."""

    write_scope = scope_names.ENROLLMENTS_WRITE
    http_method_names = ["post"]

    def post(self, request, pk):
        enrollment = self.get_enrollment()
        if "evaluate" in request.POST:
            try:
                evaluated, result = enrollment_evaluate(enrollment=enrollment, actor=self.tenant)
            except DomainError as error:
                messages.error(request, error.message)
            else:
                messages.success(request, f"Evaluated: {evaluated.status}. {result.reason}")
            return redirect("dashboard:enrollment-detail", pk=enrollment.pk)
        form = TransitionForm(request.POST)
        if form.is_valid():
            try:
                enrollment_transition(
                    enrollment=enrollment,
                    to=form.cleaned_data["to"],
                    actor=self.tenant,
                    reason=form.cleaned_data.get("reason", ""),
                )
            except ForbiddenError as error:
                raise PermissionDenied(error.message) from None
            except DomainError as error:
                add_domain_error(form, error)
            else:
                messages.success(request, f"Moved to {form.cleaned_data['to']}.")
                return redirect("dashboard:enrollment-detail", pk=enrollment.pk)
        context = self.get_context_data(enrollment=enrollment, transition_form=form)
        return self.render_to_response(context, status=400)


class EnrollmentCreateView(WorkspaceViewMixin, TemplateView):
    """A new candidate enrollment of one instance, from a person's details (customerInfo:
    the service reuses the workspace's customer with that email, or creates one)."""

    template_name = "dashboard/enrollments/create.html"
    read_scope = scope_names.ENROLLMENTS_WRITE
    write_scope = scope_names.ENROLLMENTS_WRITE

    def get_instance(self) -> ProgramInstance:
        return self.scoped_get(self.scoped(ProgramInstance), pk=self.kwargs["pk"])

    def get(self, request, pk):
        instance = self.get_instance()
        return self.render_to_response(
            self.get_context_data(instance=instance, form=EnrollmentCreateForm())
        )

    def post(self, request, pk):
        instance = self.get_instance()
        form = EnrollmentCreateForm(request.POST)
        if form.is_valid():
            data = {
                "identification_type": "customerInfo",
                "source": "dashboard",
                **form.service_data(),
            }
            try:
                enrollment = enrollment_create(
                    workspace=self.workspace, instance=instance, data=data, actor=self.tenant
                )
            except DomainError as error:
                add_domain_error(form, error)
                status = error.status  # 409 when another enrollment holds the person or device
            else:
                messages.success(request, "Enrollment created as a candidate.")
                return redirect("dashboard:enrollment-detail", pk=enrollment.pk)
        else:
            status = 400
        return self.render_to_response(
            self.get_context_data(instance=instance, form=form), status=status
        )


class EnrollmentInviteView(EnrollmentDetailView):
    """POST: email the customer a signed link to finish this enrollment on the public page."""

    write_scope = scope_names.ENROLLMENTS_WRITE
    http_method_names = ["post"]

    def post(self, request, pk):
        enrollment = self.get_enrollment()
        try:
            invitation = enrollment_invite(enrollment=enrollment, actor=self.tenant)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                f"Invitation sent to {invitation.sent_to}; the link works until "
                f"{invitation.expires_at:%Y-%m-%d}.",
            )
        return redirect("dashboard:enrollment-detail", pk=enrollment.pk)
