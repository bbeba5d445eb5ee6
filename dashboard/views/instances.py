"""Program instances: list, detail, create, edit and lifecycle buttons."""

from django.core.paginator import Paginator
from django.db.models import Q
from django.utils import timezone
from django.views.generic import TemplateView

from accounts import scopes as scope_names
from dashboard.forms.instances import EligibilityForm, formset_initial
from dashboard.mixins import WorkspaceViewMixin
from instances.models import ProgramInstance

PER_PAGE = 25


class InstanceListView(WorkspaceViewMixin, TemplateView):
    template_name = "dashboard/instances/list.html"
    read_scope = scope_names.INSTANCES_READ

    def get_queryset(self):
        params = self.request.GET
        instances = self.scoped(ProgramInstance).select_related("program")
        if params.get("programSlug"):
            instances = instances.filter(program__slug=params["programSlug"])
        if params.get("status") in ProgramInstance.Status.values:
            instances = instances.filter(status=params["status"])
        search = params.get("search", "").strip()
        if search:
            instances = instances.filter(Q(name__icontains=search) | Q(slug__icontains=search))
        return instances.order_by("-created_at", "-id")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page = Paginator(self.get_queryset(), PER_PAGE).get_page(self.request.GET.get("page"))
        context.update(
            page=page,
            instances=page.object_list,
            statuses=ProgramInstance.Status.choices,
            params=self.request.GET,
        )
        return context


class InstanceDetailView(WorkspaceViewMixin, TemplateView):
    template_name = "dashboard/instances/detail.html"
    read_scope = scope_names.INSTANCES_READ

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        instance = self.scoped_get(
            self.scoped(ProgramInstance).select_related("program"), pk=self.kwargs["pk"]
        )
        criteria = instance.eligibility_criteria
        context.update(
            instance=instance,
            criteria_is_rules=isinstance(criteria, dict) and bool(criteria),
            criteria_initial=EligibilityForm.initial_from(criteria),
            form_fields=formset_initial(instance.form_config),
            block_reason=instance.enrollment_block_reason(timezone.now()),
        )
        return context
