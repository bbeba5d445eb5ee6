"""The workspace overview and the per-instance charts page.

Every number comes from the selectors (`enrollments.selectors`, `instances.selectors`) so that a
tile and the table beside it count the same rows: enrollments of instances that are not
archived. Tiles say "now" (current status); the funnel says "ever reached" (an approved
enrollment that later unenrolled still counts as having been approved). A constant number of
queries whatever the size of the workspace.
"""

from django.utils import timezone
from django.views.generic import TemplateView

from accounts import scopes as scope_names
from dashboard import charts
from dashboard.mixins import WorkspaceViewMixin
from dashboard.ranges import PRESETS, date_range_from
from enrollments.models import EnrollmentStatus
from enrollments.selectors import (
    enrollment_counts_by_instance,
    enrollment_daily_activity,
    review_queue,
)
from instances.selectors import instance_counted_list

DECISION_COLORS = {"approved": charts.STATUS_COLORS["approved"], "rejected": "#d08770"}


def activity_charts(*, workspace, date_range, instance=None) -> dict:
    """The two time charts (new enrollments; decisions) for the chosen range."""
    activity = enrollment_daily_activity(
        workspace=workspace,
        first=date_range.first,
        last=date_range.last,
        tzinfo=timezone.get_current_timezone(),
        instance=instance,
    )
    return {
        "created_chart": charts.timeseries(
            [("new", "#0b6bcb", activity["created"])],
            first=date_range.first,
            last=date_range.last,
        ),
        "decision_chart": charts.timeseries(
            [(key, color, activity[key]) for key, color in DECISION_COLORS.items()],
            first=date_range.first,
            last=date_range.last,
        ),
        "date_range": date_range,
        "presets": PRESETS,
    }


def status_totals(counts: dict[str, dict[str, int]]) -> dict[str, int]:
    totals = dict.fromkeys(EnrollmentStatus.values, 0)
    for per_status in counts.values():
        for status, n in per_status.items():
            totals[status] += n
    return totals


class OverviewView(WorkspaceViewMixin, TemplateView):
    template_name = "dashboard/overview.html"
    read_scope = scope_names.ENROLLMENTS_READ

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        counts = enrollment_counts_by_instance(workspace=self.workspace)
        instances = list(instance_counted_list(workspace=self.workspace, now=timezone.now()))
        rows = [
            {
                "instance": instance,
                "counts": counts.get(instance.pk, {}),
                "total": sum(counts.get(instance.pk, {}).values()),
                "chart": charts.stacked(counts.get(instance.pk, {})),
            }
            for instance in instances
        ]
        totals = status_totals(counts)
        date_range = date_range_from(self.request.GET)
        context.update(
            totals=totals,
            total=sum(totals.values()),
            statuses=EnrollmentStatus.choices,
            instances=rows,
            live_count=sum(1 for i in instances if i.is_live),
            funnel=charts.funnel(totals),
            review_queue=review_queue(workspace=self.workspace).count(),
            status_colors=charts.STATUS_COLORS,
            **activity_charts(workspace=self.workspace, date_range=date_range),
        )
        return context


class InstanceChartsView(WorkspaceViewMixin, TemplateView):
    """One instance's numbers and the same charts as the overview (archived ones too: their
    history is still worth a look)."""

    template_name = "dashboard/instances/charts.html"
    read_scope = scope_names.ENROLLMENTS_READ

    def get_context_data(self, **kwargs):
        from enrollments.selectors import enrollment_status_counts
        from instances.selectors import instance_list

        context = super().get_context_data(**kwargs)
        instance = self.scoped_get(instance_list(workspace=self.workspace), pk=self.kwargs["pk"])
        totals = enrollment_status_counts(workspace=self.workspace, instance=instance)
        context.update(
            instance=instance,
            totals=totals,
            total=sum(totals.values()),
            statuses=EnrollmentStatus.choices,
            funnel=charts.funnel(totals),
            status_colors=charts.STATUS_COLORS,
            **activity_charts(
                workspace=self.workspace,
                date_range=date_range_from(self.request.GET),
                instance=instance,
            ),
        )
        return context
