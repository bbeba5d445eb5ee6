"""Per-key rate limits (429 with Retry-After). The rate is `API_THROTTLE_RATE`."""

from rest_framework.throttling import SimpleRateThrottle

from accounts.models import ApiKey


class ApiKeyRateThrottle(SimpleRateThrottle):
    scope = "api_key"

    def get_cache_key(self, request, view):
        if isinstance(request.auth, ApiKey):
            ident = f"key:{request.auth.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"user:{request.user.pk}"
        else:
            ident = f"ip:{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}

    def get_rate(self):
        # Read at request time so operators (and tests) can change it without a re-import.
        from django.conf import settings

        return settings.API_THROTTLE_RATE


class FailedAuthThrottle(SimpleRateThrottle):
    """Failed API-key authentications per client address (`API_AUTH_FAILURE_RATE`).

    Only failures are counted, so a busy integration with a good key is never slowed; once an
    address has failed too often, even its next attempt is refused with 429 before the key is
    looked up, which makes guessing keys (or hammering the database with bad ones) pointless.
    """

    scope = "api_auth_failure"

    def get_rate(self):
        from django.conf import settings

        return settings.API_AUTH_FAILURE_RATE

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}

    def blocked_for(self, request) -> float | None:
        """Seconds to wait if this address is over its failure budget, else None."""
        self.key = self.get_cache_key(request, None)
        self.history = self.cache.get(self.key, [])
        self.now = self.timer()
        while self.history and self.history[-1] <= self.now - self.duration:
            self.history.pop()
        if len(self.history) >= self.num_requests:
            return self.wait()
        return None

    def record_failure(self, request) -> None:
        self.blocked_for(request)
        self.history.insert(0, self.now)
        self.cache.set(self.key, self.history, self.duration)
