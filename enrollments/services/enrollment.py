"""Enrollments: create (the four identification types and the rules that protect data),
update and delete."""

from typing import Any

from django.db import IntegrityError, transaction

from accounts import scopes as scope_names
from accounts.tenancy import Tenant
from config.errors import (
    ConflictError,
    DomainValidationError,
    NotFoundError,
)
from enrollments.models import (
    CLOSED_STATUSES,
    ENROLLED_STATUSES,
    Customer,
    Enrollment,
    EnrollmentSource,
    IdentificationType,
    Lead,
)
from enrollments.services._common import (
    ADDRESS_FIELDS,
    DETAIL_FIELDS,
    EDITABLE_FIELDS,
    ID_FIELD_OF_TYPE,
    LABELS,
    PERSON_FIELDS,
    _consent_evidence_for,
    _lock,
    _normalise,
    _record,
    _refuse_read_only,
    _refuse_status_fields,
    _require_scope,
    enrollment_sync_terms,
)
from enrollments.services.lifecycle import enrollment_evaluate
from enrollments.services.people import _customer_for
from instances.formconfig import LANGUAGES


# --- enrollments: create ----------------------------------------------------------------------
def _missing_person_fields(values: dict, source: str) -> None:
    missing = [f for f in ("first_name", "last_name", "email") if not values.get(f)]
    if missing:
        names = ", ".join(LABELS[f] for f in missing)
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
            details={"enrollment_id": existing.pk, "status": existing.status},
        )


def _refuse_serial_taken(instance, customer_id, serial: str, *, exclude_pk=None) -> None:
    """One device (serial number) is enrolled once per instance: another customer's open
    enrollment of the same serial (any case) is a 409 naming it."""
    serial = (serial or "").strip()
    if not serial:
        return
    others = (
        Enrollment.objects.filter(program_instance=instance, serial_number__iexact=serial)
        .exclude(customer_id=customer_id)
        .exclude(status__in=CLOSED_STATUSES)
    )
    if exclude_pk:
        others = others.exclude(pk=exclude_pk)
    other = others.values_list("pk", flat=True).first()
    if other is not None:
        raise ConflictError(
            f"The device with serial number {serial} is already enrolled in this program "
            "instance by another customer.",
            details={"enrollment_id": other, "serial_number": serial},
        )


def enrolled_program_slugs(*, customer: Customer | str, exclude_pk: str | None = None) -> set[str]:
    """Program and instance slugs the customer takes part in or applied to (submitted or
    approved), for `excludeProgramSlugs`, which may name either (as the eligibility dry run of
    instances.selectors does)."""
    queryset = Enrollment.objects.filter(customer=customer, status__in=ENROLLED_STATUSES)
    if exclude_pk:
        queryset = queryset.exclude(pk=exclude_pk)
    rows = queryset.values_list("program_instance__program__slug", "program_instance__slug")
    return {slug for pair in rows.distinct() for slug in pair}


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
            details={"exclude_program_slugs": clash},
        )


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
    block = instance.enrollment_block_reason()
    if block:
        raise ConflictError(block, details={"program_instance_id": instance.pk})
    clean = _normalise(data)
    with transaction.atomic():
        identity = _identify(workspace, clean)
        customer = identity["customer"]
        _refuse_duplicate(instance, customer)
        _refuse_excluded_programs(instance, customer)
        values = identity["values"]
        _refuse_serial_taken(instance, customer.pk, values.get("serial_number"))
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
        try:
            with transaction.atomic():
                enrollment.save(force_insert=True)
        except IntegrityError:
            # A simultaneous request enrolled the same customer first.
            _refuse_duplicate(instance, customer)
            raise
        enrollment_sync_terms(enrollments=[enrollment], replace=False)
        _record(enrollment, "enrollment.created", actor=actor)
        if instance.auto_evaluate:
            # The instance's automated evaluation: the same service as POST /evaluate.
            enrollment, _ = enrollment_evaluate(enrollment=enrollment, actor=actor)
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
            details={n: ["Cannot be changed."] for n in unknown},
        )
    blank = [f for f in ("first_name", "last_name", "email") if f in clean and not clean[f]]
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
        if "serial_number" in changed:
            _refuse_serial_taken(
                locked.program_instance,
                locked.customer_id,
                clean["serial_number"],
                exclude_pk=locked.pk,
            )
        for name in changed:
            setattr(locked, name, clean[name])
        locked.save(update_fields=[*changed, "updated_at"])
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
