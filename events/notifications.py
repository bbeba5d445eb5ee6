"""Email notifications, sent from the worker (see events.tasks), never inside a request.

- Enrollment status changes: the customer hears about submitted / approved / rejected /
  unenrolled; the workspace's owners, admins and operators hear about a new submission awaiting
  review. Each program instance can switch either off in `formConfig`:
  `{"notifications": {"customer": false, "staff": true}}` (both default to on), and the
  `NOTIFICATIONS_ENABLED` setting switches all of them off.
- A webhook endpoint disabled by the worker: the workspace's owners and admins.

Every email has a plain-text and an HTML part (templates/emails/), carrying the program
instance's branding: its name, logo and brand colour (`formConfig.brandColor`).
"""

import logging
import re

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.translation import gettext

from accounts.models import Membership
from config.metrics import emails_sent
from enrollments.transitions import transition_for, transition_to
from events.models import Event, NotificationSent, WebhookEndpoint
from events.services import enrollment_status_of
from instances.formconfig import form_config_notifications
from instances.models import ProgramInstance

logger = logging.getLogger("gridprograms.notifications")

DEFAULT_BRAND_COLOR = "#1f6feb"
_COLOR = re.compile(r"^(#[0-9a-fA-F]{3,8}|[a-zA-Z]{3,20})$")
STAFF_ROLES = (Membership.Role.OWNER, Membership.Role.ADMIN, Membership.Role.OPERATOR)
ADMIN_ROLES = (Membership.Role.OWNER, Membership.Role.ADMIN)


def notification_switches(instance: ProgramInstance | None) -> dict[str, bool]:
    """The instance's `formConfig.notifications` switches (validated on write; default on)."""
    return form_config_notifications(instance.form_config if instance else None)


def branding(instance: ProgramInstance | None) -> dict:
    """Name, logo and a colour that is safe to put in a style attribute.

    `formConfig.brandColor` is validated as a hex colour on write; the regex here guards rows
    written before that validation existed.
    """
    config = (instance.form_config if instance else None) or {}
    color = config.get("brandColor") if isinstance(config, dict) else None
    if not (isinstance(color, str) and _COLOR.match(color.strip())):
        color = DEFAULT_BRAND_COLOR
    return {
        "name": instance.name if instance else "GridPrograms",
        "logo_url": instance.logo_url if instance and instance.logo_url else "",
        "color": color.strip(),
    }


def _claim(*, workspace_id: str, reason: str, kind: str, address: str) -> str | None:
    """Mark (reason, kind, address) as sent; None if it already was (a retried task)."""
    key = f"{reason}:{kind}:{address.strip().lower()}"[:400]
    try:
        with transaction.atomic():
            NotificationSent.objects.create(
                workspace_id=workspace_id, key=key, kind=kind, recipient=address[:254]
            )
    except IntegrityError:
        return None
    return key


def _send(
    *,
    to: list[str],
    subject: str,
    template: str,
    context: dict,
    workspace_id: str,
    reason: str,
    kind: str,
) -> int:
    """Send one message per address (recipients never see each other's), each at most once per
    (reason, kind): the mark is written before sending and removed if sending fails, so a task
    retried after a crash or an SMTP error sends only what is still owed."""
    text = render_to_string(f"emails/{template}.txt", context)
    html = render_to_string(f"emails/{template}.html", context)
    sent = 0
    for address in to:
        key = _claim(workspace_id=workspace_id, reason=reason, kind=kind, address=address)
        if key is None:
            continue
        message = EmailMultiAlternatives(
            subject=subject, body=text, from_email=settings.DEFAULT_FROM_EMAIL, to=[address]
        )
        message.attach_alternative(html, "text/html")
        try:
            sent += message.send()
        except Exception:
            NotificationSent.objects.filter(key=key).delete()
            raise
    emails_sent(template, sent)
    return sent


def _dashboard_url(name: str, *args) -> str:
    try:
        return settings.SITE_URL + reverse(name, args=args)
    except NoReverseMatch:
        return settings.SITE_URL + "/"


def _member_emails(workspace_id: str, roles) -> list[str]:
    emails = (
        Membership.objects.for_workspace(workspace_id)
        .filter(role__in=roles, user__is_active=True)
        .exclude(user__email="")
        .values_list("user__email", flat=True)
    )
    return sorted(set(emails))


def enrollment_status_notifications_send(*, event_id: str) -> int:
    """Send what an `enrollment.status_changed` event calls for; returns the emails sent."""
    if not settings.NOTIFICATIONS_ENABLED:
        return 0
    event = Event.objects.select_related("workspace").filter(pk=event_id).first()
    if event is None or event.type != Event.Type.ENROLLMENT_STATUS_CHANGED:
        return 0
    enrollment = (event.data or {}).get("object") or {}
    status = enrollment_status_of(enrollment)
    previous = (event.data or {}).get("previousStatus")
    # Who is told, with which subject and template: the transition table's row of this move.
    row = transition_for(previous, status) or transition_to(status)
    if row is None:
        return 0
    instance_id = event.program_instance_id or enrollment.get("programInstanceId") or ""
    instance = ProgramInstance.objects.for_workspace(event.workspace_id).filter(pk=instance_id)
    instance = instance.first()
    switches = notification_switches(instance)
    brand = branding(instance)
    context = {
        "brand": brand,
        "enrollment": enrollment,
        "status": status,
        "previous_status": previous,
        "reason": enrollment.get("eligibilityReason")
        or (enrollment.get("eligibility") or {}).get("reason")
        or "",
        "workspace": event.workspace,
        "site_url": settings.SITE_URL,
    }
    sent = 0
    email = enrollment.get("email")
    if switches["customer"] and row.notify_customer and email:
        from enrollments.emails import status_page_url  # the customer's signed status link

        lang = enrollment.get("language") if enrollment.get("language") in ("en", "es") else "en"
        context["status_url"] = status_page_url(enrollment_id=enrollment.get("id", ""), lang=lang)
        with translation.override(lang):  # the customer's language (the enrollment page's)
            sent += _send(
                to=[email],
                # The table's subject, translated (locale/es has every subject of the table).
                subject=gettext(row.customer_subject).format(program=brand["name"]),
                template=row.customer_template,
                context=context,
                workspace_id=event.workspace_id,
                reason=f"event:{event.pk}",
                kind="customer",
            )
    if switches["staff"] and row.notify_staff:
        recipients = _member_emails(event.workspace_id, STAFF_ROLES)
        name = " ".join(
            p for p in (enrollment.get("firstName"), enrollment.get("lastName")) if p
        ) or enrollment.get("email", "A customer")
        context["review_url"] = _dashboard_url(
            "dashboard:enrollment-detail", enrollment.get("id", "")
        )
        sent += _send(
            to=recipients,
            subject=row.staff_subject.format(name=name, program=brand["name"]),
            template=row.staff_template,
            context={**context, "customer_name": name},
            workspace_id=event.workspace_id,
            reason=f"event:{event.pk}",
            kind="staff",
        )
    logger.info("Event %s: %d notification email(s) sent", event_id, sent)
    return sent


def webhook_disabled_notifications_send(*, endpoint_id: str) -> int:
    endpoint = WebhookEndpoint.objects.select_related("workspace").filter(pk=endpoint_id).first()
    if endpoint is None or endpoint.enabled:
        return 0
    context = {
        "brand": branding(None),
        "endpoint": endpoint,
        "workspace": endpoint.workspace,
        "webhooks_url": _dashboard_url("dashboard:webhook-list"),
    }
    return _send(
        to=_member_emails(endpoint.workspace_id, ADMIN_ROLES),
        subject=f"Webhook disabled: {endpoint.url}",
        template="webhook_disabled",
        context=context,
        workspace_id=endpoint.workspace_id,
        # Once per time the endpoint was disabled: disabled again later, it is news again.
        reason=f"webhook:{endpoint.pk}:{endpoint.disabled_at:%Y%m%dT%H%M%S.%f}",
        kind="admins",
    )
