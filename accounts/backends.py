"""Password authentication with a cap on concurrent password hashing.

A password check costs tens of milliseconds of CPU on purpose (PBKDF2). Sixty parallel logins
would otherwise take every core; a per-process semaphore lets LOGIN_HASH_CONCURRENCY checks run
at once and makes the others wait up to LOGIN_HASH_WAIT_SECONDS, then fail like a wrong password
(the login form then asks to try again). Locked-out users and addresses never reach this backend:
django-axes' backend, listed first, refuses them before any hashing.
"""

import threading

from django.conf import settings
from django.contrib.auth.backends import ModelBackend

_lock = threading.Lock()
_gate: threading.BoundedSemaphore | None = None
_gate_size = 0


def hashing_gate() -> threading.BoundedSemaphore:
    """The process's semaphore, rebuilt if the setting changed (tests override it)."""
    global _gate, _gate_size
    size = max(1, settings.LOGIN_HASH_CONCURRENCY)
    with _lock:
        if _gate is None or _gate_size != size:
            _gate, _gate_size = threading.BoundedSemaphore(size), size
        return _gate


class BoundedModelBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        gate = hashing_gate()
        if not gate.acquire(timeout=settings.LOGIN_HASH_WAIT_SECONDS):
            return None
        try:
            return super().authenticate(request, username=username, password=password, **kwargs)
        finally:
            gate.release()
