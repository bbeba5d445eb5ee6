"""Enrollments: create (the four identification types and the rules that protect data),
update and delete."""

from typing import Any

from django.db import IntegrityError, transaction

from accounts import scopes as scope_names
from accounts.tenancy import Tenant
from config.errors import (
    DomainValidationError,
    NotFoundError,
)
from enrollments.inputs.spec import (
    ADDRESS_FIELDS,
    DETAIL_FIELDS,
    EDITABLE_FIELDS,
    PERSON_FIELDS,
    REQUIRED_PERSON_FIELDS,
    clean_input,
    missing_person_fields,
)
from enrollments.models import (
    Customer,
    Enrollment,
    EnrollmentSource,
    IdentificationType,
    Lead,
)
from enrollments.services._common import (
    ID_FIELD_OF_TYPE,
    LABELS,
    _consent_evidence_for,
    _lock,
    _record,
    _refuse_read_only,
    _refuse_status_fields,
    _require_scope,
    enrollment_sync_terms,
)
from enrollments.services.lifecycle import enrollment_evaluate
from enrollments.services.people import customer_for_person
from enrollments.services.rules import (
    enrolled_program_slugs_many,
    enrollment_rules_check,
    refusal_after_conflict,
)
from instances.formconfig import LANGUAGES


# --- enrollments: create ----------------------------------------------------------------------
def require_person_fields(values: dict, source: str) -> None:
    """Every enrollment names its person (given, or filled from the customer, lead or previous
    enrollment): a 400 naming each missing field."""
    missing = missing_person_fields(values)
    if missing:
        names = ", ".join(str(LABELS[f]) for f in missing)
        raise DomainValidationError(
            f"{names} required: {source}",
            details={f: [f"This field is required ({source})."] for f in missing},
        )


def _not_found_reference(field: str, what: str) -> DomainValidationError:
    # The same answer whether the id is unknown or another workspace's (no existence leak).
    return DomainValidationError(
        f"{LABELS[field]}: no {what} with this id in your workspace.",
        details={field: [f"No {what} with this id in your workspace."]},
    )


def _identify(workspace, clean: dict) -> dict:
    """Resolve the identification type into the enrollment's customer, lead, previous enrollment
    and the defaults of its person and detail fields. Values given in the request win."""
    kind = clean.get("identification_type")
    if kind not in IdentificationType.values:
        raise DomainValidationError(
            "identificationType is required: one of " + ", ".join(IdentificationType.values) + ".",
            details={
                "identification_type": ["Must be one of " + ", ".join(IdentificationType.values)]
            },
        )
    expected = ID_FIELD_OF_TYPE.get(kind)
    stray = [f for f in ID_FIELD_OF_TYPE.values() if clean.get(f) and f != expected]
    if stray:
        raise DomainValidationError(
            f"{LABELS[stray[0]]} is not used with identificationType {kind}.",
            details={f: [f"Not used with identificationType {kind}."] for f in stray},
        )
    if expected and not clean.get(expected):
        raise DomainValidationError(
            f"{LABELS[expected]} is required when identificationType is {kind}.",
            details={expected: [f"Required when identificationType is {kind}."]},
        )
    given = {
        k: v
        for k, v in clean.items()
        if k not in (*ID_FIELD_OF_TYPE.values(), "identification_type")
    }
    defaults: dict[str, Any] = {}
    result: dict[str, Any] = {"lead": None, "previous_enrollment": None}

    if kind == IdentificationType.CUSTOMER_INFO:
        require_person_fields(given, "identificationType customerInfo sends the person's details")
        result["customer"] = customer_for_person(workspace, given)
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
        require_person_fields(merged, "the lead lacks it, so send it with the request")
        customer = (
            Customer.objects.for_workspace(workspace).filter(pk=lead.customer_id).first()
            if lead.customer_id
            else None
        ) or customer_for_person(workspace, merged)
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
    require_person_fields(values, f"identificationType {kind}")
    result["values"] = values
    return result


def enrolled_program_slugs(*, customer: Customer | str, exclude_pk: str | None = None) -> set[str]:
    """Program and instance slugs the customer takes part in or applied to (submitted or
    approved), for `excludeProgramSlugs` (the eligibility dry run and the public page)."""
    customer_id = customer if isinstance(customer, str) else customer.pk
    slugs = enrolled_program_slugs_many(
        customer_ids=[customer_id], exclude_pks=[exclude_pk] if exclude_pk else []
    )
    return slugs.get(customer_id, set())


def enrollment_create(*, workspace, instance, data: dict, actor: Tenant | None) -> Enrollment:
    """A new `candidate` enrollment of `instance` (which must belong to `workspace`).

    `data["source"]` is the door (api, form, dashboard, import; default api),
    `data["consent"]` ({accepted_at, ip_address, user_agent}) the customer's acceptance of the
    instance's current terms, whose version and hash the server fills in, and
    `data["language"]` (en, es) the language of the customer's emails.

    Refused: an instance that is not open (409 with the reason), a customer with an open
    enrollment in the instance (409), a customer enrolled in an excluded program (409), a
    device serial number another customer enrolled in the instance (409,
    `details.enrollment_id`), and missing or wrong identification (400 naming the field).
    With the instance's `auto_evaluate` on, the new enrollment is evaluated at once
    (`enrollment_evaluate`, in the same transaction).
    """
    _require_scope(actor, scope_names.ENROLLMENTS_WRITE)
    if instance.workspace_id != workspace.pk:
        raise NotFoundError("No such program instance.")
    _refuse_status_fields(data)
    data = dict(data)
    source = data.pop("source", None) or EnrollmentSource.API
    if source not in EnrollmentSource.values:
        raise DomainValidationError(
            f"source must be one of {', '.join(EnrollmentSource.values)}.",
            details={"source": [f"Must be one of {', '.join(EnrollmentSource.values)}."]},
        )
    consent = _consent_evidence_for(instance, data.pop("consent", None))
    language = data.pop("language", None) or "en"
    if language not in LANGUAGES:
        raise DomainValidationError(
            f"language must be one of {', '.join(LANGUAGES)}.",
            details={"language": [f"Must be one of {', '.join(LANGUAGES)}."]},
        )
    clean = clean_input(data)
    with transaction.atomic():
        identity = _identify(workspace, clean)
        customer = identity["customer"]
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
            source=source,
            consent=consent,
            language=language,
            **fields,
        )
        refusal = enrollment_rules_check(instance=instance, enrollments=[enrollment]).get(
            enrollment.pk
        )
        if refusal is not None:
            raise refusal
        _save_or_refuse(enrollment, force_insert=True)
        enrollment_sync_terms(enrollments=[enrollment], replace=False)
        _record(enrollment, "enrollment.created", actor=actor)
        if instance.auto_evaluate:
            # The instance's automated evaluation: the same service as POST /evaluate.
            enrollment, _ = enrollment_evaluate(enrollment=enrollment, actor=actor)
    return enrollment


def _save_or_refuse(enrollment: Enrollment, **save_kwargs) -> None:
    """Save; a unique violation (a simultaneous writer enrolled the same customer or device
    first) becomes the rules check's own answer, the 409 naming the enrollment that won."""
    try:
        with transaction.atomic():
            enrollment.save(**save_kwargs)
    except IntegrityError:
        refusal = refusal_after_conflict(enrollment.program_instance, enrollment)
        if refusal is None:
            raise
        raise refusal from None


# --- enrollments: update and delete -----------------------------------------------------------
def enrollment_update(*, enrollment: Enrollment, data: dict, actor: Tenant | None) -> Enrollment:
    """Change an enrollment's data (never its status, instance, customer or identification)."""
    _require_scope(actor, scope_names.ENROLLMENTS_WRITE)
    _refuse_status_fields(data)
    clean = clean_input(data)
    unknown = sorted(set(clean) - set(EDITABLE_FIELDS) - set(ADDRESS_FIELDS))
    if unknown:
        raise DomainValidationError(
            f"Cannot change {', '.join(unknown)} of an enrollment.",
            details={n: ["Cannot be changed."] for n in unknown},
        )
    blank = [f for f in REQUIRED_PERSON_FIELDS if f in clean and not clean[f]]
    if blank:
        raise DomainValidationError(
            f"{LABELS[blank[0]]}: this field may not be blank.",
            details={f: ["This field may not be blank."] for f in blank},
        )
    with transaction.atomic():
        locked = _lock(enrollment)
        _refuse_read_only(locked)
        changed = [name for name, value in clean.items() if getattr(locked, name) != value]
        if not changed:
            return locked
        for name in changed:
            setattr(locked, name, clean[name])
        if "serial_number" in changed:
            refusal = enrollment_rules_check(
                instance=locked.program_instance, enrollments=[locked]
            ).get(locked.pk)
            if refusal is not None:
                raise refusal
        _save_or_refuse(locked, update_fields=[*changed, "updated_at"])
        if {"tags", "manufacturer_slugs"} & set(changed):
            enrollment_sync_terms(enrollments=[locked])
        _record(locked, "enrollment.updated", actor=actor)
    return locked


def enrollment_delete(*, enrollment: Enrollment, actor: Tenant | None) -> None:
    """Delete; the status history rows stay (their `enrollment` becomes NULL, the facts remain)."""
    _require_scope(actor, scope_names.ENROLLMENTS_WRITE)
    with transaction.atomic():
        locked = _lock(enrollment)
        _refuse_read_only(locked)
        _record(locked, "enrollment.deleted", actor=actor)
        locked.delete()
