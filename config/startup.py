"""Checks the web server entry points run before serving a single request."""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def require_secret_key() -> None:
    """Refuse to serve without a SECRET_KEY (sessions, CSRF and password resets sign with it).
    Settings leave it empty when unset and DEBUG is off, so that commands which sign nothing
    still run on a fresh checkout; serving is where it becomes mandatory."""
    try:
        key = settings.SECRET_KEY
    except ImproperlyConfigured:
        key = ""
    if not key:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off (export SECRET_KEY=..., see README.md)."
        )
