"""Reads of the public door. There is no workspace here: what may be seen is decided by the
platform-unique instance slug in the URL, or by a link signed with SECRET_KEY (its enrollment
id), and each read is then scoped to that object's own workspace."""

from enrollments.models import Enrollment
from enrollments.selectors import enrollment_history
from enrollments.statuses import CLOSED_STATUSES
from enrollments.tokens import invite_token_read, status_token_read
from instances.models import ProgramInstance


def instance_get_public(*, slug: str) -> ProgramInstance | None:
    return (
        ProgramInstance.objects.select_related("program", "workspace")
        .filter(slug=slug[:120])
        .first()
    )


def _enrollment(enrollment_id: str | None) -> Enrollment | None:
    if not enrollment_id:
        return None
    return (
        Enrollment.objects.select_related("program_instance__program", "workspace")
        .filter(pk=enrollment_id)
        .first()
    )


def enrollment_by_status_token(*, token: str) -> Enrollment | None:
    """The enrollment a status link names (None: forged, damaged, expired or deleted)."""
    return _enrollment(status_token_read(token=token))


def enrollment_by_invite_token(*, token: str, instance: ProgramInstance) -> Enrollment | None:
    """The invited enrollment, only on its own instance's page."""
    enrollment = _enrollment(invite_token_read(token=token))
    if enrollment is None or enrollment.program_instance_id != instance.pk:
        return None
    return enrollment


def enrollment_for_email(*, instance: ProgramInstance, email: str) -> Enrollment | None:
    """The customer's enrollment in this instance for "send me my link": the open one, else
    the latest."""
    rows = Enrollment.objects.for_workspace(instance.workspace).filter(
        program_instance=instance, email=(email or "").strip().lower()
    )
    return (
        rows.exclude(status__in=CLOSED_STATUSES).order_by("-created_at").first()
        or rows.order_by("-created_at").first()
    )


def enrollment_public_history(*, enrollment: Enrollment):
    return list(enrollment_history(enrollment=enrollment).order_by("created_at"))
