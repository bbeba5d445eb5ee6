"""The workspace overview: each instance's counts by status, the funnel with conversion rates,
enrollments over the last 30 days and the review queue, as numbers and inline SVG charts.
Four queries whatever the size of the workspace."""

from collections import defaultdict
from datetime import timedelta

from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.views.generic import TemplateView

from accounts import scopes as scope_names
from dashboard import charts
from dashboard.mixins import WorkspaceViewMixin
from enrollments.models import Enrollment, EnrollmentStatus
from instances.models import ProgramInstance

DAYS = 30


class OverviewView(WorkspaceViewMixin, TemplateView):
    template_name = "dashboard/overview.html"
    read_scope = scope_names.ENROLLMENTS_READ

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        enrollments = self.scoped(Enrollment).order_by()
        per_instance: dict[str, dict[str, int]] = defaultdict(dict)
        totals = dict.fromkeys(EnrollmentStatus.values, 0)
        for row in enrollments.values("program_instance_id", "status").annotate(n=Count("id")):
            per_instance[row["program_instance_id"]][row["status"]] = row["n"]
            totals[row["status"]] += row["n"]
        instances = [
            {
                "instance": instance,
                "counts": per_instance.get(instance.pk, {}),
                "chart": charts.stacked(per_instance.get(instance.pk, {})),
            }
            for instance in self.scoped(ProgramInstance)
            .exclude(status=ProgramInstance.Status.ARCHIVED)
            .select_related("program")
            .order_by("name")
        ]
        today = timezone.localdate()
        since = today - timedelta(days=DAYS - 1)
        daily = {
            row["day"]: row["n"]
            for row in enrollments.filter(created_at__date__gte=since)
            .annotate(day=TruncDate("created_at"))
            .values("day")
            .annotate(n=Count("id"))
        }
        context.update(
            totals=totals,
            total=sum(totals.values()),
            statuses=EnrollmentStatus.values,
            instances=instances,
            funnel=charts.funnel(totals),
            daily=charts.daily_bars(daily, end=today, days=DAYS),
            review_queue=totals[EnrollmentStatus.SUBMITTED],
            status_colors=charts.STATUS_COLORS,
        )
        return context
