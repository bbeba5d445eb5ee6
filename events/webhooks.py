"""Webhook endpoint and delivery services; import them from here (not from events.services).

The API, the dashboard and the admin call these for every endpoint write; each write is
audited in its transaction. Event recording and fan-out stay in `events.services`.
"""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts import scopes as scope_names
from audit.services import audit_object, audit_snapshot
from config.errors import ConflictError, DomainValidationError
from config.versioning import versioned_update
from events import tasks, urlsafety
from events.models import Event, WebhookDelivery, WebhookEndpoint
from events.payloads import test_payload
from events.signing import secret_generate
from events.wakeup import notify_deliveries

logger = logging.getLogger("gridprograms.events")

SECRET_ROTATION_GRACE = timedelta(hours=24)
# What the audit log records of an endpoint (never its secrets).
_AUDITED = ("url", "description", "event_types", "enabled")


def _actor_label(actor) -> str:
    if actor is None:
        return "system"
    return getattr(actor, "actor_label", None) or str(actor)


# --- webhook endpoints -------------------------------------------------------------------------
def webhook_url_check(url: str) -> str:
    """Normalise and vet a receiver URL (see events.urlsafety); DomainValidationError if bad."""
    url = (url or "").strip()
    if len(url) > 2000:
        raise DomainValidationError(
            "The URL is longer than 2000 characters.", details={"url": ["Too long."]}
        )
    try:
        urlsafety.resolve(url)
    except urlsafety.UnsafeUrlError as exc:
        raise DomainValidationError(str(exc), details={"url": [str(exc)]}) from None
    return url


def webhook_event_types_check(event_types) -> list[str]:
    if event_types is None:
        return []
    if not isinstance(event_types, list | tuple) or not all(
        isinstance(t, str) for t in event_types
    ):
        raise DomainValidationError(
            "eventTypes must be a list of event type names.",
            details={"event_types": ["Must be a list of strings."]},
        )
    unknown = [t for t in event_types if t not in Event.Type.values]
    if unknown:
        message = (
            f"Unknown event type(s): {', '.join(unknown)}. "
            f"Known types: {', '.join(Event.Type.values)}."
        )
        raise DomainValidationError(message, details={"event_types": [message]})
    return list(dict.fromkeys(event_types))


@transaction.atomic
def webhook_create(
    *, workspace, url: str, event_types=None, description: str = "", actor=None
) -> tuple[WebhookEndpoint, str]:
    """Register a receiver. Returns the endpoint and its secret (shown to the caller once)."""
    url = webhook_url_check(url)
    types = webhook_event_types_check(event_types)
    secret = secret_generate()
    # Registered by a caller without customers:read: its deliveries carry no personal data.
    has_scope = getattr(actor, "has_scope", None)
    redact = bool(has_scope and not has_scope(scope_names.CUSTOMERS_READ))
    endpoint = WebhookEndpoint.objects.create(
        workspace=workspace,
        url=url,
        event_types=types,
        description=description or "",
        redact_personal_data=redact,
        secret=secret,
    )
    audit_object(endpoint, actor=actor, action="webhookEndpoint.created", fields=_AUDITED)
    return endpoint, secret


@transaction.atomic
def webhook_update(
    *,
    endpoint: WebhookEndpoint,
    url: str | None = None,
    event_types: list[str] | None = None,
    description: str | None = None,
    enabled: bool | None = None,
    actor=None,
) -> WebhookEndpoint:
    """Change what is given (None leaves a field alone). Enabling clears the disabled reason;
    disabling cancels the endpoint's pending deliveries."""
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    before = audit_snapshot(endpoint, _AUDITED)
    if url is not None:
        endpoint.url = webhook_url_check(url)
    if event_types is not None:
        endpoint.event_types = webhook_event_types_check(event_types)
    if description is not None:
        endpoint.description = description
    if enabled is True and not endpoint.enabled:
        endpoint.enabled = True
        endpoint.disabled_reason = ""
        endpoint.disabled_at = None
    endpoint.save()
    if enabled is False and endpoint.enabled:
        endpoint_disable(endpoint=endpoint, reason=f"Disabled by {_actor_label(actor)}.")
    audit_object(
        endpoint, actor=actor, action="webhookEndpoint.updated", fields=_AUDITED, before=before
    )
    return endpoint


@transaction.atomic
def webhook_delete(*, endpoint: WebhookEndpoint, actor=None) -> None:
    """Delete the endpoint with its delivery log; queued tasks for it become no-ops."""
    audit_object(endpoint, actor=actor, action="webhookEndpoint.deleted", fields=_AUDITED)
    endpoint.delete()


@transaction.atomic
def webhook_rotate_secret(*, endpoint: WebhookEndpoint, actor=None) -> tuple[WebhookEndpoint, str]:
    """New secret now; the old one keeps signing alongside it for 24 hours."""
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    new_secret = secret_generate()
    endpoint.previous_secret = endpoint.secret
    endpoint.previous_secret_expires_at = timezone.now() + SECRET_ROTATION_GRACE
    endpoint.secret = new_secret
    endpoint.save(
        update_fields=["secret", "previous_secret", "previous_secret_expires_at", "updated_at"]
    )
    audit_object(endpoint, actor=actor, action="webhookEndpoint.secretRotated")
    return endpoint, new_secret


@transaction.atomic
def webhook_send_test(*, endpoint: WebhookEndpoint, actor=None) -> WebhookDelivery:
    """Queue a `webhook.test` message to the endpoint (sent by the worker, like any other)."""
    if not endpoint.enabled:
        raise ConflictError("The webhook is disabled; enable it before sending a test message.")
    now = timezone.now()
    delivery = WebhookDelivery(
        workspace_id=endpoint.workspace_id,
        endpoint=endpoint,
        event=None,
        event_type="webhook.test",
        next_attempt_at=now,
    )
    delivery.payload = test_payload(
        delivery_id=delivery.pk,
        workspace_id=endpoint.workspace_id,
        endpoint_id=endpoint.pk,
        now=now,
    )
    delivery.save(force_insert=True)
    notify_deliveries()
    audit_object(endpoint, actor=actor, action="webhookEndpoint.testSent")
    return delivery


def endpoint_disable(*, endpoint: WebhookEndpoint, reason: str, notify: bool = False) -> None:
    """Stop sending to the endpoint (its pending deliveries are cancelled). Call inside a
    transaction. With `notify`, the workspace admins get an email from the worker."""
    now = timezone.now()
    versioned_update(  # the endpoint's ETag must change with it
        WebhookEndpoint.objects.filter(pk=endpoint.pk),
        enabled=False,
        disabled_reason=reason[:300],
        disabled_at=now,
        updated_at=now,
    )
    endpoint.enabled, endpoint.disabled_reason, endpoint.disabled_at = False, reason[:300], now
    WebhookDelivery.objects.filter(
        endpoint_id=endpoint.pk, status=WebhookDelivery.Status.PENDING
    ).update(
        status=WebhookDelivery.Status.CANCELLED,
        last_error="The endpoint was disabled.",
        next_attempt_at=None,
        updated_at=now,
    )
    logger.warning("Webhook %s disabled: %s", endpoint.pk, reason)
    if notify and settings.NOTIFICATIONS_ENABLED:
        tasks.enqueue(tasks.webhook_disabled_notify, endpoint.pk)


# --- deliveries --------------------------------------------------------------------------------
@transaction.atomic
def delivery_retry(*, delivery: WebhookDelivery, actor=None) -> WebhookDelivery:
    """Send again now (same webhook-id) and restart the retry schedule."""
    delivery = (
        WebhookDelivery.objects.select_for_update(of=("self",))
        .select_related("endpoint")
        .get(pk=delivery.pk)
    )
    now = timezone.now()
    if not delivery.endpoint.enabled:
        raise ConflictError("The webhook is disabled; enable it before retrying deliveries.")
    if delivery.locked_until and delivery.locked_until > now:
        raise ConflictError("This delivery is being sent right now; retry once it finishes.")
    delivery.status = WebhookDelivery.Status.PENDING
    delivery.attempt_count = 0
    delivery.next_attempt_at = now
    delivery.delivered_at = None
    delivery.save(
        update_fields=["status", "attempt_count", "next_attempt_at", "delivered_at", "updated_at"]
    )
    notify_deliveries()
    audit_object(delivery.endpoint, actor=actor, action="webhookEndpoint.deliveryRetried")
    return delivery


def delivery_requeue_stale(
    *, now: datetime | None = None, grace: timedelta = timedelta(minutes=10), limit: int = 1000
) -> int:
    """Release deliveries overdue by `grace` (an expired lease of a dead worker) and wake the
    workers. The engine claims any due row whose lease ran out by itself, so this is only a
    belt-and-braces sweep (`manage.py webhooks_requeue_stale`); idempotent.
    """
    now = now or timezone.now()
    count = 0
    with transaction.atomic():
        stale = list(
            WebhookDelivery.objects.stale(now)
            .filter(next_attempt_at__lte=now - grace)
            .values_list("pk", flat=True)[:limit]
        )
        if stale:
            WebhookDelivery.objects.filter(pk__in=stale).update(
                next_attempt_at=now, locked_until=None, updated_at=now
            )
            count = len(stale)
            notify_deliveries()
    return count
