"""Customers and leads: create and update, and the customer an enrollment resolves to."""

from django.db import IntegrityError, transaction

from accounts import scopes as scope_names
from accounts.tenancy import Tenant
from config.errors import (
    ConflictError,
    DomainValidationError,
)
from enrollments.inputs.spec import ADDRESS_FIELDS, PERSON_FIELDS, clean_input
from enrollments.models import (
    Customer,
    Lead,
)
from enrollments.services._common import LABELS, _require_scope


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
            "customer_id": existing.pk,
        },
    )


def customer_create(*, workspace, data: dict, actor: Tenant | None = None) -> Customer:
    """Create a customer; its email (stored lower-cased) is unique in the workspace (409)."""
    _require_scope(actor, scope_names.CUSTOMERS_WRITE)
    clean = clean_input(data)
    missing = [f for f in ("first_name", "last_name", "email") if not clean.get(f)]
    if missing:
        raise DomainValidationError(
            f"{LABELS[missing[0]]}: this field is required.",
            details={f: ["This field is required."] for f in missing},
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
    clean = clean_input(data)
    blank = [f for f in ("first_name", "last_name", "email") if f in clean and not clean[f]]
    if blank:
        raise DomainValidationError(
            f"{LABELS[blank[0]]}: this field may not be blank.",
            details={f: ["This field may not be blank."] for f in blank},
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
    clean = clean_input(data)
    if not clean.get("email") and not clean.get("phone"):
        raise DomainValidationError(
            "A lead needs an email or a phone number.",
            details={"email": ["Give an email or a phone number."]},
        )
    return Lead.objects.create(workspace=workspace, **clean)


def lead_update(*, lead: Lead, data: dict, actor: Tenant | None = None) -> Lead:
    _require_scope(actor, scope_names.CUSTOMERS_WRITE)
    clean = clean_input(data)
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


def customer_for_person(workspace, person: dict) -> Customer:
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
