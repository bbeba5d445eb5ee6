"""Reads shared by the API, the admin and the dashboard. Keyword-only, always workspace-scoped.

enrollment_history(*, enrollment) -> QuerySet[EnrollmentStatusChange]   (oldest first)
enrollment_status_counts(*, workspace, instance=None) -> dict[str, int] (every status)
enrollment_eligibility_subject(*, enrollment) -> instances.eligibility.EligibilitySubject
enrollment_eligibility_subject_many(*, enrollments) -> dict[str, EligibilitySubject] (one query)
enrollment_counted / review_queue / enrollment_counts_by_instance / enrollment_daily_activity /
enrollment_timeline: the dashboard's aggregates (see each docstring)
customer_list(*, workspace) / lead_list(*, workspace) -> QuerySet
customer_get(*, workspace, customer_id) / lead_get(*, workspace, lead_id)  (NotFoundError)
"""

from django.db.models import Count

from config.errors import NotFoundError
from enrollments.models import (
    Customer,
    Enrollment,
    EnrollmentStatus,
    EnrollmentStatusChange,
    Lead,
)
from enrollments.statuses import ENROLLED_STATUSES
from instances.eligibility import EligibilitySubject


def enrollment_history(*, enrollment: Enrollment):
    return EnrollmentStatusChange.objects.for_workspace(enrollment.workspace_id).filter(
        enrollment=enrollment
    )


def enrollment_status_counts(*, workspace, instance=None) -> dict[str, int]:
    """One GROUP BY query; every status is present (0 when there is none)."""
    queryset = Enrollment.objects.for_workspace(workspace)
    if instance is not None:
        queryset = queryset.filter(program_instance=instance)
    counts = dict.fromkeys(EnrollmentStatus.values, 0)
    for row in queryset.order_by().values("status").annotate(n=Count("id")):
        counts[row["status"]] = row["n"]
    return counts


def enrollment_eligibility_subject(*, enrollment: Enrollment) -> EligibilitySubject:
    """What the rules look at: address, device, reference and the programs the customer is
    enrolled in elsewhere (submitted or approved, this enrollment excluded)."""
    from enrollments.services import enrolled_program_slugs

    return EligibilitySubject(
        state=enrollment.state,
        postal_code=enrollment.postal_code,
        device_type=enrollment.device_type,
        manufacturers=tuple(enrollment.manufacturer_slugs or ()),
        capacity=enrollment.device_capacity,
        reference_id=enrollment.reference_id,
        enrolled_program_slugs=frozenset(
            enrolled_program_slugs(customer=enrollment.customer_id, exclude_pk=enrollment.pk)
        ),
    )


def enrollment_eligibility_subject_many(
    *, enrollments: list[Enrollment]
) -> dict[str, EligibilitySubject]:
    """`enrollment_eligibility_subject` of many enrollments with one query (bulk evaluation):
    enrollment id → subject."""
    enrolled: dict[str, list[tuple[str, str, str]]] = {}
    rows = (
        Enrollment.objects.filter(
            customer_id__in_array={e.customer_id for e in enrollments},
            status__in=ENROLLED_STATUSES,
        )
        .order_by()
        .values_list(
            "customer_id", "pk", "program_instance__program__slug", "program_instance__slug"
        )
    )
    for customer_id, pk, program_slug, instance_slug in rows:
        enrolled.setdefault(customer_id, []).append((pk, program_slug, instance_slug))
    return {
        e.pk: EligibilitySubject(
            state=e.state,
            postal_code=e.postal_code,
            device_type=e.device_type,
            manufacturers=tuple(e.manufacturer_slugs or ()),
            capacity=e.device_capacity,
            reference_id=e.reference_id,
            enrolled_program_slugs=frozenset(
                slug
                for pk, *slugs in enrolled.get(e.customer_id, ())
                if pk != e.pk
                for slug in slugs
            ),
        )
        for e in enrollments
    }


def customer_list(*, workspace):
    return Customer.objects.for_workspace(workspace)


def customer_get(*, workspace, customer_id: str) -> Customer:
    customer = customer_list(workspace=workspace).filter(pk=customer_id).first()
    if customer is None:
        raise NotFoundError("No customer with this id in your workspace.")
    return customer


def lead_list(*, workspace):
    return Lead.objects.for_workspace(workspace)


def lead_get(*, workspace, lead_id: str) -> Lead:
    lead = lead_list(workspace=workspace).filter(pk=lead_id).first()
    if lead is None:
        raise NotFoundError("No lead with this id in your workspace.")
    return lead


# --- dashboard aggregates ---------------------------------------------------------------------
# The overview, the per-instance charts page and the review queue read these, so that a tile
# and the table under it count the same rows. "Counted" enrollments are those of instances that
# are not archived: archived instances are history, listed on the Instances page only.
def enrollment_counted(*, workspace, instance=None):
    """Enrollments the dashboard's numbers count: not in an archived instance."""
    queryset = Enrollment.objects.for_workspace(workspace).exclude(
        program_instance__status="archived"
    )
    if instance is not None:
        queryset = queryset.filter(program_instance=instance)
    return queryset


def review_queue(*, workspace, instance_id: str = ""):
    """Enrollments a reviewer can decide now: submitted, in an instance that is not archived
    (an archived instance is read-only, so Approve/Reject would be refused). Oldest submission
    first; `submitted_at` is the time of the latest move to submitted."""
    from django.db.models import OuterRef, Subquery

    submitted_at = (
        EnrollmentStatusChange.objects.for_workspace(workspace)
        .filter(enrollment=OuterRef("pk"), to_status=EnrollmentStatus.SUBMITTED)
        .order_by("-created_at")
        .values("created_at")[:1]
    )
    queryset = (
        enrollment_counted(workspace=workspace)
        .filter(status=EnrollmentStatus.SUBMITTED)
        .select_related("program_instance")
        .annotate(submitted_at=Subquery(submitted_at))
        .order_by("submitted_at", "created_at", "id")
    )
    if instance_id:
        queryset = queryset.filter(program_instance_id=instance_id)
    return queryset


def enrollment_counts_by_instance(*, workspace, instance=None) -> dict[str, dict[str, int]]:
    """instance id → status → count, over counted enrollments (one GROUP BY query)."""
    counts: dict[str, dict[str, int]] = {}
    rows = (
        enrollment_counted(workspace=workspace, instance=instance)
        .order_by()
        .values("program_instance_id", "status")
        .annotate(n=Count("id"))
    )
    for row in rows:
        counts.setdefault(row["program_instance_id"], {})[row["status"]] = row["n"]
    return counts


def enrollment_daily_activity(*, workspace, first, last, tzinfo, instance=None) -> dict:
    """Per day (in `tzinfo`) from `first` to `last` inclusive: enrollments created, and
    decisions taken (moves to approved / rejected). Two GROUP BY queries.

    Returns {"created": {date: n}, "approved": {date: n}, "rejected": {date: n}}."""
    from datetime import datetime, time, timedelta

    from django.db.models.functions import TruncDate

    start = datetime.combine(first, time.min, tzinfo=tzinfo)
    end = datetime.combine(last + timedelta(days=1), time.min, tzinfo=tzinfo)
    if instance is not None:  # one instance's own page counts it even when archived
        base = Enrollment.objects.for_workspace(workspace).filter(program_instance=instance)
    else:
        base = enrollment_counted(workspace=workspace)
    created = (
        base.filter(created_at__gte=start, created_at__lt=end)
        .order_by()
        .annotate(day=TruncDate("created_at", tzinfo=tzinfo))
        .values("day")
        .annotate(n=Count("id"))
    )
    result: dict[str, dict] = {"created": {}, "approved": {}, "rejected": {}}
    for row in created:
        result["created"][row["day"]] = row["n"]
    changes = EnrollmentStatusChange.objects.for_workspace(workspace).filter(
        created_at__gte=start,
        created_at__lt=end,
        to_status__in=(EnrollmentStatus.APPROVED, EnrollmentStatus.REJECTED),
    )
    if instance is not None:
        changes = changes.filter(program_instance_ref=instance.pk)
    else:
        from instances.models import ProgramInstance

        archived = ProgramInstance.objects.for_workspace(workspace).filter(status="archived")
        changes = changes.exclude(program_instance_ref__in=archived.values("pk"))
    for row in (
        changes.order_by()
        .annotate(day=TruncDate("created_at", tzinfo=tzinfo))
        .values("day", "to_status")
        .annotate(n=Count("id"))
    ):
        result[row["to_status"]][row["day"]] = row["n"]
    return result


def enrollment_timeline(*, enrollment: Enrollment, with_events: bool) -> list[dict]:
    """The enrollment's status changes (and, `with_events`, its events), newest first; two
    queries. Items: {at, kind: "status"|"event", from_status, to_status, type, reason, actor}."""
    items = [
        {
            "at": change.created_at,
            "kind": "status",
            "from_status": change.from_status,
            "to_status": change.to_status,
            "type": "",
            "reason": change.reason,
            "actor": change.actor_label,
        }
        for change in enrollment_history(enrollment=enrollment)
    ]
    if with_events:
        from events.models import Event

        events = (
            Event.objects.for_workspace(enrollment.workspace_id)
            .filter(enrollment_id=enrollment.pk)
            .only("type", "created_at")
        )
        items += [
            {
                "at": event.created_at,
                "kind": "event",
                "from_status": "",
                "to_status": "",
                "type": event.type,
                "reason": "",
                "actor": "",
            }
            for event in events
        ]
    return sorted(items, key=lambda item: item["at"], reverse=True)
