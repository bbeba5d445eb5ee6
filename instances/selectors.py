"""Reads on program instances shared by the API, the admin and the dashboard."""

from django.apps import apps
from django.db.models import QuerySet

from instances.eligibility import EligibilitySubject
from instances.models import ProgramInstance

# Enrollments that count as "currently enrolled" for the `excludeProgramSlugs` rule: an
# application in review or an approved participation (not candidates, rejections or exits).
CURRENT_ENROLLMENT_STATUSES = ("submitted", "approved")


def instance_list(*, workspace) -> QuerySet[ProgramInstance]:
    """The workspace's instances with what a list row shows (constant queries per page)."""
    return ProgramInstance.objects.for_workspace(workspace).select_related("program", "workspace")


def enrollments_available() -> bool:
    return apps.is_installed("enrollments") and any(
        m.__name__ == "Enrollment" for m in apps.get_app_config("enrollments").get_models()
    )


def customer_enrolled_program_slugs(*, workspace, customer_id: str) -> frozenset[str] | None:
    """Slugs of the programs and instances the workspace's customer is currently enrolled in;
    None when no such customer exists in this workspace (or enrollments are not installed)."""
    if not enrollments_available():
        return None
    customer_model = apps.get_model("enrollments", "Customer")
    enrollment_model = apps.get_model("enrollments", "Enrollment")
    if not customer_model.objects.for_workspace(workspace).filter(pk=customer_id).exists():
        return None
    rows = (
        enrollment_model.objects.for_workspace(workspace)
        .filter(customer_id=customer_id, status__in=CURRENT_ENROLLMENT_STATUSES)
        .values_list("program_instance__slug", "program_instance__program__slug")
        .distinct()
    )
    return frozenset(slug for pair in rows for slug in pair)


def eligibility_subject_build(
    *,
    state: str = "",
    postal_code: str = "",
    device_type: str = "",
    manufacturers=(),
    capacity=None,
    reference_id: str = "",
    enrolled_program_slugs=frozenset(),
) -> EligibilitySubject:
    return EligibilitySubject(
        state=(state or "").strip().upper(),
        postal_code=(postal_code or "").strip(),
        device_type=(device_type or "").strip().lower(),
        manufacturers=tuple(m for m in manufacturers or () if m),
        capacity=capacity,
        reference_id=(reference_id or "").strip(),
        enrolled_program_slugs=frozenset(enrolled_program_slugs or ()),
    )


# --- dashboard aggregates ---------------------------------------------------------------------
def instance_live_q(now):
    """ "Live": active, and today within its dates (open start or end counts as open)."""
    from django.db.models import Q

    return (
        Q(status=ProgramInstance.Status.ACTIVE)
        & (Q(start_date__isnull=True) | Q(start_date__lte=now))
        & (Q(end_date__isnull=True) | Q(end_date__gt=now))
    )


def instance_counted_list(*, workspace, now) -> QuerySet[ProgramInstance]:
    """The instances the overview counts and lists (not archived), each annotated with
    `is_live` so the "live instances" tile and the table's Live column read the same test."""
    from django.db.models import BooleanField, Case, Value, When

    return (
        instance_list(workspace=workspace)
        .exclude(status=ProgramInstance.Status.ARCHIVED)
        .annotate(
            is_live=Case(
                When(instance_live_q(now), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
        .order_by("name", "id")
    )


def eligibility_dry_run(
    *,
    workspace,
    criteria,
    state: str = "",
    postal_code: str = "",
    device_type: str = "",
    manufacturers=(),
    capacity=None,
    reference_id: str = "",
    customer_id: str = "",
    enrolled_program_slugs=(),
    program_states=(),
):
    """Would this person and device pass `criteria`? Writes nothing. The API's
    `POST /programInstances/{id}/eligibility` and the dashboard editor's "test an address"
    panel both call this. `customer_id` (a customer of `workspace`) adds the programs they are
    currently enrolled in to `enrolled_program_slugs`; `program_states` are the program's states,
    which bound every instance's rules (as in the lifecycle's evaluation)."""
    from config.errors import DomainValidationError
    from instances.eligibility import evaluate

    enrolled = {s.strip().lower() for s in enrolled_program_slugs or () if s and s.strip()}
    if customer_id:
        if not enrollments_available():
            raise DomainValidationError(
                "customerId cannot be used yet: enrollments are not installed. Send "
                "enrolledProgramSlugs instead.",
                details={"customer_id": ["Not available."]},
            )
        found = customer_enrolled_program_slugs(workspace=workspace, customer_id=customer_id)
        if found is None:
            raise DomainValidationError(
                f"No customer {customer_id!r} in this workspace.",
                details={"customer_id": ["No such customer."]},
            )
        enrolled |= found
    subject = eligibility_subject_build(
        state=state,
        postal_code=postal_code,
        device_type=device_type,
        manufacturers=manufacturers,
        capacity=capacity,
        reference_id=reference_id,
        enrolled_program_slugs=enrolled,
    )
    return evaluate(criteria=criteria, subject=subject, program_states=program_states)
