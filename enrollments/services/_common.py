"""Shared pieces of the enrollments services: normalisation, scope checks, row locks, the
events' payload and the tag/manufacturer index rows."""

from dataclasses import dataclass

from django.utils import timezone

from accounts.tenancy import Tenant
from config.bulk_insert import insert_rows
from config.errors import (
    ConflictError,
    DomainValidationError,
    ForbiddenError,
    NotFoundError,
)
from enrollments.inputs.spec import FIELDS as INPUT_FIELDS
from enrollments.models import (
    Enrollment,
    EnrollmentTerm,
    IdentificationType,
)
from enrollments.payloads import enrollment_payload
from events.services import event_record
from instances.terms import terms_current

ID_FIELD_OF_TYPE = {
    IdentificationType.CUSTOMER_ID: "customer_id",
    IdentificationType.LEAD_ID: "lead_id",
    IdentificationType.ENROLLMENT_ID: "enrollment_id",
}
# Words for people in messages (details name the fields in snake_case; the API camelizes them,
# the dashboard puts them next to its form fields of the same names).
LABELS = {
    **{spec.name: spec.label for spec in INPUT_FIELDS},
    "customer_id": "Customer",
    "lead_id": "Lead",
    "enrollment_id": "Previous enrollment",
    "identification_type": "Identification type",
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


def _refuse_status_fields(data: dict) -> None:
    given = [name for name in STATUS_FIELDS if name in data]
    if given:
        raise DomainValidationError(
            "The status cannot be set here; use POST /api/v1/enrollments/{id}/transitions "
            '(e.g. {"to": "submitted"}) or /evaluate.',
            details={n: ["Read-only: change it with the transitions endpoint."] for n in given},
        )


def _payload(enrollment: Enrollment) -> dict:
    """The enrollment as the API returns it (the events' `data.object`): the domain's payload."""
    return enrollment_payload(enrollment)


def _payloads(enrollments: list[Enrollment]) -> list[dict]:
    """`_payload` of many enrollments (the bulk paths)."""
    return [enrollment_payload(enrollment) for enrollment in enrollments]


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
            .select_related("program_instance__program", "workspace")
            .get(pk=enrollment.pk)
        )
    except Enrollment.DoesNotExist:
        raise NotFoundError("This enrollment no longer exists.") from None


def _consent_evidence_for(instance, consent: dict | None) -> dict | None:
    """Consent as stored: what the caller saw happen (when, from where) plus what the server
    knows for sure (the instance's current terms version and the SHA-256 of its text)."""
    if consent is None:
        return None
    if not isinstance(consent, dict):
        raise DomainValidationError(
            "consent must be an object {acceptedAt, ipAddress, userAgent}.",
            details={"consent": ["Must be an object."]},
        )
    accepted_at = consent.get("accepted_at") or timezone.now()
    terms = terms_current(instance=instance)
    return {
        "termsVersion": terms.version if terms else None,
        "termsSha256": terms.sha256 if terms else None,
        "acceptedAt": accepted_at.isoformat() if hasattr(accepted_at, "isoformat") else accepted_at,
        "ipAddress": consent.get("ip_address") or None,
        "userAgent": (consent.get("user_agent") or "")[:500] or None,
    }


def _refuse_read_only(enrollment: Enrollment) -> None:
    instance = enrollment.program_instance
    if instance.is_read_only:
        raise ConflictError(
            f"The program instance '{instance.name}' is archived and read-only; "
            "reactivate it to change its enrollments.",
            details={"program_instance_id": instance.pk},
        )


def enrollment_sync_terms(*, enrollments: list[Enrollment], replace: bool = True) -> None:
    """Write the tag / manufacturer index rows of these enrollments (bulk SQL)."""
    if replace:
        EnrollmentTerm.objects.filter(enrollment__in=[e.pk for e in enrollments]).delete()
    rows = []
    for enrollment in enrollments:
        for kind, values in (
            (EnrollmentTerm.Kind.TAG, enrollment.tags),
            (EnrollmentTerm.Kind.MANUFACTURER, enrollment.manufacturer_slugs),
        ):
            rows += [
                {"enrollment_id": enrollment.pk, "kind": kind, "value": value}
                for value in values or []
            ]
    insert_rows(EnrollmentTerm, rows, ignore_conflicts=True)
