"""Programs catalog: public programs plus the organization's private ones."""

from django.db.models import Count, Q
from django.views.generic import TemplateView

from accounts import scopes as scope_names
from dashboard.mixins import WorkspaceViewMixin
from instances.models import ProgramInstance
from programs.filtersets import ProgramFilterSet
from programs.models import Program

PER_PAGE = 25


class ProgramListView(WorkspaceViewMixin, TemplateView):
    template_name = "dashboard/programs/list.html"
    read_scope = scope_names.PROGRAMS_READ

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # How many instances this workspace runs of each program, in the same query.
        mine = self.scoped(ProgramInstance).values("id")
        base = (
            self.scoped(Program)
            .annotate(my_instances=Count("instances", filter=Q(instances__in=mine)))
            .order_by("name")
        )
        listing = self.filtered_page(ProgramFilterSet, base, per_page=PER_PAGE)
        context.update(listing, programs=listing["page"].object_list, types=Program.Type.choices)
        return context
