"""Webhook delivery attempts, in batches, as the delivery engine (events.engine) runs them.

At-least-once by construction; the `WebhookDelivery` row is the outbox, no task row is needed:

1. **Claim** (one short transaction per batch): due, pending deliveries whose lease is free,
   locked with `FOR UPDATE SKIP LOCKED` on PostgreSQL (two workers never claim the same row and
   never wait on each other; on SQLite the IMMEDIATE transaction serialises claims), then
   leased (`locked_until`). The lease is the watchdog: if the worker dies mid-send, the row
   simply becomes claimable again when the lease runs out and is sent again (same id).
2. **Send** outside any transaction, concurrently (engine): resolve and vet the URL again
   (events.urlsafety), sign with every live secret (events.signing), POST with a timeout,
   without following redirects, on a keep-alive connection to the vetted address (events.http).
3. **Record** (one short transaction per batch): the attempt rows in one INSERT, the deliveries
   in one UPDATE; then per outcome: success, `410 Gone` (disable the endpoint now), the next
   retry (`WEBHOOK_RETRY_DELAYS`, with jitter: the row's `next_attempt_at`), or give up after
   the last delay (and disable the endpoint unless it has succeeded since this delivery began).

The `webhook-id` is the delivery id: the same on every attempt, manual retries included.
"""

import json
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from events import http, urlsafety
from events.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from events.payloads import delivery_payload
from events.signing import signed_headers
from events.webhooks import endpoint_disable

JITTER = 0.2  # each retry delay is stretched or shrunk by up to 20%


def lease_duration() -> timedelta:
    """Long enough for the slowest honest attempt (timeout per address, plus slack)."""
    configured = getattr(settings, "WEBHOOK_LEASE_SECONDS", None)
    if configured:
        return timedelta(seconds=configured)
    return timedelta(seconds=settings.WEBHOOK_TIMEOUT_SECONDS * 3 + 60)


def retry_delay(attempt_count: int) -> timedelta | None:
    """Delay before the attempt after `attempt_count` failures, or None when out of retries."""
    delays = settings.WEBHOOK_RETRY_DELAYS
    if attempt_count > len(delays):
        return None
    base = max(0, delays[attempt_count - 1])
    return timedelta(seconds=base * random.uniform(1 - JITTER, 1 + JITTER))


@dataclass
class Outcome:
    """What one send produced, for `record_batch`."""

    delivery: WebhookDelivery
    attempted_at: datetime
    result: http.HttpResult


def due_queryset(now: datetime):
    """Pending deliveries that may be attempted now (their lease, if any, has run out)."""
    return WebhookDelivery.objects.filter(
        Q(locked_until__isnull=True) | Q(locked_until__lte=now),
        status=WebhookDelivery.Status.PENDING,
        next_attempt_at__lte=now,
    )


def claim_batch(
    *,
    limit: int,
    exclude_endpoints=(),
    per_endpoint: dict[str, int] | None = None,
    default_per_endpoint: int | None = None,
    delivery_ids=None,
) -> list[WebhookDelivery]:
    """Lease up to `limit` due deliveries, oldest due first, and return them.

    `exclude_endpoints` are skipped (full or circuit open); `per_endpoint` caps how many may be
    taken for an endpoint in this batch (rows over a cap are left unleased for a later claim).
    Deliveries of a disabled endpoint are cancelled instead of claimed.
    """
    now = timezone.now()
    candidates = due_queryset(now).exclude(endpoint_id__in=list(exclude_endpoints))
    if delivery_ids is not None:
        candidates = candidates.filter(pk__in=list(delivery_ids))
    candidates = candidates.order_by("next_attempt_at")
    if connection.features.has_select_for_update_skip_locked:
        candidates = candidates.select_for_update(skip_locked=True, of=("self",))
    capped = per_endpoint or default_per_endpoint
    with transaction.atomic():
        # Lock ids only (no model instances for rows we may leave), then load what we took.
        rows = list(
            candidates.values_list("pk", "endpoint_id", "endpoint__enabled")[
                : limit * 2 if capped else limit
            ]
        )
        taken, cancelled, counts = [], [], {}
        for pk, endpoint_id, enabled in rows:
            if not enabled:
                cancelled.append(pk)
                continue
            cap = (per_endpoint or {}).get(endpoint_id, default_per_endpoint)
            used = counts.get(endpoint_id, 0)
            if (cap is not None and used >= cap) or len(taken) >= limit:
                continue
            counts[endpoint_id] = used + 1
            taken.append(pk)
        if cancelled:
            WebhookDelivery.objects.filter(pk__in=cancelled).update(
                status=WebhookDelivery.Status.CANCELLED,
                last_error="The endpoint is disabled.",
                next_attempt_at=None,
                updated_at=now,
            )
        if not taken:
            return []
        locked_until = now + lease_duration()
        WebhookDelivery.objects.filter(pk__in=taken).update(
            locked_until=locked_until, updated_at=now
        )
    order = {pk: i for i, pk in enumerate(taken)}
    claimed = list(WebhookDelivery.objects.filter(pk__in=taken).select_related("endpoint", "event"))
    return sorted(claimed, key=lambda d: order[d.pk])


def release(deliveries: list[WebhookDelivery]) -> None:
    """Give claimed deliveries back unsent (their endpoint's circuit opened): no attempt is
    counted; they are due again at once for whoever may send them."""
    WebhookDelivery.objects.filter(pk__in=[d.pk for d in deliveries]).update(
        locked_until=None, updated_at=timezone.now()
    )


def resolve_endpoint(endpoint: WebhookEndpoint):
    """Vet the endpoint's URL now: a `Target`, or the `UnsafeUrlError` to record."""
    try:
        return urlsafety.resolve(endpoint.url)
    except urlsafety.UnsafeUrlError as exc:
        return exc


def send(delivery: WebhookDelivery, target, pool: http.ConnectionPool | None = None) -> Outcome:
    """Sign and POST one delivery to an already vetted `target` (thread-safe, no database)."""
    endpoint = delivery.endpoint
    attempted_at = timezone.now()
    if isinstance(target, Exception):
        result = http.HttpResult(status_code=None, body="", duration_ms=0, error=str(target))
        return Outcome(delivery, attempted_at, result)
    body = json.dumps(delivery_payload(delivery), separators=(",", ":"), ensure_ascii=False)
    headers = signed_headers(
        msg_id=delivery.pk,
        timestamp=attempted_at,
        body=body,
        secrets_in_use=endpoint.signing_secrets(attempted_at),
    )
    result = http.post(target, body.encode(), headers, settings.WEBHOOK_TIMEOUT_SECONDS, pool)
    return Outcome(delivery, attempted_at, result)


def delivery_attempt(*, delivery_id: str) -> str:
    """Claim, send, record one delivery now (the `webhook_deliver` task; manual use)."""
    claimed = claim_batch(limit=1, delivery_ids=[delivery_id])
    if not claimed:
        return "skipped"
    delivery = claimed[0]
    outcome = send(delivery, resolve_endpoint(delivery.endpoint))
    return record_batch([outcome]).get(delivery_id, "deleted")


def succeeded(result: http.HttpResult) -> bool:
    return result.status_code is not None and 200 <= result.status_code < 300


def _error_for(result: http.HttpResult) -> str:
    if result.error:
        return result.error
    code = result.status_code
    if code is not None and 300 <= code < 400:
        return f"The receiver answered {code}; redirects are not followed."
    if code is not None and not 200 <= code < 300:
        return f"The receiver answered {code}."
    return ""


UPDATED_FIELDS = [
    "status",
    "attempt_count",
    "last_attempt_at",
    "last_status_code",
    "last_error",
    "locked_until",
    "delivered_at",
    "next_attempt_at",
    "updated_at",
]


def record_batch(outcomes: list[Outcome]) -> dict[str, str]:
    """Write the attempts and the deliveries' new state for a batch, in one transaction.

    Returns {delivery id: outcome} with outcome one of succeeded, retrying, failed, gone
    (deliveries deleted meanwhile, with their endpoint, are left out).
    """
    if not outcomes:
        return {}
    now = timezone.now()
    results: dict[str, str] = {}
    with transaction.atomic():
        # Deliveries deleted with their endpoint while we were sending are skipped.
        alive = set(
            WebhookDelivery.objects.filter(pk__in=[o.delivery.pk for o in outcomes]).values_list(
                "pk", flat=True
            )
        )
        attempts, changed, succeeded_endpoints, to_disable = [], [], set(), []
        for outcome in outcomes:
            delivery, result = outcome.delivery, outcome.result
            if delivery.pk not in alive:
                continue
            ok = succeeded(result)
            error = _error_for(result)[:500]
            attempts.append(
                WebhookAttempt(
                    delivery_id=delivery.pk,
                    attempted_at=outcome.attempted_at,
                    status_code=result.status_code,
                    duration_ms=result.duration_ms,
                    error=error,
                    response_body=result.body[: WebhookAttempt.RESPONSE_BODY_LIMIT],
                    succeeded=ok,
                )
            )
            delivery.attempt_count += 1
            delivery.last_attempt_at = outcome.attempted_at
            delivery.last_status_code = result.status_code
            delivery.last_error = error
            delivery.locked_until = None
            delivery.updated_at = now
            if ok:
                results[delivery.pk] = "succeeded"
                delivery.status = WebhookDelivery.Status.SUCCEEDED
                delivery.delivered_at = now
                delivery.next_attempt_at = None
                succeeded_endpoints.add(delivery.endpoint_id)
            elif result.status_code == 410:
                results[delivery.pk] = "gone"
                delivery.status = WebhookDelivery.Status.FAILED
                delivery.next_attempt_at = None
                reason = "The receiver answered 410 Gone: it asked not to be called again."
                to_disable.append((delivery, reason))
            elif (delay := retry_delay(delivery.attempt_count)) is not None:
                results[delivery.pk] = "retrying"
                delivery.next_attempt_at = now + delay
            else:
                results[delivery.pk] = "failed"
                delivery.status = WebhookDelivery.Status.FAILED
                delivery.next_attempt_at = None
                to_disable.append((delivery, _give_up_reason(delivery, error)))
            changed.append(delivery)
        WebhookAttempt.objects.bulk_create(attempts)
        _update_many(changed)
        if succeeded_endpoints:
            WebhookEndpoint.objects.filter(pk__in=succeeded_endpoints).update(last_success_at=now)
        for delivery, reason in to_disable:
            endpoint = WebhookEndpoint.objects.select_for_update().get(pk=delivery.endpoint_id)
            if not endpoint.enabled:
                continue
            if (
                results[delivery.pk] == "failed"
                and endpoint.last_success_at
                and (endpoint.last_success_at > delivery.created_at)
            ):
                continue  # it has worked since this delivery began: keep the endpoint
            endpoint_disable(endpoint=endpoint, reason=reason, notify=True)
    return results


def _update_many(deliveries: list[WebhookDelivery]) -> None:
    """One parameterised UPDATE run for many rows (`executemany`: pipelined by psycopg), much
    cheaper than `bulk_update`'s CASE expressions, which cost more Python time than the send."""
    if not deliveries:
        return
    meta = WebhookDelivery._meta
    fields = [meta.get_field(name) for name in UPDATED_FIELDS]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(f.column)} = %s" for f in fields)
    sql = f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {quote(meta.pk.column)} = %s"
    rows = [
        [f.get_db_prep_save(getattr(d, f.attname), connection) for f in fields] + [d.pk]
        for d in deliveries
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _give_up_reason(delivery: WebhookDelivery, error: str) -> str:
    return (
        f"Every attempt failed for {len(settings.WEBHOOK_RETRY_DELAYS) + 1} "
        f"tries since {delivery.created_at:%Y-%m-%d %H:%M} UTC (last error: {error})"
    )
