"""The workspace overview: instance counts, the funnel, enrollments over time, review queue."""

from django.views.generic import TemplateView

from accounts import scopes as scope_names
from dashboard.mixins import WorkspaceViewMixin
from instances.models import ProgramInstance


class OverviewView(WorkspaceViewMixin, TemplateView):
    template_name = "dashboard/overview.html"
    read_scope = scope_names.INSTANCES_READ

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["instances"] = self.scoped(ProgramInstance).select_related("program")[:50]
        return context
