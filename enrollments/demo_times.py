"""Spread the demo's timestamps over past days: the services stamp everything "now", which
would make a dashboard with one busy day. Each enrollment gets a creation time in the last
`days` days and its history follows in order, every stamp in the past. Enrollment rows, their
history and their events are updated with bulk SQL (timestamps only; no status is written)."""

import random
from datetime import datetime, timedelta

from enrollments.models import Enrollment, EnrollmentStatusChange
from events.models import Event


def spread_into_the_past(
    enrollments: list[Enrollment],
    *,
    now: datetime,
    rng: random.Random,
    days: int,
    step: timedelta,
) -> None:
    ids = [e.pk for e in enrollments]
    changes: dict[str, list[EnrollmentStatusChange]] = {}
    for change in EnrollmentStatusChange.objects.filter(enrollment_id__in=ids).order_by(
        "created_at", "id"
    ):
        changes.setdefault(change.enrollment_id, []).append(change)
    events: dict[str, list[Event]] = {}
    for event in Event.objects.filter(enrollment_id__in=ids).order_by("created_at", "id"):
        events.setdefault(event.enrollment_id, []).append(event)
    rows = Enrollment.objects.in_bulk(ids)
    changed_rows, changed_history, changed_events = [], [], []
    for enrollment_id in ids:
        row = rows[enrollment_id]
        history = changes.get(enrollment_id, [])
        # Leave room for the history's steps so the last one is still in the past.
        latest_start = now - step * (len(history) + 1)
        start = latest_start - timedelta(minutes=rng.randint(0, days * 24 * 60))
        row.created_at = start
        at = start
        for change in history:
            at = at + step * rng.uniform(0.3, 1.0)
            change.created_at = at
            if change.to_status == "approved":
                row.enrollment_start_date = at
            changed_history.append(change)
        row.updated_at = at
        changed_rows.append(row)
        stamps = [start, *[c.created_at for c in history]]
        for index, event in enumerate(events.get(enrollment_id, [])):
            event.created_at = stamps[min(index, len(stamps) - 1)]
            changed_events.append(event)
    Enrollment.objects.bulk_update(
        changed_rows, ["created_at", "updated_at", "enrollment_start_date"], batch_size=500
    )
    EnrollmentStatusChange.objects.bulk_update(changed_history, ["created_at"], batch_size=500)
    Event.objects.bulk_update(changed_events, ["created_at"], batch_size=500)
