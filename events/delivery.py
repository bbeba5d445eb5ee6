"""One attempt of a webhook delivery, as the worker runs it. At-least-once by construction.

1. **Claim** (short transaction): the delivery must be pending, due and not leased. We set a
   lease (`locked_until`) and, in the same transaction, enqueue a *watchdog*: the same task,
   due when the lease expires. If this worker is killed mid-send, the watchdog (committed with
   the lease) finds the delivery still pending with an expired lease and sends it again. If we
   finish normally the watchdog finds nothing to do.
2. **Send** outside any transaction: resolve and vet the URL again (events.urlsafety), sign with
   every live secret (events.signing), POST with a timeout and without following redirects.
3. **Record** (short transaction): the attempt row; then success, or `410 Gone` (disable the
   endpoint now), or the next retry (`WEBHOOK_RETRY_DELAYS`, with jitter), or give up after the
   last delay (and disable the endpoint unless it has succeeded since this delivery began).

The `webhook-id` is the delivery id: the same on every attempt, manual retries included.
"""

import json
import random
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from events import http, tasks, urlsafety
from events.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from events.payloads import delivery_payload
from events.signing import signed_headers

JITTER = 0.2  # each retry delay is stretched or shrunk by up to 20%


def lease_duration() -> timedelta:
    """Long enough for the slowest honest attempt (timeout per address, plus slack)."""
    return timedelta(seconds=settings.WEBHOOK_TIMEOUT_SECONDS * 3 + 60)


def retry_delay(attempt_count: int) -> timedelta | None:
    """Delay before the attempt after `attempt_count` failures, or None when out of retries."""
    delays = settings.WEBHOOK_RETRY_DELAYS
    if attempt_count > len(delays):
        return None
    base = max(0, delays[attempt_count - 1])
    return timedelta(seconds=base * random.uniform(1 - JITTER, 1 + JITTER))


def _claim(delivery_id: str):
    """Lease the delivery for this worker, or return None if there is nothing to do now."""
    now = timezone.now()
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(of=("self",))
            .select_related("endpoint", "event")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None or delivery.status != WebhookDelivery.Status.PENDING:
            return None
        if delivery.next_attempt_at and delivery.next_attempt_at > now:
            return None  # an early duplicate; the task due at next_attempt_at will send it
        if delivery.locked_until and delivery.locked_until > now:
            return None  # another worker is sending it right now
        if not delivery.endpoint.enabled:
            # Disabled endpoints receive nothing.
            delivery.status = WebhookDelivery.Status.CANCELLED
            delivery.last_error = "The endpoint is disabled."
            delivery.next_attempt_at = None
            delivery.save(update_fields=["status", "last_error", "next_attempt_at", "updated_at"])
            return None
        delivery.locked_until = now + lease_duration()
        delivery.save(update_fields=["locked_until", "updated_at"])
        if tasks.webhook_deliver.get_backend().supports_defer:
            # The watchdog: re-sends if this worker dies before recording the attempt.
            tasks.enqueue(tasks.webhook_deliver, delivery.pk, run_after=delivery.locked_until)
        return delivery


def delivery_attempt(*, delivery_id: str) -> str:
    """Claim, send, record. Returns a short outcome for the task result."""
    delivery = _claim(delivery_id)
    if delivery is None:
        return "skipped"
    endpoint = delivery.endpoint
    body = json.dumps(delivery_payload(delivery), separators=(",", ":"), ensure_ascii=False)
    attempted_at = timezone.now()
    try:
        target = urlsafety.resolve(endpoint.url)
    except urlsafety.UnsafeUrlError as exc:
        result = http.HttpResult(status_code=None, body="", duration_ms=0, error=str(exc))
    else:
        headers = signed_headers(
            msg_id=delivery.pk,
            timestamp=attempted_at,
            body=body,
            secrets_in_use=endpoint.signing_secrets(attempted_at),
        )
        result = http.post(target, body.encode(), headers, settings.WEBHOOK_TIMEOUT_SECONDS)
    return _record(delivery_id=delivery.pk, attempted_at=attempted_at, result=result)


def _error_for(result: http.HttpResult) -> str:
    if result.error:
        return result.error
    code = result.status_code
    if code is not None and 300 <= code < 400:
        return f"The receiver answered {code}; redirects are not followed."
    if code is not None and not 200 <= code < 300:
        return f"The receiver answered {code}."
    return ""


def _record(*, delivery_id: str, attempted_at, result: http.HttpResult) -> str:
    from events.services import endpoint_disable

    now = timezone.now()
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(of=("self",))
            .select_related("endpoint")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None:
            return "deleted"  # the endpoint was deleted while we were sending
        succeeded = result.status_code is not None and 200 <= result.status_code < 300
        error = _error_for(result)
        WebhookAttempt.objects.create(
            delivery=delivery,
            attempted_at=attempted_at,
            status_code=result.status_code,
            duration_ms=result.duration_ms,
            error=error[:500],
            response_body=result.body[: WebhookAttempt.RESPONSE_BODY_LIMIT],
            succeeded=succeeded,
        )
        delivery.attempt_count += 1
        delivery.last_attempt_at = attempted_at
        delivery.last_status_code = result.status_code
        delivery.last_error = error[:500]
        delivery.locked_until = None
        endpoint = delivery.endpoint
        if succeeded:
            outcome = "succeeded"
            delivery.status = WebhookDelivery.Status.SUCCEEDED
            delivery.delivered_at = now
            delivery.next_attempt_at = None
            WebhookEndpoint.objects.filter(pk=endpoint.pk).update(last_success_at=now)
        elif result.status_code == 410:
            outcome = "gone"
            delivery.status = WebhookDelivery.Status.FAILED
            delivery.next_attempt_at = None
            delivery.save()
            endpoint_disable(
                endpoint=endpoint,
                reason="The receiver answered 410 Gone: it asked not to be called again.",
                notify=True,
            )
            return outcome
        elif (delay := retry_delay(delivery.attempt_count)) is not None:
            outcome = "retrying"
            delivery.next_attempt_at = now + delay
            tasks.enqueue(tasks.webhook_deliver, delivery.pk, run_after=delivery.next_attempt_at)
        else:
            outcome = "failed"
            delivery.status = WebhookDelivery.Status.FAILED
            delivery.next_attempt_at = None
            delivery.save()
            healthy_since = endpoint.last_success_at and endpoint.last_success_at > (
                delivery.created_at
            )
            if not healthy_since and endpoint.enabled:
                endpoint_disable(
                    endpoint=endpoint,
                    reason=(
                        f"Every attempt failed for {len(settings.WEBHOOK_RETRY_DELAYS) + 1} "
                        f"tries since {delivery.created_at:%Y-%m-%d %H:%M} UTC "
                        f"(last error: {error})"
                    ),
                    notify=True,
                )
            return outcome
        delivery.save()
        return outcome
