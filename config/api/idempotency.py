"""`Idempotency-Key` for every POST under /api/v1 (Stripe's contract; docs/api.md).

A middleware, not a view mixin, so that every POST route (present and future, viewset or not)
gets it without opting in. It runs after authentication middleware, identifies the caller from
the API key header (its SHA-256, the same hash the key table stores) or the session user, and:

1. inserts `IdempotencyRecord(owner, key)` in its own committed statement BEFORE the view runs:
   the unique constraint is the lock, so a concurrent retry in any process is a 409
   `IDEMPOTENCY_KEY_IN_USE` and never a second execution;
2. lets the request run, then stores its status, headers that matter and body, or deletes the
   row when the response is a 5xx or was refused before anything ran (401/403/429 and 400
   validation errors: the caller fixes the request and may retry with the same key);
3. on a retry with the same key: the same fingerprint (method, path, JSON body) replays the
   stored response with `Idempotent-Replayed: true`; another fingerprint is 422
   `IDEMPOTENCY_KEY_REUSED`.

While the view runs, `config.request_context.current_idempotency_key()` returns the key, so
that the rows a request creates record it (`idempotency_key` on enrollments, leads,
customers and events).
"""

import hashlib
import json
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpResponse, JsonResponse
from django.utils import timezone

from config.api.errors import error_body
from config.request_context import idempotency_key_var

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
MAX_LENGTH = 255
# Responses to replay carry these headers of the first response (the others are per request).
KEPT_HEADERS = ("Content-Type", "Location", "ETag", "Link")
# Refused before anything ran: not stored, so the same key can be used once the caller fixed it.
NOT_STORED = {400, 401, 403, 429}


def ttl() -> timedelta:
    return timedelta(seconds=settings.IDEMPOTENCY_KEY_TTL_SECONDS)


def _error(status: int, code: str, message: str, details=None) -> JsonResponse:
    return JsonResponse(error_body(code, message, details), status=status)


def valid_key(value: str) -> bool:
    """1-255 printable ASCII characters (space to tilde)."""
    return 0 < len(value) <= MAX_LENGTH and all(" " <= ch <= "~" for ch in value)


def caller_owner(request) -> str | None:
    """Whose key space this request uses: its API key (hashed) or its signed-in user."""
    from accounts.services import hash_key

    raw = request.headers.get("X-Api-Key", "").strip()
    if not raw:
        scheme, _, value = request.headers.get("Authorization", "").partition(" ")
        raw = value.strip() if scheme.lower() == "bearer" else ""
    if raw:
        return f"key:{hash_key(raw)}"
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return None


def fingerprint(request) -> str:
    """Method, path with query and the body; a JSON body is compared by value (key order and
    whitespace do not matter), anything else byte for byte."""
    body = request.body
    try:
        canonical = json.dumps(json.loads(body), sort_keys=True, separators=(",", ":")).encode()
    except ValueError:
        canonical = body
    digest = hashlib.sha256()
    for part in (request.method.encode(), request.get_full_path().encode(), canonical):
        digest.update(hashlib.sha256(part).digest())
    return digest.hexdigest()


def _replay(record) -> HttpResponse:
    response = HttpResponse(bytes(record.body), status=record.status_code)
    for name, value in record.headers.items():
        response[name] = value
    response[REPLAYED_HEADER] = "true"
    return response


class IdempotencyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        key = request.headers.get(HEADER)
        if key is None or request.method != "POST" or not request.path.startswith("/api/v1/"):
            return self.get_response(request)
        if not valid_key(key):
            return _error(
                400,
                "VALIDATION_ERROR",
                f"The {HEADER} header must be 1 to {MAX_LENGTH} printable ASCII characters.",
                {HEADER: ["1 to 255 printable ASCII characters."]},
            )
        owner = caller_owner(request)
        if owner is None:
            return self.get_response(request)  # unauthenticated: the view answers 401
        try:
            print_ = fingerprint(request)
        except Exception:  # body unreadable (too large): let the view give its own error
            return self.get_response(request)
        record, answer = _claim(owner=owner, key=key, fingerprint=print_)
        if answer is not None:
            return answer
        token = idempotency_key_var.set(key)
        response = None
        try:
            response = self.get_response(request)
        finally:
            idempotency_key_var.reset(token)
            _finish(record, response)
        return response


def _claim(*, owner: str, key: str, fingerprint: str):
    """Insert the record (the lock) or answer from the existing one: (record, None) means the
    caller owns the key now and runs the request; (None, response) answers without running."""
    from accounts.models import IdempotencyRecord

    for _attempt in range(3):
        now = timezone.now()
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    owner=owner,
                    key=key,
                    fingerprint=fingerprint,
                    locked_at=now,
                    created_at=now,
                    expires_at=now + ttl(),
                )
            _maybe_schedule_prune()
            return record, None
        except IntegrityError:
            pass
        existing = IdempotencyRecord.objects.filter(owner=owner, key=key).first()
        if existing is None:
            continue  # released or pruned meanwhile: try to take it again
        if existing.expires_at <= now:
            IdempotencyRecord.objects.filter(pk=existing.pk, expires_at__lte=now).delete()
            continue
        if existing.fingerprint != fingerprint:
            return None, _error(
                422,
                "IDEMPOTENCY_KEY_REUSED",
                f"This {HEADER} was already used with a different request (method, path or "
                "body). Use a new key for a new request.",
                {HEADER: key},
            )
        if existing.status_code is None:
            stale = now - timedelta(seconds=settings.IDEMPOTENCY_LOCK_SECONDS)
            if existing.locked_at is not None and existing.locked_at < stale:
                # The first request's process died: take the key over (compare and set).
                taken = IdempotencyRecord.objects.filter(
                    pk=existing.pk, locked_at=existing.locked_at, status_code__isnull=True
                ).update(locked_at=now, expires_at=now + ttl())
                if taken:
                    existing.locked_at = now
                    return existing, None
            return None, _error(
                409,
                "IDEMPOTENCY_KEY_IN_USE",
                f"A request with this {HEADER} is still running. Retry after it has finished.",
                {HEADER: key},
            )
        return None, _replay(existing)
    return None, _error(
        409,
        "IDEMPOTENCY_KEY_IN_USE",
        f"A request with this {HEADER} is being processed. Retry in a moment.",
        {HEADER: key},
    )


def _finish(record, response) -> None:
    """Keep the response for replays, or release the key (5xx, refused, or streamed)."""
    from accounts.models import IdempotencyRecord

    rows = IdempotencyRecord.objects.filter(pk=record.pk)
    if (
        response is None
        or response.status_code >= 500
        or response.status_code in NOT_STORED
        or response.streaming
    ):
        rows.delete()
        return
    headers = {name: response[name] for name in KEPT_HEADERS if response.has_header(name)}
    rows.update(
        status_code=response.status_code,
        headers=headers,
        body=bytes(response.content),
        locked_at=None,
    )


def _maybe_schedule_prune() -> None:
    """Ask the worker to delete expired records, at most once an hour per cache."""
    from django.core.cache import cache

    if cache.add("idempotency:prune-scheduled", 1, timeout=3600):
        from accounts.tasks import idempotency_records_prune
        from events.tasks import enqueue

        enqueue(idempotency_records_prune)


def idempotency_records_prune(*, now=None) -> int:
    """Delete the expired records; returns how many. Called by the worker's task and by
    `manage.py prune_idempotency_keys`."""
    from accounts.models import IdempotencyRecord

    deleted, _ = IdempotencyRecord.objects.filter(expires_at__lte=now or timezone.now()).delete()
    return deleted
