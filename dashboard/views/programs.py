"""Programs catalog: public programs plus the organization's private ones."""

from django.core.paginator import Paginator
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
        # The API's FilterSet: the same filters, the same validation messages.
        filterset = ProgramFilterSet(self.request.GET or None, queryset=base)
        if not filterset.is_bound:
            rows = base
        elif filterset.is_valid():
            rows = filterset.qs
        else:
            rows = base.none()
        page = Paginator(rows, PER_PAGE).get_page(self.request.GET.get("page"))
        context.update(
            page=page,
            programs=page.object_list,
            types=Program.Type.choices,
            params=self.request.GET,
            filter_errors=filterset.errors if filterset.is_bound else {},
        )
        return context
