"""Invitations: email a candidate or eligible customer a signed link to the public enrollment
page, prefilled; submitting it completes THAT enrollment (see
`selfservice.enrollment_complete_invitation`). The spec's "notification to eligible customers".

Used by the API (`POST /enrollments/{id}/invite`), the dashboard (button and bulk action) and
the import's `notifyEligible` option (`enrollment_invite_many`).
"""

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts import scopes as scope_names
from accounts.tenancy import Tenant
from config.errors import ConflictError, DomainError
from enrollments.models import Enrollment, EnrollmentStatus
from enrollments.services._common import BulkResult, _require_scope

INVITABLE_STATUSES = (EnrollmentStatus.CANDIDATE, EnrollmentStatus.ELIGIBLE)


@dataclass(frozen=True)
class Invitation:
    """An invitation on its way: the address it goes to and when the link stops working."""

    enrollment_id: str
    sent_to: str
    expires_at: datetime


def _check_invitable(enrollment: Enrollment) -> None:
    if enrollment.status not in INVITABLE_STATUSES:
        raise ConflictError(
            f"Only candidate or eligible enrollments can be invited; this one is "
            f"{enrollment.status}.",
            details={"status": enrollment.status, "invitable": list(INVITABLE_STATUSES)},
        )
    if not enrollment.email:
        raise ConflictError(
            "This enrollment has no email address to send the invitation to.",
            details={"email": ["Missing."]},
        )
    block = enrollment.program_instance.enrollment_block_reason()
    if block:
        raise ConflictError(block, details={"program_instance_id": enrollment.program_instance_id})


def _send_later(enrollment: Enrollment) -> datetime:
    """Enqueue the email (with the database task backend, in this transaction: an outbox).
    The worker signs the link, so no bearer token is stored in the task table."""
    from enrollments import tasks
    from events.tasks import enqueue

    enqueue(
        tasks.enrollment_invitation_email,
        enrollment.pk,
        enrollment.language or "en",
        uuid.uuid4().hex,
    )
    return timezone.now() + timedelta(days=settings.ENROLL_INVITE_DAYS)


def enrollment_invite(*, enrollment: Enrollment, actor: Tenant | None) -> Invitation:
    """Email the customer a signed, expiring link to the prefilled page (sent by the worker,
    after commit). 409 unless the enrollment is candidate or eligible and its instance open."""
    _require_scope(actor, scope_names.ENROLLMENTS_WRITE)
    with transaction.atomic():
        row = (
            Enrollment.objects.select_related("program_instance__program")
            .filter(pk=enrollment.pk)
            .first()
        )
        if row is None:
            raise ConflictError("This enrollment no longer exists.")
        _check_invitable(row)
        expires_at = _send_later(row)
    return Invitation(enrollment_id=row.pk, sent_to=row.email, expires_at=expires_at)


def enrollment_invite_many(*, enrollments, actor: Tenant | None) -> list[BulkResult]:
    """`enrollment_invite` for each enrollment; one BulkResult per row (refusals in words).
    Statements: one read for all rows plus one task row per invitation."""
    _require_scope(actor, scope_names.ENROLLMENTS_WRITE)
    ids = list(dict.fromkeys(e.pk for e in enrollments))
    rows = {
        row.pk: row
        for row in Enrollment.objects.select_related("program_instance__program").filter(pk__in=ids)
    }
    results: dict[str, BulkResult] = {}
    with transaction.atomic():
        for pk in ids:
            row = rows.get(pk)
            if row is None:
                results[pk] = BulkResult(pk, False, "This enrollment no longer exists.")
                continue
            try:
                _check_invitable(row)
            except DomainError as error:
                results[pk] = BulkResult(pk, False, error.message)
                continue
            _send_later(row)
            results[pk] = BulkResult(pk, True, f"Invitation sent to {row.email}.")
    return [results[e.pk] for e in enrollments]
