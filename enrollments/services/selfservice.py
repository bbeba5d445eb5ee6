"""The customer's own door (the public enrollment page and the status page): one transaction
that chains the same services every other door uses (create, evaluate, submit, unenroll).

No rule lives here: validation, duplicates, the instance being open, eligibility and the
required form fields are all decided by `enrollment_create`, `enrollment_evaluate`,
`enrollment_transition` and `enrollment_require_form_fields`.
"""

from dataclasses import dataclass

from django.db import transaction

from accounts import scopes as scope_names
from accounts.tenancy import Tenant
from config.errors import ConflictError
from enrollments.models import Enrollment, EnrollmentSource, EnrollmentStatus
from enrollments.services._common import _consent_evidence_for, _lock
from enrollments.services.enrollment import (
    enrolled_program_slugs,
    enrollment_create,
    enrollment_update,
)
from enrollments.services.lifecycle import (
    enrollment_evaluate,
    enrollment_require_form_fields,
    enrollment_transition,
)
from instances.eligibility import evaluate
from instances.formconfig import LANGUAGES
from instances.selectors import eligibility_subject_build

CUSTOMER_ACTOR_LABEL = "customer (enrollment page)"
SUBMIT_REASON = "Submitted by the customer on the enrollment page."
UNENROLL_PREFIX = "Unenrolled by the customer on the status page: "


@dataclass(frozen=True)
class SelfEnrollment:
    """What the page tells the customer: `outcome` is submitted, ineligible, pending (eligible
    but left for staff) or duplicate / duplicate_ineligible (an open enrollment exists; the
    caller emails its status link and shows what these answers would get, so a known address
    cannot be told apart). `rules` are the evaluation's rule results (for plain words)."""

    outcome: str  # submitted, ineligible, pending, duplicate, duplicate_ineligible
    enrollment: Enrollment | None
    reason: str = ""
    rules: tuple = ()


def customer_actor(workspace) -> Tenant:
    """The customer as an actor: only the scopes the public page needs (least privilege)."""
    return Tenant(
        workspace=workspace,
        scopes=frozenset({scope_names.ENROLLMENTS_WRITE, scope_names.CUSTOMERS_WRITE}),
        extra={"actor_label": CUSTOMER_ACTOR_LABEL},
    )


def _finish(enrollment: Enrollment, actor: Tenant) -> SelfEnrollment:
    enrollment_require_form_fields(enrollment)
    result = None
    if enrollment.status in (EnrollmentStatus.CANDIDATE, EnrollmentStatus.INELIGIBLE):
        enrollment, result = enrollment_evaluate(enrollment=enrollment, actor=actor)
    rules = tuple(result.rules) if result else ()
    if enrollment.status == EnrollmentStatus.ELIGIBLE:
        enrollment = enrollment_transition(
            enrollment=enrollment, to=EnrollmentStatus.SUBMITTED, actor=actor, reason=SUBMIT_REASON
        )
        return SelfEnrollment("submitted", enrollment, enrollment.eligibility_reason, rules)
    if enrollment.status == EnrollmentStatus.INELIGIBLE:
        return SelfEnrollment("ineligible", enrollment, enrollment.eligibility_reason, rules)
    return SelfEnrollment("pending", enrollment, enrollment.eligibility_reason, rules)


def enrollment_self_enroll(
    *, instance, data: dict, consent: dict, language: str = "en"
) -> SelfEnrollment:
    """Create (source form), evaluate and, when eligible, submit, in one transaction (a history
    row per step). An email with an open enrollment in this instance creates nothing: the
    outcome is `duplicate` and the caller emails that enrollment's status link."""
    actor = customer_actor(instance.workspace)
    body = {**data, "identification_type": "customerInfo", "source": EnrollmentSource.FORM}
    try:
        with transaction.atomic():
            enrollment = enrollment_create(
                workspace=instance.workspace,
                instance=instance,
                data={**body, "consent": consent, "language": language},
                actor=actor,
            )
            return _finish(enrollment, actor)
    except ConflictError as error:
        existing_id = error.details.get("enrollment_id")
        if not existing_id or "serial_number" in error.details:
            raise  # not this person's enrollment (e.g. the device is someone else's): say so
        existing = Enrollment.objects.for_workspace(instance.workspace).get(pk=existing_id)
        verdict = _dry_run(instance, data, existing)
        return SelfEnrollment(
            "duplicate" if verdict.eligible else "duplicate_ineligible",
            existing,
            verdict.reason,
            tuple(verdict.rules),
        )


def _dry_run(instance, data: dict, existing: Enrollment):
    """What the answers would get (the instance's rules, writing nothing), so the page answers
    a known address exactly as it would answer a new one: the same confirmation or the same
    reason. (The API's eligibility dry run uses the same two functions.)"""
    address = data.get("address") or {}
    subject = eligibility_subject_build(
        state=address.get("state", ""),
        postal_code=address.get("postal_code", ""),
        device_type=data.get("device_type", ""),
        manufacturers=data.get("manufacturer_slugs") or (),
        capacity=data.get("device_capacity"),
        reference_id=data.get("reference_id", ""),
        enrolled_program_slugs=enrolled_program_slugs(
            customer=existing.customer_id, exclude_pk=existing.pk
        ),
    )
    return evaluate(criteria=instance.eligibility_criteria, subject=subject)


def enrollment_complete_invitation(
    *, enrollment: Enrollment, data: dict, consent: dict, language: str = "en"
) -> SelfEnrollment:
    """The invited customer's answers complete THAT enrollment (no new one): their details are
    saved with the ordinary update service, consent recorded, then evaluate and submit."""
    actor = customer_actor(enrollment.workspace)
    if enrollment.status not in (EnrollmentStatus.CANDIDATE, EnrollmentStatus.ELIGIBLE):
        raise ConflictError(
            f"This invitation was already used (the enrollment is {enrollment.status}).",
            details={"status": enrollment.status},
        )
    block = enrollment.program_instance.enrollment_block_reason()
    if block:
        raise ConflictError(block, details={"program_instance_id": enrollment.program_instance_id})
    changes = {k: v for k, v in data.items() if k != "email"}  # the invited address stays
    with transaction.atomic():
        enrollment = enrollment_update(enrollment=enrollment, data=changes, actor=actor)
        locked = _lock(enrollment)
        locked.consent = _consent_evidence_for(locked.program_instance, consent)
        locked.language = language if language in LANGUAGES else "en"
        locked.save(update_fields=["consent", "language", "updated_at"])
        return _finish(locked, actor)


def enrollment_customer_unenroll(*, enrollment: Enrollment, reason: str) -> Enrollment:
    """An approved customer leaves the program from the status page (the lifecycle service
    decides whether the move is allowed)."""
    return enrollment_transition(
        enrollment=enrollment,
        to=EnrollmentStatus.UNENROLLED,
        actor=customer_actor(enrollment.workspace),
        reason=UNENROLL_PREFIX + reason.strip(),
    )
