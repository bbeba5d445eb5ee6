"""The lifecycle: the one transition service, evaluation, and their bulk forms."""

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django_fsm import ConcurrentTransition, TransitionNotAllowed

from accounts import scopes as scope_names
from accounts.tenancy import Tenant
from config.errors import (
    ConflictError,
    DomainValidationError,
    InvalidTransitionError,
)
from enrollments.inputs.forms import form_field_label, missing_form_fields
from enrollments.models import (
    CLOSED_STATUSES,
    Enrollment,
    EnrollmentStatus,
    EnrollmentStatusChange,
)
from enrollments.services._common import (
    _lock,
    _record,
    _refuse_read_only,
    _require_scope,
)
from enrollments.services.rules import enrollment_rules_check
from enrollments.transitions import Transition, transition_for, transition_to
from instances.eligibility import EligibilityResult, EligibilitySubject, evaluate_for_instance


# --- enrollments: the lifecycle ---------------------------------------------------------------
def transition_refusal(enrollment: Enrollment, to: str) -> InvalidTransitionError:
    allowed = enrollment.allowed_transitions
    current = enrollment.status
    if transition_for(current, to) is not None and to == EnrollmentStatus.CANDIDATE:
        version = enrollment.program_instance.criteria_version
        message = (
            f"A {current} enrollment goes back to candidate only after the program instance's "
            f"eligibility criteria change (evaluated against version "
            f"{enrollment.evaluated_criteria_version}, current version {version})."
        )
    elif current == to:
        message = f"The enrollment is already {current}."
    else:
        message = f"Cannot move an enrollment from {current} to {to}."
    message += f" Allowed now: {', '.join(allowed)}." if allowed else " No moves are allowed now."
    return InvalidTransitionError(message, details={"allowed": allowed, "from": current, "to": to})


def enrollment_require_form_fields(enrollment: Enrollment, fields=None) -> None:
    """Guard of every move to `submitted` (one row, bulk, any door): the fields the instance's
    formConfig marks required must be filled, else a 400 with `details.missingFields` (API
    names) and a message in the form's own labels. `fields`: the instance's
    `form_config_fields`, when the caller (the bulk path) checks many rows of one instance."""
    missing = missing_form_fields(enrollment.program_instance.form_config, enrollment, fields)
    if missing:
        labels = ", ".join(form_field_label(field) for field in missing)
        raise DomainValidationError(
            f"Before it is submitted, this enrollment needs: {labels}.",
            details={
                "missingFields": [field.name for field in missing],
                **{
                    field.name: ["Required by this program's enrollment form."] for field in missing
                },
            },
        )


def _apply_transition(
    locked: Enrollment,
    *,
    to: str,
    actor: Tenant | None,
    reason: str,
    metadata: dict | None,
    start_date: datetime | None,
) -> Enrollment:
    """The transition on a row already locked by the caller's transaction."""
    if to not in locked.allowed_transitions:
        raise transition_refusal(locked, to)
    row = transition_for(locked.status, to)
    require_reason(row, reason)
    if locked.status in CLOSED_STATUSES:
        refuse_second_open(locked)
    if to == EnrollmentStatus.SUBMITTED:
        enrollment_require_form_fields(locked)
    method = getattr(locked, row.method)
    kwargs: dict[str, Any] = {"reason": reason}
    if to in (EnrollmentStatus.ELIGIBLE, EnrollmentStatus.INELIGIBLE):
        kwargs["criteria_version"] = locked.program_instance.criteria_version
    if to == EnrollmentStatus.APPROVED:
        kwargs["start_date"] = start_date or timezone.now()
    previous = locked.status
    try:
        method(**kwargs)
        locked.save()
    except TransitionNotAllowed:
        raise transition_refusal(locked, to) from None
    except ConcurrentTransition:
        raise ConflictError(
            "The enrollment's status changed while this request ran; reload and retry."
        ) from None
    change = EnrollmentStatusChange(
        workspace=locked.workspace,
        enrollment=locked,
        enrollment_ref=locked.pk,
        program_instance_ref=locked.program_instance_id,
        subject=f"{locked.first_name} {locked.last_name} <{locked.email}>"[:400],
        from_status=previous,
        to_status=to,
        reason=reason,
        metadata=metadata or {},
        actor_user=actor.user if actor else None,
        actor_api_key=actor.api_key if actor else None,
        actor_label=(actor.actor_label if actor else "system")[:200],
    )
    change.save()
    _record(locked, "enrollment.status_changed", previous_status=previous, actor=actor)
    # The spec: `enrollment.updated` whenever the status or the data changes.
    _record(locked, "enrollment.updated", previous_status=previous, actor=actor)
    return locked


def require_reason(row: Transition, reason: str) -> None:
    """The table's reason rule (a rejection needs one), the same for every door."""
    if row.reason_missing(reason):
        message = f"Give a reason to {row.label.lower()}: the customer and your colleagues read it."
        raise DomainValidationError(message, details={"reason": [message]})


def enrollment_transition_request_check(*, to: str, reason: str) -> None:
    """What can be refused before any row is read (a missing reason), for a door that asks
    a person to confirm first: the dashboard's bulk confirmation checks this before showing it."""
    row = transition_to(to)
    if row is not None:
        require_reason(row, reason)


SECOND_OPEN = (
    "The customer has another open enrollment in this program instance; work on that one instead."
)


def refuse_second_open(locked: Enrollment) -> None:
    """Reopening a rejected enrollment would give its customer two open enrollments in the
    instance if they applied again since, or its device two if another customer enrolled it
    since (the rules check's serial number rule); the newer one wins."""
    other = (
        Enrollment.objects.filter(
            program_instance_id=locked.program_instance_id, customer_id=locked.customer_id
        )
        .exclude(pk=locked.pk)
        .exclude(status__in=CLOSED_STATUSES)
        .values_list("pk", flat=True)
        .first()
    )
    if other is not None:
        raise ConflictError(SECOND_OPEN, details={"enrollment_id": other})
    device = enrollment_rules_check(instance=locked.program_instance_id, enrollments=[locked])
    if locked.pk in device:
        raise device[locked.pk]


def transition_request_refusal_check(
    *, to: str, actor: Tenant | None, start_date: datetime | None, metadata: Any
) -> None:
    if to not in EnrollmentStatus.values:
        raise DomainValidationError(
            f"to: '{to}' is not a status. Statuses: {', '.join(EnrollmentStatus.values)}.",
            details={"to": [f"Must be one of {', '.join(EnrollmentStatus.values)}."]},
        )
    if start_date is not None and to != EnrollmentStatus.APPROVED:
        raise DomainValidationError(
            "A start date is only used when approving.",
            details={"start_date": ["Only used with to=approved."]},
        )
    if metadata is not None and not isinstance(metadata, dict):
        raise DomainValidationError(
            "metadata must be an object.", details={"metadata": ["Must be an object."]}
        )
    _require_scope(actor, transition_to(to).scope)


def enrollment_transition(
    *,
    enrollment: Enrollment,
    to: str,
    actor: Tenant | None,
    reason: str = "",
    metadata: dict | None = None,
    start_date: datetime | None = None,
) -> Enrollment:
    """Move the enrollment to `to` in one transaction: the django-fsm transition, the save, the
    history row, the `enrollment.status_changed` event.

    The row is locked first, so of two simultaneous requests the second sees the first's
    result and gets `InvalidTransitionError` (409, `details.allowed`). Approval sets
    `enrollmentStartDate` (now unless `start_date`); unenrolment stores `reason` as the exit
    reason; `approved`/`rejected` need the `enrollments:review` scope.
    """
    transition_request_refusal_check(to=to, actor=actor, start_date=start_date, metadata=metadata)
    with transaction.atomic():
        locked = _lock(enrollment)
        _refuse_read_only(locked)
        return _apply_transition(
            locked,
            to=to,
            actor=actor,
            reason=reason or "",
            metadata=metadata,
            start_date=start_date,
        )


def enrollment_evaluate(
    *, enrollment: Enrollment, actor: Tenant | None
) -> tuple[Enrollment, EligibilityResult]:
    """Run the instance's eligibility rules: candidate → eligible or ineligible, with the reason
    and each rule's result in the history row's metadata.

    An ineligible or rejected enrollment whose instance's criteria changed since is first moved
    back to candidate (its own history row), then evaluated. Anything else is a 409.
    """
    from enrollments.selectors import enrollment_eligibility_subject

    _require_scope(actor, scope_names.ENROLLMENTS_WRITE)
    with transaction.atomic():
        locked = _lock(enrollment)
        result = _evaluate_locked(
            locked,
            actor=actor,
            subject_of=lambda row: enrollment_eligibility_subject(enrollment=row),
        )
    return locked, result


def _evaluate_locked(
    locked: Enrollment,
    *,
    actor: Tenant | None,
    subject_of: Callable[[Enrollment], EligibilitySubject],
) -> EligibilityResult:
    """`enrollment_evaluate` on a row the caller's transaction has locked. `subject_of(row)`
    is what the rules look at (one query for one row; a lookup prepared for a whole batch)."""
    _refuse_read_only(locked)
    instance = locked.program_instance
    if (
        locked.status != EnrollmentStatus.CANDIDATE
        and EnrollmentStatus.CANDIDATE in locked.allowed_transitions
    ):
        _apply_transition(
            locked,
            to=EnrollmentStatus.CANDIDATE,
            actor=actor,
            reason=(
                "Eligibility criteria changed (version "
                f"{locked.evaluated_criteria_version} → {instance.criteria_version}); "
                "evaluating again."
            ),
            metadata=None,
            start_date=None,
        )
    if locked.status != EnrollmentStatus.CANDIDATE:
        allowed = locked.allowed_transitions
        raise InvalidTransitionError(
            f"Only candidate enrollments are evaluated; this one is {locked.status}.",
            details={"allowed": allowed, "from": locked.status, "to": "eligible|ineligible"},
        )
    result = evaluate_for_instance(instance=instance, subject=subject_of(locked))
    target = EnrollmentStatus.ELIGIBLE if result.eligible else EnrollmentStatus.INELIGIBLE
    _apply_transition(
        locked,
        to=target,
        actor=actor,
        reason=result.reason,
        metadata={
            "evaluation": result.as_dict(),
            "criteriaVersion": instance.criteria_version,
        },
        start_date=None,
    )
    return result
