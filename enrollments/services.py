"""Writes of the enrollments app. The API, the admin and the dashboard call only these.

Every function is keyword-only, runs in one `transaction.atomic()`, raises `config.errors`
exceptions (mapped once to `{code, message, details}` by the API) and records its event in the
same transaction (`events.services.event_record`).

Interfaces (data dicts use snake_case keys; `address` is a dict of the six address columns):

    customer_create(*, workspace, data: dict, actor: Tenant | None = None) -> Customer
    customer_update(*, customer, data: dict, actor: Tenant | None = None) -> Customer
    lead_create(*, workspace, data: dict, actor: Tenant | None = None) -> Lead
    lead_update(*, lead, data: dict, actor: Tenant | None = None) -> Lead

    enrollment_create(*, workspace, instance, data: dict, actor: Tenant | None) -> Enrollment
        data: identification_type (customerInfo|customerId|leadId|enrollmentId), customer_id,
        lead_id, enrollment_id, first_name, last_name, email, phone, address {street_one,
        street_two, city, state, postal_code, country}, manufacturer_slugs, device_type,
        device_capacity, serial_number, reference_id, reference_description, tags, metadata.
    enrollment_update(*, enrollment, data: dict, actor) -> Enrollment      (never the status)
    enrollment_delete(*, enrollment, actor) -> None
    enrollment_transition(*, enrollment, to: str, actor, reason="", metadata=None,
                          start_date=None) -> Enrollment
    enrollment_evaluate(*, enrollment, actor) -> tuple[Enrollment, EligibilityResult]
    enrollment_bulk_transition(*, enrollments, to, actor, reason="") -> list[BulkResult]
    enrollment_bulk_evaluate(*, enrollments, actor) -> list[BulkResult]

`actor` is an `accounts.tenancy.Tenant` (its user or API key is recorded in the history and its
scopes are checked: `enrollments:write`, and `enrollments:review` to approve or reject); None
means the system itself (demo data, management commands) and is allowed everything.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django_fsm import ConcurrentTransition, TransitionNotAllowed

from accounts import scopes as scope_names
from accounts.tenancy import Tenant
from config.errors import (
    ConflictError,
    DomainValidationError,
    ForbiddenError,
    InvalidTransitionError,
    NotFoundError,
)
from enrollments.models import (
    CLOSED_STATUSES,
    ENROLLED_STATUSES,
    REVIEW_TARGETS,
    AddressFields,
    Customer,
    Enrollment,
    EnrollmentStatus,
    EnrollmentStatusChange,
    EnrollmentTerm,
    IdentificationType,
    Lead,
)
from events.services import event_record
from instances.eligibility import EligibilityResult, evaluate

ADDRESS_FIELDS = AddressFields.ADDRESS_FIELDS
PERSON_FIELDS = ("first_name", "last_name", "email", "phone")
# Details an enrollment copies from the enrollment it continues (identificationType
# enrollmentId) and that a PATCH may change.
DETAIL_FIELDS = (
    "manufacturer_slugs",
    "device_type",
    "device_capacity",
    "serial_number",
    "reference_id",
    "reference_description",
    "tags",
    "metadata",
)
EDITABLE_FIELDS = (*PERSON_FIELDS, *DETAIL_FIELDS)
ID_FIELD_OF_TYPE = {
    IdentificationType.CUSTOMER_ID: "customer_id",
    IdentificationType.LEAD_ID: "lead_id",
    IdentificationType.ENROLLMENT_ID: "enrollment_id",
}
# API names, for messages that tell the caller what to send.
API_NAMES = {
    "first_name": "firstName",
    "last_name": "lastName",
    "email": "email",
    "customer_id": "customerId",
    "lead_id": "leadId",
    "enrollment_id": "enrollmentId",
    "identification_type": "identificationType",
}
STATUS_FIELDS = ("status", "eligibility_status", "eligibilityStatus", "eligibility")


@dataclass(frozen=True)
class BulkResult:
    """One row of a bulk action: what happened to this enrollment, in words for people."""

    enrollment_id: str
    ok: bool
    message: str

    def __iter__(self):  # so that `for enrollment_id, ok, message in results` works
        return iter((self.enrollment_id, self.ok, self.message))


# --- helpers ----------------------------------------------------------------------------------
def _require_scope(actor: Tenant | None, scope: str) -> None:
    if actor is not None and not actor.has_scope(scope):
        raise ForbiddenError(f"This action needs the '{scope}' scope.")


def _normalise_email(value: str | None) -> str:
    return (value or "").strip().lower()


def _clean_list(values, *, lower: bool = False) -> list[str]:
    """De-duplicated, trimmed, order kept (tags and manufacturer slugs)."""
    seen: list[str] = []
    for value in values or []:
        item = str(value).strip()
        if lower:
            item = item.lower()
        if item and item not in seen:
            seen.append(item)
    return seen


def _normalise(data: dict) -> dict:
    clean = dict(data)
    if "email" in clean:
        clean["email"] = _normalise_email(clean["email"])
    if "tags" in clean:
        clean["tags"] = _clean_list(clean["tags"])
    if "manufacturer_slugs" in clean:
        clean["manufacturer_slugs"] = _clean_list(clean["manufacturer_slugs"], lower=True)
    if clean.get("metadata") is None and "metadata" in clean:
        clean["metadata"] = {}
    address = clean.pop("address", None) or {}
    # The address arrives nested (`address: {...}`) or already flat (model serializers).
    for name in ADDRESS_FIELDS:
        if name in address or name in clean:
            value = (address.get(name, clean.get(name)) or "").strip()
            clean[name] = value.upper() if name == "state" else value
    return clean


def _refuse_status_fields(data: dict) -> None:
    given = [name for name in STATUS_FIELDS if name in data]
    if given:
        raise DomainValidationError(
            "The status cannot be set here; use POST /api/v1/enrollments/{id}/transitions "
            '(e.g. {"to": "submitted"}) or /evaluate.',
            details={
                API_NAMES.get(n, n): ["Read-only: change it with the transitions endpoint."]
                for n in given
            },
        )


def _payload(enrollment: Enrollment) -> dict:
    """The enrollment as the API returns it (the events' `data.object`)."""
    from enrollments.api.serializers import EnrollmentSerializer

    return dict(EnrollmentSerializer(enrollment).data)


def _record(enrollment: Enrollment, type: str, **extra) -> None:
    event_record(
        workspace=enrollment.workspace,
        type=type,
        obj=_payload(enrollment),
        enrollment_id=enrollment.pk,
        program_instance_id=enrollment.program_instance_id,
        **extra,
    )


def _lock(enrollment: Enrollment) -> Enrollment:
    """Reload the row FOR UPDATE (PostgreSQL; SQLite serialises writers anyway) so that
    concurrent writers queue here and each one sees the other's result."""
    try:
        return (
            Enrollment.objects.select_for_update(of=("self",))
            .select_related("program_instance", "workspace")
            .get(pk=enrollment.pk)
        )
    except Enrollment.DoesNotExist:
        raise NotFoundError("This enrollment no longer exists.") from None


def _refuse_read_only(enrollment: Enrollment) -> None:
    instance = enrollment.program_instance
    if instance.is_read_only:
        raise ConflictError(
            f"The program instance '{instance.name}' is archived and read-only; "
            "reactivate it to change its enrollments.",
            details={"programInstanceId": instance.pk},
        )


def enrollment_sync_terms(*, enrollments: list[Enrollment], replace: bool = True) -> None:
    """Write the tag / manufacturer index rows of these enrollments (bulk SQL)."""
    if replace:
        EnrollmentTerm.objects.filter(enrollment__in=[e.pk for e in enrollments]).delete()
    rows = []
    for enrollment in enrollments:
        for tag in enrollment.tags or []:
            rows.append(
                EnrollmentTerm(enrollment=enrollment, kind=EnrollmentTerm.Kind.TAG, value=tag)
            )
        for slug in enrollment.manufacturer_slugs or []:
            rows.append(
                EnrollmentTerm(
                    enrollment=enrollment, kind=EnrollmentTerm.Kind.MANUFACTURER, value=slug
                )
            )
    EnrollmentTerm.objects.bulk_create(rows, ignore_conflicts=True)


# --- customers and leads ----------------------------------------------------------------------
def _email_taken(workspace, email: str, exclude_pk: str | None = None) -> Customer | None:
    queryset = Customer.objects.for_workspace(workspace).filter(email=email)
    if exclude_pk:
        queryset = queryset.exclude(pk=exclude_pk)
    return queryset.first()


def _email_conflict(existing: Customer) -> ConflictError:
    return ConflictError(
        f"A customer with the email {existing.email} already exists ({existing.pk}).",
        details={
            "email": ["A customer with this email already exists."],
            "customerId": existing.pk,
        },
    )


def customer_create(*, workspace, data: dict, actor: Tenant | None = None) -> Customer:
    """Create a customer; its email (stored lower-cased) is unique in the workspace (409)."""
    _require_scope(actor, scope_names.CUSTOMERS_WRITE)
    clean = _normalise(data)
    missing = [f for f in ("first_name", "last_name", "email") if not clean.get(f)]
    if missing:
        raise DomainValidationError(
            f"{API_NAMES[missing[0]]}: This field is required.",
            details={API_NAMES[f]: ["This field is required."] for f in missing},
        )
    with transaction.atomic():
        existing = _email_taken(workspace, clean["email"])
        if existing:
            raise _email_conflict(existing)
        try:
            with transaction.atomic():
                return Customer.objects.create(workspace=workspace, **clean)
        except IntegrityError:
            existing = _email_taken(workspace, clean["email"])
            if existing:
                raise _email_conflict(existing) from None
            raise


def customer_update(*, customer: Customer, data: dict, actor: Tenant | None = None) -> Customer:
    _require_scope(actor, scope_names.CUSTOMERS_WRITE)
    clean = _normalise(data)
    blank = [f for f in ("first_name", "last_name", "email") if f in clean and not clean[f]]
    if blank:
        raise DomainValidationError(
            f"{API_NAMES[blank[0]]}: This field may not be blank.",
            details={API_NAMES[f]: ["This field may not be blank."] for f in blank},
        )
    with transaction.atomic():
        locked = Customer.objects.select_for_update().get(pk=customer.pk)
        if "email" in clean:
            existing = _email_taken(locked.workspace, clean["email"], exclude_pk=locked.pk)
            if existing:
                raise _email_conflict(existing)
        for name, value in clean.items():
            setattr(locked, name, value)
        try:
            with transaction.atomic():
                locked.save()
        except IntegrityError:
            raise ConflictError(
                "A customer with this email already exists.",
                details={"email": ["A customer with this email already exists."]},
            ) from None
        return locked


def lead_create(*, workspace, data: dict, actor: Tenant | None = None) -> Lead:
    """Leads need only some way to reach them: an email or a phone number."""
    _require_scope(actor, scope_names.CUSTOMERS_WRITE)
    clean = _normalise(data)
    if not clean.get("email") and not clean.get("phone"):
        raise DomainValidationError(
            "A lead needs an email or a phone number.",
            details={"email": ["Give an email or a phone number."]},
        )
    return Lead.objects.create(workspace=workspace, **clean)


def lead_update(*, lead: Lead, data: dict, actor: Tenant | None = None) -> Lead:
    _require_scope(actor, scope_names.CUSTOMERS_WRITE)
    clean = _normalise(data)
    with transaction.atomic():
        locked = Lead.objects.select_for_update().get(pk=lead.pk)
        for name, value in clean.items():
            setattr(locked, name, value)
        if not locked.email and not locked.phone:
            raise DomainValidationError(
                "A lead needs an email or a phone number.",
                details={"email": ["Give an email or a phone number."]},
            )
        locked.save()
        return locked


def _customer_for(workspace, person: dict) -> Customer:
    """The workspace's customer with this email, created from `person` if there is none.
    Safe under concurrency: a simultaneous insert of the same email is caught and reused."""
    existing = _email_taken(workspace, person["email"])
    if existing:
        return existing
    fields = {k: person.get(k, "") for k in (*PERSON_FIELDS, *ADDRESS_FIELDS)}
    try:
        with transaction.atomic():
            return Customer.objects.create(workspace=workspace, **fields)
    except IntegrityError:
        existing = _email_taken(workspace, person["email"])
        if existing is None:
            raise
        return existing


# --- enrollments: create ----------------------------------------------------------------------
def _missing_person_fields(values: dict, source: str) -> None:
    missing = [f for f in ("first_name", "last_name", "email") if not values.get(f)]
    if missing:
        names = ", ".join(API_NAMES[f] for f in missing)
        raise DomainValidationError(
            f"{names} required: {source}",
            details={API_NAMES[f]: [f"This field is required ({source})."] for f in missing},
        )


def _not_found_reference(field: str, what: str) -> DomainValidationError:
    # The same answer whether the id is unknown or another workspace's (no existence leak).
    return DomainValidationError(
        f"{API_NAMES[field]}: no {what} with this id in your workspace.",
        details={API_NAMES[field]: [f"No {what} with this id in your workspace."]},
    )


def _identify(workspace, clean: dict) -> dict:
    """Resolve the identification type into the enrollment's customer, lead, previous enrollment
    and the defaults of its person and detail fields. Values given in the request win."""
    kind = clean.get("identification_type")
    if kind not in IdentificationType.values:
        raise DomainValidationError(
            "identificationType is required: one of " + ", ".join(IdentificationType.values) + ".",
            details={
                "identificationType": ["Must be one of " + ", ".join(IdentificationType.values)]
            },
        )
    expected = ID_FIELD_OF_TYPE.get(kind)
    stray = [f for f in ID_FIELD_OF_TYPE.values() if clean.get(f) and f != expected]
    if stray:
        raise DomainValidationError(
            f"{API_NAMES[stray[0]]} is not used with identificationType {kind}.",
            details={API_NAMES[f]: [f"Not used with identificationType {kind}."] for f in stray},
        )
    if expected and not clean.get(expected):
        raise DomainValidationError(
            f"{API_NAMES[expected]} is required when identificationType is {kind}.",
            details={API_NAMES[expected]: [f"Required when identificationType is {kind}."]},
        )
    given = {
        k: v
        for k, v in clean.items()
        if k not in (*ID_FIELD_OF_TYPE.values(), "identification_type")
    }
    defaults: dict[str, Any] = {}
    result: dict[str, Any] = {"lead": None, "previous_enrollment": None}

    if kind == IdentificationType.CUSTOMER_INFO:
        _missing_person_fields(given, "identificationType customerInfo sends the person's details")
        result["customer"] = _customer_for(workspace, given)
    elif kind == IdentificationType.CUSTOMER_ID:
        customer = Customer.objects.for_workspace(workspace).filter(pk=clean["customer_id"]).first()
        if customer is None:
            raise _not_found_reference("customer_id", "customer")
        defaults = {k: getattr(customer, k) for k in (*PERSON_FIELDS, *ADDRESS_FIELDS)}
        result["customer"] = customer
    elif kind == IdentificationType.LEAD_ID:
        lead = (
            Lead.objects.for_workspace(workspace)
            .select_for_update()
            .filter(pk=clean["lead_id"])
            .first()
        )
        if lead is None:
            raise _not_found_reference("lead_id", "lead")
        defaults = {k: getattr(lead, k) for k in (*PERSON_FIELDS, *ADDRESS_FIELDS)}
        merged = {**defaults, **{k: v for k, v in given.items() if v not in (None, "")}}
        _missing_person_fields(merged, "the lead lacks it, so send it with the request")
        customer = (
            Customer.objects.for_workspace(workspace).filter(pk=lead.customer_id).first()
            if lead.customer_id
            else None
        ) or _customer_for(workspace, merged)
        if lead.customer_id != customer.pk:
            lead.customer = customer
            lead.save(update_fields=["customer", "updated_at"])
        result.update(customer=customer, lead=lead)
    else:  # enrollmentId
        source = (
            Enrollment.objects.for_workspace(workspace).filter(pk=clean["enrollment_id"]).first()
        )
        if source is None:
            raise _not_found_reference("enrollment_id", "enrollment")
        defaults = {
            k: getattr(source, k) for k in (*PERSON_FIELDS, *ADDRESS_FIELDS, *DETAIL_FIELDS)
        }
        result.update(customer=source.customer, lead=source.lead, previous_enrollment=source)
    values = {**defaults, **{k: v for k, v in given.items() if v is not None}}
    _missing_person_fields(values, f"identificationType {kind}")
    result["values"] = values
    return result


def _refuse_duplicate(instance, customer: Customer) -> None:
    existing = (
        Enrollment.objects.filter(program_instance=instance, customer=customer)
        .exclude(status__in=CLOSED_STATUSES)
        .first()
    )
    if existing is not None:
        raise ConflictError(
            f"{customer.email} already has an open enrollment in this program instance "
            f"({existing.pk}, {existing.status}).",
            details={"enrollmentId": existing.pk, "status": existing.status},
        )


def enrolled_program_slugs(*, customer: Customer | str, exclude_pk: str | None = None) -> set[str]:
    """Programs the customer takes part in or applied to (for `excludeProgramSlugs`)."""
    queryset = Enrollment.objects.filter(customer=customer, status__in=ENROLLED_STATUSES)
    if exclude_pk:
        queryset = queryset.exclude(pk=exclude_pk)
    return set(queryset.values_list("program_instance__program__slug", flat=True))


def _refuse_excluded_programs(instance, customer: Customer) -> None:
    criteria = instance.eligibility_criteria
    excluded = (
        set(criteria.get("excludeProgramSlugs") or []) if isinstance(criteria, dict) else set()
    )
    if not excluded:
        return
    clash = sorted(enrolled_program_slugs(customer=customer) & excluded)
    if clash:
        raise ConflictError(
            f"{customer.email} is enrolled in {', '.join(clash)}, which this program instance "
            "excludes (eligibilityCriteria.excludeProgramSlugs).",
            details={"excludeProgramSlugs": clash},
        )


def enrollment_create(*, workspace, instance, data: dict, actor: Tenant | None) -> Enrollment:
    """A new `candidate` enrollment of `instance` (which must belong to `workspace`).

    Refused: an instance that is not open (409 with the reason), a customer with an open
    enrollment in the instance (409), a customer enrolled in an excluded program (409), and
    missing or wrong identification (400 naming the field).
    """
    _require_scope(actor, scope_names.ENROLLMENTS_WRITE)
    if instance.workspace_id != workspace.pk:
        raise NotFoundError("No such program instance.")
    _refuse_status_fields(data)
    block = instance.enrollment_block_reason()
    if block:
        raise ConflictError(block, details={"programInstanceId": instance.pk})
    clean = _normalise(data)
    with transaction.atomic():
        identity = _identify(workspace, clean)
        customer = identity["customer"]
        _refuse_duplicate(instance, customer)
        _refuse_excluded_programs(instance, customer)
        values = identity["values"]
        fields = {
            k: values[k] for k in (*PERSON_FIELDS, *ADDRESS_FIELDS, *DETAIL_FIELDS) if k in values
        }
        enrollment = Enrollment(
            workspace=workspace,
            program_instance=instance,
            customer=customer,
            lead=identity["lead"],
            previous_enrollment=identity["previous_enrollment"],
            identification_type=clean["identification_type"],
            **fields,
        )
        try:
            with transaction.atomic():
                enrollment.save(force_insert=True)
        except IntegrityError:
            # A simultaneous request enrolled the same customer first.
            _refuse_duplicate(instance, customer)
            raise
        enrollment_sync_terms(enrollments=[enrollment], replace=False)
        _record(enrollment, "enrollment.created")
    return enrollment


# --- enrollments: update and delete -----------------------------------------------------------
def enrollment_update(*, enrollment: Enrollment, data: dict, actor: Tenant | None) -> Enrollment:
    """Change an enrollment's data (never its status, instance, customer or identification)."""
    _require_scope(actor, scope_names.ENROLLMENTS_WRITE)
    _refuse_status_fields(data)
    clean = _normalise(data)
    unknown = sorted(set(clean) - set(EDITABLE_FIELDS) - set(ADDRESS_FIELDS))
    if unknown:
        raise DomainValidationError(
            f"Cannot change {', '.join(unknown)} of an enrollment.",
            details={API_NAMES.get(n, n): ["Cannot be changed."] for n in unknown},
        )
    blank = [f for f in ("first_name", "last_name", "email") if f in clean and not clean[f]]
    if blank:
        raise DomainValidationError(
            f"{API_NAMES[blank[0]]}: This field may not be blank.",
            details={API_NAMES[f]: ["This field may not be blank."] for f in blank},
        )
    with transaction.atomic():
        locked = _lock(enrollment)
        _refuse_read_only(locked)
        changed = [name for name, value in clean.items() if getattr(locked, name) != value]
        if not changed:
            return locked
        for name in changed:
            setattr(locked, name, clean[name])
        locked.save(update_fields=[*changed, "updated_at"])
        if {"tags", "manufacturer_slugs"} & set(changed):
            enrollment_sync_terms(enrollments=[locked])
        _record(locked, "enrollment.updated")
    return locked


def enrollment_delete(*, enrollment: Enrollment, actor: Tenant | None) -> None:
    """Delete; the status history rows stay (their `enrollment` becomes NULL, the facts remain)."""
    _require_scope(actor, scope_names.ENROLLMENTS_WRITE)
    with transaction.atomic():
        locked = _lock(enrollment)
        _refuse_read_only(locked)
        _record(locked, "enrollment.deleted")
        locked.delete()


# --- enrollments: the lifecycle ---------------------------------------------------------------
def _refusal(enrollment: Enrollment, to: str) -> InvalidTransitionError:
    allowed = enrollment.allowed_transitions
    current = enrollment.status
    if current == EnrollmentStatus.INELIGIBLE and to == EnrollmentStatus.CANDIDATE:
        version = enrollment.program_instance.criteria_version
        message = (
            "An ineligible enrollment goes back to candidate only after the program instance's "
            f"eligibility criteria change (evaluated against version "
            f"{enrollment.evaluated_criteria_version}, current version {version})."
        )
    elif current == to:
        message = f"The enrollment is already {current}."
    else:
        message = f"Cannot move an enrollment from {current} to {to}."
    message += f" Allowed now: {', '.join(allowed)}." if allowed else " No moves are allowed now."
    return InvalidTransitionError(message, details={"allowed": allowed, "from": current, "to": to})


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
        raise _refusal(locked, to)
    method = getattr(locked, Enrollment.TRANSITION_METHODS[to])
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
        raise _refusal(locked, to) from None
    except ConcurrentTransition:
        raise ConflictError(
            "The enrollment's status changed while this request ran; reload and retry."
        ) from None
    EnrollmentStatusChange.objects.create(
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
    _record(locked, "enrollment.status_changed", previous_status=previous)
    return locked


def _check_transition_request(
    *, to: str, actor: Tenant | None, start_date: datetime | None, metadata: Any
) -> None:
    if to not in EnrollmentStatus.values:
        raise DomainValidationError(
            f"to: '{to}' is not a status. Statuses: {', '.join(EnrollmentStatus.values)}.",
            details={"to": [f"Must be one of {', '.join(EnrollmentStatus.values)}."]},
        )
    if start_date is not None and to != EnrollmentStatus.APPROVED:
        raise DomainValidationError(
            "startDate is only used when approving.",
            details={"startDate": ["Only used with to=approved."]},
        )
    if metadata is not None and not isinstance(metadata, dict):
        raise DomainValidationError(
            "metadata must be an object.", details={"metadata": ["Must be an object."]}
        )
    needed = (
        scope_names.ENROLLMENTS_REVIEW if to in REVIEW_TARGETS else scope_names.ENROLLMENTS_WRITE
    )
    _require_scope(actor, needed)


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
    _check_transition_request(to=to, actor=actor, start_date=start_date, metadata=metadata)
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

    An ineligible enrollment whose instance's criteria changed since is first moved back to
    candidate (its own history row), then evaluated. Anything else is a 409.
    """
    from enrollments.selectors import enrollment_eligibility_subject

    _require_scope(actor, scope_names.ENROLLMENTS_WRITE)
    with transaction.atomic():
        locked = _lock(enrollment)
        _refuse_read_only(locked)
        instance = locked.program_instance
        if (
            locked.status == EnrollmentStatus.INELIGIBLE
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
        result = evaluate(
            criteria=instance.eligibility_criteria,
            subject=enrollment_eligibility_subject(enrollment=locked),
        )
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
    return locked, result


# --- bulk -------------------------------------------------------------------------------------
def _bulk(enrollments, action) -> list[BulkResult]:
    """Each row in its own transaction: one refusal never undoes the others."""
    results = []
    for enrollment in enrollments:
        try:
            message = action(enrollment)
            results.append(BulkResult(enrollment.pk, True, message))
        except (
            ConflictError,
            InvalidTransitionError,
            ForbiddenError,
            DomainValidationError,
            NotFoundError,
        ) as exc:
            results.append(BulkResult(enrollment.pk, False, exc.message))
    return results


def enrollment_bulk_transition(
    *, enrollments, to: str, actor: Tenant | None, reason: str = ""
) -> list[BulkResult]:
    """`enrollment_transition` for each enrollment; returns one BulkResult per row."""
    _check_transition_request(to=to, actor=actor, start_date=None, metadata=None)

    def move(enrollment):
        enrollment_transition(enrollment=enrollment, to=to, actor=actor, reason=reason)
        return f"Moved to {to}."

    return _bulk(enrollments, move)


def enrollment_bulk_evaluate(*, enrollments, actor: Tenant | None) -> list[BulkResult]:
    def run(enrollment):
        evaluated, result = enrollment_evaluate(enrollment=enrollment, actor=actor)
        return f"{evaluated.status}: {result.reason}"

    return _bulk(enrollments, run)
