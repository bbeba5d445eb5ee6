"""Placeholder pages for areas whose services have not landed yet (replaced as they land)."""

from django.views.generic import TemplateView

from dashboard.mixins import WorkspaceViewMixin


class PendingView(WorkspaceViewMixin, TemplateView):
    template_name = "dashboard/pending.html"
    area = ""

    def get_context_data(self, **kwargs):
        return super().get_context_data(area=self.area, **kwargs)
