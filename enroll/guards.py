"""Abuse guards of the public pages: a per-IP rate limit on POST (Django's cache, so several
app servers share it when CACHE_URL points at Redis) and a body size limit."""

import time

from django.conf import settings
from django.core.cache import cache


def client_ip(request) -> str:
    """REMOTE_ADDR: set by the server, not by the client (put the app behind a proxy that
    sets it, e.g. gunicorn's forwarded-allow-ips, rather than trusting X-Forwarded-For)."""
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def rate_limited(request) -> int:
    """0 if this POST may go on, else the seconds to wait (the POST is counted either way).
    A fixed one-minute window per client IP: `ENROLL_RATE_LIMIT_PER_MINUTE` POSTs."""
    limit = settings.ENROLL_RATE_LIMIT_PER_MINUTE
    window = int(time.time() // 60)
    key = f"enroll:rate:{client_ip(request)}:{window}"
    cache.add(key, 0, timeout=70)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=70)
        count = 1
    if count > limit:
        return 60 - int(time.time() % 60) or 1
    return 0


def body_too_large(request) -> bool:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return True
    return length > settings.ENROLL_MAX_BODY_BYTES
