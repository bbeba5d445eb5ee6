"""Login lockout, API-key failure limits, Content-Security-Policy and browser security headers.

A topic module of `config/settings/base.py`, which imports every name here and wires the apps
and middleware these need; kept apart so the security settings read as one block. Read from
environment variables only, like the rest of the settings. See docs/security.md.
"""

import datetime as _dt
import os

from django.utils.csp import CSP

from config.env import env_bool, env_list


def https_settings(secure: bool) -> dict:
    """What follows from serving over https (or not): secure cookies, the redirect, HSTS and
    the proxy's header. Base and test settings both derive them from `SECURE_HTTPS` here."""
    return {
        "SESSION_COOKIE_SECURE": secure,
        "CSRF_COOKIE_SECURE": secure,
        "SECURE_SSL_REDIRECT": secure and env_bool("SECURE_SSL_REDIRECT", default=True),
        "SECURE_HSTS_SECONDS": 31536000 if secure else 0,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": secure,
        "SECURE_PROXY_SSL_HEADER": ("HTTP_X_FORWARDED_PROTO", "https") if secure else None,
    }


# --- Login brute force (docs/security.md) -------------------------------------------------------
# django-axes records failed logins in the database (shared by every process) and refuses a
# username, or a client address, after AXES_FAILURE_LIMIT failures, before any password is hashed.
# The lock lifts after AXES_COOLOFF_TIME, or at once with `manage.py axes_reset_username NAME`
# or by deleting the "access attempt" in the admin. base.py adds the app and its middleware.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.BoundedModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = _dt.timedelta(minutes=int(os.environ.get("LOGIN_LOCKOUT_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_HTTP_RESPONSE_CODE = 429
AXES_VERBOSE = False
AXES_ENABLE_ACCESS_FAILURE_LOG = False
# At most this many password hashes run at once in one process; a login that waits longer than
# LOGIN_HASH_WAIT_SECONDS is refused as "busy" instead of piling up CPU work.
LOGIN_HASH_CONCURRENCY = int(os.environ.get("LOGIN_HASH_CONCURRENCY", "2"))
LOGIN_HASH_WAIT_SECONDS = float(os.environ.get("LOGIN_HASH_WAIT_SECONDS", "5"))
# Failed API-key authentications allowed per client address before 429 (per minute).
API_AUTH_FAILURE_RATE = os.environ.get("API_AUTH_FAILURE_RATE", "30/min")

# --- Content-Security-Policy and browser security headers (docs/security.md) ----------------
# No inline script anywhere: scripts come from our origin only (JS lives in static/js/), with a
# per-response nonce available as {{ csp_nonce }} for the rare template that needs one. Inline
# `style=` attributes are tolerated (style-src 'unsafe-inline'); they cannot run code. Nothing may
# frame a page unless that view opts in with django.views.decorators.csp.csp_override (the public
# enrollment page does, see docs/security.md). ReDoc runs its search in a blob: worker.
# base.py adds the CSP and Permissions-Policy middleware and the csp context processor.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "worker-src": [CSP.SELF, "blob:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), "
    "payment=(), usb=()"
)

# --- Webhook secrets at rest (events/secretbox.py, docs/security.md) -----------------------------
# Comma-separated; the first encrypts, all decrypt. Unset: derived from SECRET_KEY (development).
WEBHOOK_SECRET_KEYS = env_list("WEBHOOK_SECRET_KEYS")
