"""The self-enrollment door's customer emails (invitation, status link), branded like the
status notifications (events.notifications) and in the customer's language."""

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from enrollments.models import Enrollment
from enrollments.tokens import invite_token_make, status_token_make
from events.notifications import _send, branding


def status_page_url(*, enrollment_id: str, lang: str = "en") -> str:
    """A fresh signed link to the customer's status page (absolute, from SITE_URL)."""
    link = status_token_make(enrollment_id=enrollment_id)
    path = reverse("enroll:status", kwargs={"token": link.token})
    return f"{settings.SITE_URL}{path}" + (f"?lang={lang}" if lang != "en" else "")


def _enrollment(enrollment_id: str) -> Enrollment | None:
    return (
        Enrollment.objects.select_related("program_instance")
        .filter(pk=enrollment_id)
        .exclude(email="")
        .first()
    )


def _once(enrollment, what: str, send_key: str) -> dict:
    """The at-most-once mark of `_send` (events.notifications), per request to send: a task
    retried after a crash sends nothing more; asking again sends a new email."""
    key = send_key or timezone.now().strftime("%Y%m%d%H%M")
    return {
        "workspace_id": enrollment.workspace_id,
        "reason": f"{what}:{enrollment.pk}:{key}",
        "kind": "customer",
    }


def invitation_email_send(*, enrollment_id: str, lang: str = "en", send_key: str = "") -> int:
    enrollment = _enrollment(enrollment_id)
    if enrollment is None or not settings.NOTIFICATIONS_ENABLED:
        return 0
    instance = enrollment.program_instance
    link = invite_token_make(enrollment_id=enrollment.pk)
    path = reverse("enroll:page", kwargs={"slug": instance.slug})
    url = f"{settings.SITE_URL}{path}?invite={link.token}" + (
        f"&lang={lang}" if lang != "en" else ""
    )
    with translation.override(lang):
        brand = branding(instance)
        return _send(
            to=[enrollment.email],
            subject=_("You are invited to enroll in %(program)s") % {"program": brand["name"]},
            template="enrollment_invitation",
            **_once(enrollment, "invite", send_key),
            context={
                "brand": brand,
                "first_name": enrollment.first_name,
                "url": url,
                "expires_at": link.expires_at,
            },
        )


def status_link_email_send(*, enrollment_id: str, lang: str = "en", send_key: str = "") -> int:
    enrollment = _enrollment(enrollment_id)
    if enrollment is None or not settings.NOTIFICATIONS_ENABLED:
        return 0
    with translation.override(lang):
        brand = branding(enrollment.program_instance)
        return _send(
            to=[enrollment.email],
            subject=_("Your enrollment in %(program)s") % {"program": brand["name"]},
            template="enrollment_status_link",
            **_once(enrollment, "status-link", send_key),
            context={
                "brand": brand,
                "first_name": enrollment.first_name,
                "url": status_page_url(enrollment_id=enrollment.pk, lang=lang),
            },
        )
