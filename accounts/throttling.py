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
