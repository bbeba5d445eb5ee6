"""The review queue: submitted enrollments, oldest submission first, decided in place.

Approve and reject post with htmx and swap only the row (no page reload); without JavaScript the
same forms post normally and come back to the queue. Keyboard shortcuts (j/k, a, r) live in
static/js/dashboard.js.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.views.generic import TemplateView

from accounts import scopes as scope_names
from config.errors import DomainError
from dashboard.mixins import WorkspaceViewMixin
from enrollments.models import Enrollment, EnrollmentStatus
from enrollments.selectors import review_queue
from enrollments.services import enrollment_transition
from enrollments.transitions import TABLE
from instances.models import ProgramInstance

PER_PAGE = 50
# The review decisions: the transition table's review moves out of `submitted`.
DECISIONS = {
    row.target: row for row in TABLE if row.source == EnrollmentStatus.SUBMITTED and row.is_review
}


class ReviewMixin(WorkspaceViewMixin):
    read_scope = scope_names.ENROLLMENTS_REVIEW
    write_scope = scope_names.ENROLLMENTS_REVIEW

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(approve=DECISIONS["approved"], reject=DECISIONS["rejected"])
        return context

    def queue(self, instance_id: str = ""):
        """Only decidable rows (`enrollments.selectors.review_queue`)."""
        return review_queue(workspace=self.workspace, instance_id=instance_id)


class ReviewQueueView(ReviewMixin, TemplateView):
    template_name = "dashboard/review/queue.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        instance_id = self.request.GET.get("programInstanceId", "")
        page = Paginator(self.queue(instance_id), PER_PAGE).get_page(self.request.GET.get("page"))
        context.update(
            page=page,
            enrollments=page.object_list,
            instances=self.scoped(ProgramInstance)
            .exclude(status=ProgramInstance.Status.ARCHIVED)
            .order_by("name")
            .only("id", "name"),
            instance_id=instance_id,
        )
        return context


class ReviewDecideView(ReviewMixin, TemplateView):
    """POST decision=approved|rejected (+ reason) for one enrollment. After a refusal (decided
    elsewhere, instance archived) the row is re-read and shows its real state, without the
    buttons when it can no longer be decided."""

    template_name = "dashboard/review/_row.html"
    http_method_names = ["post"]

    def post(self, request, pk):
        enrollment = self.scoped_get(
            self.scoped(Enrollment).select_related("program_instance"), pk=pk
        )
        submitted_at = self.queue().filter(pk=pk).values_list("submitted_at", flat=True).first()
        decision = request.POST.get("decision", "")
        reason = request.POST.get("reason", "").strip()
        error = None
        refused = False
        if decision not in DECISIONS:
            error = "Choose " + " or ".join(row.label.lower() for row in DECISIONS.values()) + "."
        else:
            try:
                enrollment = enrollment_transition(
                    enrollment=enrollment, to=decision, actor=self.tenant, reason=reason
                )
            except DomainError as exc:
                error, refused = exc.message, True
        if refused:
            # The stored row, not the one this request started from.
            enrollment = (
                self.scoped(Enrollment).select_related("program_instance").get(pk=enrollment.pk)
            )
        name = f"{enrollment.first_name} {enrollment.last_name}".strip()
        if not request.htmx:
            if error:
                messages.error(request, f"{name}: {error}")
            else:
                messages.success(request, f"{DECISIONS[decision].done} {name}.")
            return redirect("dashboard:review-queue")
        # htmx swaps this row only; errors keep the row open with the message next to it.
        enrollment.submitted_at = submitted_at
        decidable = (
            enrollment.status == EnrollmentStatus.SUBMITTED
            and not enrollment.program_instance.is_read_only
        )
        return self.render_to_response(
            self.get_context_data(
                e=enrollment,
                error=error,
                decided=None if error else DECISIONS[decision],
                undecidable=not decidable,
            )
        )
