"""Reads shared by the API, the admin and the dashboard. Keyword-only, always workspace-scoped.

enrollment_history(*, enrollment) -> QuerySet[EnrollmentStatusChange]   (oldest first)
enrollment_status_counts(*, workspace, instance=None) -> dict[str, int] (every status)
enrollment_eligibility_subject(*, enrollment) -> instances.eligibility.EligibilitySubject
enrollment_eligibility_subject_many(*, enrollments) -> dict[str, EligibilitySubject] (one query)
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
    from enrollments.models import ENROLLED_STATUSES

    enrolled: dict[str, list[tuple[str, str, str]]] = {}
    rows = (
        Enrollment.objects.filter(
            customer_id__in={e.customer_id for e in enrollments}, status__in=ENROLLED_STATUSES
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
