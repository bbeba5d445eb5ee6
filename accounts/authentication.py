"""DRF authentication: API keys (`Authorization: Bearer` or `X-Api-Key`) and dashboard sessions."""

from rest_framework import authentication, exceptions

from accounts.services import api_key_authenticate
from accounts.throttling import FailedAuthThrottle


class ApiKeyPrincipal:
    """What `request.user` is for a key: authenticated, but not a person and never staff."""

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_staff = False
    is_superuser = False

    def __init__(self, api_key):
        self.api_key = api_key
        self.pk = None
        self.id = None

    def __str__(self) -> str:
        return f"API key {self.api_key.prefix}"

    def get_username(self) -> str:
        return str(self)


class ApiKeyAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        raw = request.headers.get("X-Api-Key", "").strip()
        if not raw:
            header = request.headers.get("Authorization", "")
            scheme, _, value = header.partition(" ")
            if not header:
                return None
            if scheme.lower() != "bearer" or not value.strip():
                raise exceptions.AuthenticationFailed(
                    "Use 'Authorization: Bearer <key>' or the 'X-Api-Key' header."
                )
            raw = value.strip()
        throttle = FailedAuthThrottle()
        wait = throttle.blocked_for(request)
        if wait is not None:
            raise exceptions.Throttled(wait=wait)
        api_key = api_key_authenticate(raw_key=raw)
        if api_key is None:
            throttle.record_failure(request)
            raise exceptions.AuthenticationFailed("The API key is invalid, revoked or expired.")
        return ApiKeyPrincipal(api_key), api_key

    def authenticate_header(self, request):
        return 'Bearer realm="api"'


class DashboardSessionAuthentication(authentication.SessionAuthentication):
    """A signed-in dashboard user calling the API from the browser (CSRF enforced)."""
