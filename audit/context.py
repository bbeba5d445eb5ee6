"""The request's IP address, for the audit log, without every door passing it by hand.

Why a context variable and not a parameter: the services are called from the API, the
dashboard, the admin, the public page and commands, some through several layers (a bulk action,
a form's save). Threading `ip_address=` through each call would touch every door and every
intermediate function, and a door that forgot it would record nothing, silently. The middleware
sets the variable for the duration of one request (and resets it afterwards, so a worker
thread never sees a previous request's address); `audit_record` reads it when the caller gives
no `ip_address`. Outside a request (jobs, commands) it is None, which is the truth.

The address is `REMOTE_ADDR`, the connection's peer (behind a reverse proxy: the proxy's, see
docs/deployment.md); `X-Forwarded-For` is not trusted, since any client can send it.
"""

from contextvars import ContextVar

_ip_address: ContextVar[str | None] = ContextVar("audit_ip_address", default=None)


def current_ip_address() -> str | None:
    return _ip_address.get()


class AuditContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _ip_address.set(request.META.get("REMOTE_ADDR") or None)
        try:
            return self.get_response(request)
        finally:
            _ip_address.reset(token)
