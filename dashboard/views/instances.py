"""Program instances: list, detail, create, edit and the lifecycle buttons.

Writes go through instances.services (instance_create / instance_update / instance_set_status),
which validate the eligibility rules and formConfig, bump the criteria version and record the
event; this module only turns the editor's forms into the service's data dict and puts the
service's errors back next to the fields they name.
"""

from django.contrib import messages
from django.shortcuts import redirect
from django.utils import timezone
from django.views.generic import TemplateView, View

from accounts import scopes as scope_names
from config.errors import DomainError
from dashboard.forms.instances import (
    EligibilityForm,
    FormConfigForm,
    FormFieldFormSet,
    InstanceCreateForm,
    InstanceForm,
    formset_initial,
)
from dashboard.instance_edits import keep_unchanged
from dashboard.mixins import WorkspaceViewMixin, add_domain_error
from dashboard.views import instance_editor
from enrollments.inputs.forms import form_field_label
from enrollments.selectors import enrollment_status_counts
from instances.filtersets import ProgramInstanceFilterSet
from instances.formconfig import form_config_fields
from instances.models import ProgramInstance
from instances.public import enrollment_page_url
from instances.services import (
    instance_create,
    instance_delete,
    instance_set_status,
    instance_update,
)
from programs.models import Program

PER_PAGE = 25
STATUS_ACTIONS = {
    "activate": (ProgramInstance.Status.ACTIVE, "Activate"),
    "deactivate": (ProgramInstance.Status.INACTIVE, "Deactivate"),
    "archive": (ProgramInstance.Status.ARCHIVED, "Archive"),
}


UNDO_KEY = "dashboard.instance_undo"


def undo_offer(request, instance) -> dict | None:
    """The status change just made to this instance, to undo: {action, label} or None."""
    undo = request.session.pop(UNDO_KEY, None)
    if not undo or undo.get("instance") != instance.pk or undo.get("status") == instance.status:
        return None
    for action, (status, _label) in STATUS_ACTIONS.items():
        if status == undo.get("status"):
            return {"action": action, "label": f"Undo (make it {status} again)"}
    return None


class InstanceListView(WorkspaceViewMixin, TemplateView):
    template_name = "dashboard/instances/list.html"
    read_scope = scope_names.INSTANCES_READ

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        base = self.scoped(ProgramInstance).select_related("program").order_by("-created_at", "-id")
        listing = self.filtered_page(ProgramInstanceFilterSet, base, per_page=PER_PAGE)
        context.update(
            listing, instances=listing["page"].object_list, statuses=ProgramInstance.Status.choices
        )
        return context


class InstanceMixin(WorkspaceViewMixin):
    def get_instance(self) -> ProgramInstance:
        return self.scoped_get(
            self.scoped(ProgramInstance).select_related("program"), pk=self.kwargs["pk"]
        )


class InstanceDetailView(InstanceMixin, TemplateView):
    template_name = "dashboard/instances/detail.html"
    read_scope = scope_names.INSTANCES_READ

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        instance = self.get_instance()
        counts = enrollment_status_counts(workspace=self.workspace, instance=instance)
        context.update(
            instance=instance,
            criteria_initial=EligibilityForm.initial_from(instance.eligibility_criteria),
            form_fields=[
                {"label": form_field_label(f), "required": f.required, "help_text": f.help_text}
                for f in form_config_fields(instance.form_config)
            ],
            form_settings=FormConfigForm.initial_from(instance.form_config),
            block_reason=instance.enrollment_block_reason(timezone.now()),
            public_url=enrollment_page_url(instance=instance),
            stats=list(counts.items()),
            total_enrollments=sum(counts.values()),
            status_actions=[
                (action, label)
                for action, (status, label) in STATUS_ACTIONS.items()
                if status != instance.status
            ],
            undo=undo_offer(self.request, instance),
        )
        return context


class InstanceEditorMixin(InstanceMixin):
    """The four parts of the editor, bound together, and the service error router."""

    template_name = "dashboard/instances/form.html"
    read_scope = scope_names.INSTANCES_WRITE
    write_scope = scope_names.INSTANCES_WRITE

    def build_forms(self, data=None, instance: ProgramInstance | None = None, program_slug=""):
        if instance is None:
            main = InstanceCreateForm(
                data,
                programs=self.scoped(Program).filter(active=True).order_by("name"),
                initial={"program": program_slug},
            )
        else:
            main = InstanceForm(
                data,
                initial={
                    "name": instance.name,
                    "slug": instance.slug,
                    "description": instance.description,
                    "logo_url": instance.logo_url,
                    "custom_terms": instance.custom_terms,
                    "start_date": instance.start_date,
                    "end_date": instance.end_date,
                    "auto_evaluate": instance.auto_evaluate,
                },
            )
            main.fields["slug"].disabled = True
            main.fields["slug"].help_text = "The slug addresses the public page; it never changes."
        config = instance.form_config if instance else {}
        return {
            "form": main,
            "rules": EligibilityForm(
                data,
                prefix="rules",
                initial=EligibilityForm.initial_from(instance.eligibility_criteria)
                if instance
                else None,
            ),
            "fields": FormFieldFormSet(data, prefix="fields", initial=formset_initial(config)),
            "settings": FormConfigForm(
                data, prefix="form", initial=FormConfigForm.initial_from(config)
            ),
        }

    def all_valid(self, forms) -> bool:
        return all([f.is_valid() for f in forms.values()])

    def service_data(self, forms) -> dict:
        main = forms["form"].cleaned_data
        data = {
            key: main.get(key)
            for key in (
                "name",
                "description",
                "logo_url",
                "custom_terms",
                "start_date",
                "end_date",
                "auto_evaluate",
            )
        }
        data["eligibility_criteria"] = forms["rules"].criteria()
        data["form_config"] = forms["settings"].form_config(forms["fields"].form_fields())
        if self.kwargs.get("pk"):
            # Texts this form does not edit (per-language translations, set through the API)
            # are kept, not dropped by a save from the dashboard.
            existing = self.get_instance().form_config or {}
            if existing.get("translations"):
                data["form_config"]["translations"] = existing["translations"]
        return data

    def route_error(self, forms, error: DomainError) -> None:
        """Services name fields as the domain does: `eligibility_criteria.*` lands on the rules
        form, `form_config.*` on the settings form, the rest on the main form (each puts it
        next to the field of that name, else on top)."""
        head = str(next(iter(error.details or {}), ""))
        target = (
            forms["rules"]
            if head.startswith("eligibility_criteria")
            else forms["settings"]
            if head.startswith("form_config")
            else forms["form"]
        )
        add_domain_error(target, error)

    def render_forms(self, forms, status=200, **extra):
        extra.setdefault("try_form", instance_editor.DryRunForm(prefix="try"))
        if status == 400:
            extra["error_count"] = instance_editor.error_count(forms)
        return self.render_to_response(self.get_context_data(**forms, **extra), status=status)

    def program_states(self, forms, instance=None, **_) -> list[str]:
        """The states of the program being deployed or edited: they bound the rules."""
        if instance is not None:
            return instance.program.states
        slug = forms["form"].data.get("program", "")
        program = self.scoped(Program).filter(slug=slug).only("states").first() if slug else None
        return program.states if program else []

    def render_dry_run(self, forms, **extra):
        """The test panel's answer: only the panel for htmx, else the whole editor."""
        context = instance_editor.dry_run_context(
            self, forms, self.request.POST, program_states=self.program_states(forms, **extra)
        )
        if self.request.htmx:
            return self.response_class(
                request=self.request,
                template="dashboard/instances/_dry_run.html",
                context=self.get_context_data(**forms, **context, **extra),
            )
        return self.render_forms(forms, **context, **extra)


class InstanceCreateView(InstanceEditorMixin, TemplateView):
    def get(self, request):
        return self.render_forms(self.build_forms(program_slug=request.GET.get("program", "")))

    def post(self, request):
        forms = self.build_forms(request.POST)
        if "dry_run" in request.POST:
            return self.render_dry_run(forms)
        if self.all_valid(forms) & instance_editor.precheck(self, forms):
            # The program list is the scoped queryset, so another organization's private
            # program is not a choice and cannot be deployed here.
            program = (
                self.scoped(Program).filter(slug=forms["form"].cleaned_data["program"]).first()
            )
            data = self.service_data(forms)
            if forms["form"].cleaned_data.get("slug"):
                data["slug"] = forms["form"].cleaned_data["slug"]
            try:
                instance = instance_create(
                    workspace=self.workspace, program=program, data=data, actor=self.tenant
                )
            except DomainError as error:
                self.route_error(forms, error)
            else:
                messages.success(request, f"Created “{instance.name}”.")
                return redirect("dashboard:instance-detail", pk=instance.pk)
        return self.render_forms(forms, status=400)


class InstanceEditView(InstanceEditorMixin, TemplateView):
    def get(self, request, pk):
        instance = self.get_instance()
        if instance.is_read_only:
            messages.error(request, "This instance is archived and read-only; restore it first.")
            return redirect("dashboard:instance-detail", pk=instance.pk)
        return self.render_forms(self.build_forms(instance=instance), instance=instance)

    def post(self, request, pk):
        instance = self.get_instance()
        forms = self.build_forms(request.POST, instance=instance)
        if "dry_run" in request.POST:
            return self.render_dry_run(forms, instance=instance)
        if "preview" in request.POST and self.all_valid(forms):
            return instance_editor.preview_unsaved(request, instance, self.service_data(forms))
        if self.all_valid(forms) & instance_editor.precheck(self, forms):
            try:
                data = keep_unchanged(instance, self.service_data(forms))
                instance_update(instance=instance, data=data, actor=self.tenant)
            except DomainError as error:
                self.route_error(forms, error)
            else:
                messages.success(request, "Saved.")
                return redirect("dashboard:instance-detail", pk=instance.pk)
        return self.render_forms(forms, status=400, instance=instance)


class InstanceStatusView(InstanceMixin, TemplateView):
    """POST action=activate|deactivate|archive, or delete (only without enrollments)."""

    read_scope = scope_names.INSTANCES_WRITE
    write_scope = scope_names.INSTANCES_WRITE
    http_method_names = ["post"]

    def post(self, request, pk):
        instance = self.get_instance()
        if request.POST.get("action") == "delete":
            try:
                instance_delete(instance=instance, actor=self.tenant)
            except DomainError as error:
                messages.error(request, error.message)
                return redirect("dashboard:instance-detail", pk=instance.pk)
            messages.success(request, f"Deleted “{instance.name}”.")
            return redirect("dashboard:instance-list")
        action = STATUS_ACTIONS.get(request.POST.get("action", ""))
        if action is None:
            messages.error(request, "Unknown action.")
        else:
            previous = instance.status
            try:
                instance_set_status(instance=instance, status=action[0], actor=self.tenant)
            except DomainError as error:
                messages.error(request, error.message)
            else:
                messages.success(request, f"The instance is now {action[0]}.")
                # Offered once on the next page: the lifecycle can always go back.
                if not request.POST.get("undo"):
                    request.session[UNDO_KEY] = {"instance": instance.pk, "status": previous}
        return redirect("dashboard:instance-detail", pk=instance.pk)


class InstancePreviewView(InstanceMixin, View):
    """The public enrollment page as customers will see it, even while the instance is not
    taking enrollments (with a banner saying so); its submit button is disabled."""

    read_scope = scope_names.INSTANCES_READ

    def get(self, request, pk):
        from enroll.views import preview_page

        return preview_page(request, self.get_instance())
