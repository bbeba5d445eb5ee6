"""Signed links for customers (no login): the status page and invitations.

`django.core.signing` with a per-purpose salt: the token carries only the enrollment id and is
unguessable without SECRET_KEY; `max_age` makes it expire. A status token cannot be used as an
invitation and vice versa (different salts).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.utils import timezone

STATUS_SALT = "gridprograms.enroll.status"
INVITE_SALT = "gridprograms.enroll.invite"


@dataclass(frozen=True)
class SignedLink:
    token: str
    expires_at: datetime


def _max_age(purpose: str) -> timedelta:
    days = settings.ENROLL_INVITE_DAYS if purpose == INVITE_SALT else settings.ENROLL_STATUS_DAYS
    return timedelta(days=days)


def _make(enrollment_id: str, salt: str) -> SignedLink:
    token = signing.dumps({"e": enrollment_id}, salt=salt, compress=True)
    return SignedLink(token=token, expires_at=timezone.now() + _max_age(salt))


def _read(token: str, salt: str) -> str | None:
    """The enrollment id, or None when the token is forged, damaged or expired."""
    try:
        data = signing.loads(token, salt=salt, max_age=_max_age(salt))
    except signing.BadSignature:  # includes SignatureExpired
        return None
    return data.get("e") if isinstance(data, dict) and isinstance(data.get("e"), str) else None


def status_token_make(*, enrollment_id: str) -> SignedLink:
    return _make(enrollment_id, STATUS_SALT)


def status_token_read(*, token: str) -> str | None:
    return _read(token, STATUS_SALT)


def invite_token_make(*, enrollment_id: str) -> SignedLink:
    return _make(enrollment_id, INVITE_SALT)


def invite_token_read(*, token: str) -> str | None:
    return _read(token, INVITE_SALT)
