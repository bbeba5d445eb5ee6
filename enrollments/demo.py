"""Demo customers, leads and a few hundred enrollments across every status (for `make run`).

Runs after instances/demo.py; does nothing if the demo workspace has no instances yet, and
nothing if it already has enrollments (idempotent). Rows are bulk-inserted for speed, each
enrollment with the history rows of the path that led to its status, so the admin, dashboard and
API show a consistent story. This is the one place statuses are written without the service:
demo set-up, not behaviour.
"""

import random
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from enrollments.models import (
    Customer,
    Enrollment,
    EnrollmentStatus,
    EnrollmentStatusChange,
    Lead,
)
from enrollments.services import enrollment_sync_terms
from instances.models import ProgramInstance

S = EnrollmentStatus
PATHS = {
    S.CANDIDATE: [],
    S.ELIGIBLE: [S.ELIGIBLE],
    S.INELIGIBLE: [S.INELIGIBLE],
    S.SUBMITTED: [S.ELIGIBLE, S.SUBMITTED],
    S.APPROVED: [S.ELIGIBLE, S.SUBMITTED, S.APPROVED],
    S.REJECTED: [S.ELIGIBLE, S.SUBMITTED, S.REJECTED],
    S.UNENROLLED: [S.ELIGIBLE, S.SUBMITTED, S.APPROVED, S.UNENROLLED],
}
WEIGHTS = {
    S.CANDIDATE: 18,
    S.ELIGIBLE: 14,
    S.INELIGIBLE: 9,
    S.SUBMITTED: 16,
    S.APPROVED: 30,
    S.REJECTED: 6,
    S.UNENROLLED: 7,
}
REASONS = {
    S.ELIGIBLE: "Meets all rules: in service territory, accepted device.",
    S.INELIGIBLE: "Postal code is outside the service area.",
    S.SUBMITTED: "Customer completed the enrollment form.",
    S.APPROVED: "Documents verified.",
    S.REJECTED: "Failed verification: serial number does not match the device.",
    S.UNENROLLED: "Customer moved out of the service territory.",
}
FIRST = ["Ana", "Ben", "Chloe", "Dev", "Elena", "Farid", "Grace", "Hiro", "Ines", "Jon", "Kofi"]
LAST = ["Alvarez", "Brooks", "Chen", "Diaz", "Evans", "Fischer", "Gupta", "Haddad", "Ito", "Jones"]
PLACES = [
    ("San Francisco", "CA", "94110"),
    ("Oakland", "CA", "94607"),
    ("Sacramento", "CA", "95814"),
    ("Brooklyn", "NY", "11215"),
    ("Albany", "NY", "12207"),
    ("Austin", "TX", "78701"),
]
DEVICES = [
    ("battery", ["tesla"]),
    ("battery", ["enphase"]),
    ("thermostat", ["ecobee"]),
    ("ev_charger", ["chargepoint"]),
    ("battery", ["tesla", "enphase"]),
]
TAGS = ["spring-campaign", "low-income", "referral", "solar", "priority"]
TOTAL = 320


def seed(context) -> None:
    workspace = context.workspace
    instances = list(ProgramInstance.objects.for_workspace(workspace).order_by("created_at"))
    if not instances or Enrollment.objects.for_workspace(workspace).exists():
        return
    rng = random.Random(20250101)
    now = timezone.now()

    customers = []
    for n in range(TOTAL):
        city, state, postal = rng.choice(PLACES)
        first, last = rng.choice(FIRST), rng.choice(LAST)
        customers.append(
            Customer(
                workspace=workspace,
                first_name=first,
                last_name=last,
                email=f"{first}.{last}.{n}@example.com".lower(),
                phone=f"+1555{n:07d}",
                street_one=f"{100 + n} Main St",
                city=city,
                state=state,
                postal_code=postal,
                country="USA",
            )
        )
    Customer.objects.bulk_create(customers)
    Lead.objects.bulk_create(
        [
            Lead(
                workspace=workspace,
                first_name=rng.choice(FIRST),
                last_name=rng.choice(LAST),
                email=f"lead{n}@example.com",
                state="CA",
                postal_code="94110",
            )
            for n in range(25)
        ]
    )

    statuses = list(WEIGHTS)
    weights = [WEIGHTS[s] for s in statuses]
    enrollments, created = [], []
    for n, customer in enumerate(customers):
        instance = instances[n % len(instances)]
        status = rng.choices(statuses, weights)[0]
        device_type, makers = rng.choice(DEVICES)
        created_at = now - timedelta(days=rng.randint(0, 120), minutes=rng.randint(0, 1440))
        enrollment = Enrollment(
            workspace=workspace,
            program_instance=instance,
            customer=customer,
            identification_type="customerInfo",
            first_name=customer.first_name,
            last_name=customer.last_name,
            email=customer.email,
            phone=customer.phone,
            street_one=customer.street_one,
            city=customer.city,
            state=customer.state,
            postal_code=customer.postal_code,
            country="USA",
            manufacturer_slugs=makers,
            device_type=device_type,
            device_capacity=Decimal(rng.choice([5, 10, 13.5, 20])),
            serial_number=f"SN-{n:06d}",
            reference_id=f"REF-{n:05d}",
            reference_description="Demo device id",
            tags=rng.sample(TAGS, rng.randint(0, 2)),
            status=status,
            eligibility_reason=REASONS.get(status, ""),
            evaluated_criteria_version=None if status == S.CANDIDATE else instance.criteria_version,
            enrollment_start_date=(
                created_at + timedelta(days=3) if status in (S.APPROVED, S.UNENROLLED) else None
            ),
            exit_reason=REASONS[S.UNENROLLED] if status == S.UNENROLLED else "",
        )
        enrollments.append(enrollment)
        created.append(created_at)
    Enrollment.objects.bulk_create(enrollments)
    for enrollment, created_at in zip(enrollments, created, strict=True):
        enrollment.created_at = created_at
        enrollment.updated_at = created_at + timedelta(days=len(PATHS[enrollment.status]))
    Enrollment.objects.bulk_update(enrollments, ["created_at", "updated_at"], batch_size=500)
    enrollment_sync_terms(enrollments=enrollments, replace=False)

    changes = []
    for enrollment, created_at in zip(enrollments, created, strict=True):
        previous = S.CANDIDATE
        for step, target in enumerate(PATHS[enrollment.status], start=1):
            changes.append(
                EnrollmentStatusChange(
                    workspace=workspace,
                    enrollment=enrollment,
                    enrollment_ref=enrollment.pk,
                    program_instance_ref=enrollment.program_instance_id,
                    subject=f"{enrollment.first_name} {enrollment.last_name} <{enrollment.email}>",
                    from_status=previous,
                    to_status=target,
                    reason=REASONS.get(target, ""),
                    actor_user=context.user,
                    actor_label=f"user {context.user.get_username()}",
                )
            )
            changes[-1]._demo_at = created_at + timedelta(days=step)
            previous = target
    EnrollmentStatusChange.objects.bulk_create(changes, batch_size=500)
    for change in changes:
        change.created_at = change._demo_at
    EnrollmentStatusChange.objects.bulk_update(changes, ["created_at"], batch_size=500)
