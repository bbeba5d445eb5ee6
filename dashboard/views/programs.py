"""Programs catalog: public programs plus the organization's private ones."""

from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.views.generic import TemplateView

from accounts import scopes as scope_names
from dashboard.mixins import WorkspaceViewMixin
from instances.models import ProgramInstance
from programs.models import Program

PER_PAGE = 25


class ProgramListView(WorkspaceViewMixin, TemplateView):
    template_name = "dashboard/programs/list.html"
    read_scope = scope_names.PROGRAMS_READ

    def get_queryset(self):
        params = self.request.GET
        programs = self.scoped(Program)
        state = params.get("state", "").strip().upper()
        if state:
            programs = programs.filter(state_rows__state=state)
        if params.get("type") in Program.Type.values:
            programs = programs.filter(type=params["type"])
        if params.get("visibility") in Program.Visibility.values:
            programs = programs.filter(visibility=params["visibility"])
        if params.get("active") in ("true", "false"):
            programs = programs.filter(active=params["active"] == "true")
        search = params.get("search", "").strip()
        if search:
            programs = programs.filter(
                Q(name__icontains=search)
                | Q(slug__icontains=search)
                | Q(description__icontains=search)
            )
        # How many instances this workspace already runs of each program, in the same query.
        mine = self.scoped(ProgramInstance).values("id")
        return programs.annotate(
            my_instances=Count("instances", filter=Q(instances__in=mine))
        ).order_by("name")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page = Paginator(self.get_queryset(), PER_PAGE).get_page(self.request.GET.get("page"))
        context.update(
            page=page,
            programs=page.object_list,
            types=Program.Type.choices,
            params=self.request.GET,
        )
        return context
