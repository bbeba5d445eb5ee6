"""Read replicas for the heavy reads: lists and exports (docs/scale-out.md).

With `DATABASE_REPLICA_URL` set, `GET` requests to the routes named in `REPLICA_READ_ROUTES`
(the enrollment and event lists and the CSV export) read from the `replica` alias; everything
else, and every write, uses the primary. Only whole list/export requests are routed, never
reads inside a write, so read-your-own-writes holds everywhere it matters: a replica that lags
by a second shows a list a second old, which a list already is by the time it is read.

`ReplicaRouter` reads a context variable set by `ReplicaReadsMiddleware.process_view`, so no
view changes for this; turn it off with `REPLICA_READS=0`.
"""

import contextlib
import contextvars

from django.conf import settings
from django.db import connections

_use_replica: contextvars.ContextVar[bool] = contextvars.ContextVar("use_replica", default=False)

REPLICA = "replica"


def replica_enabled() -> bool:
    return settings.REPLICA_READS and REPLICA in connections.settings


@contextlib.contextmanager
def reading_from_replica():
    """Route this block's reads to the replica (if one is configured)."""
    token = _use_replica.set(replica_enabled())
    try:
        yield
    finally:
        _use_replica.reset(token)


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        return REPLICA if _use_replica.get() else None

    def db_for_write(self, model, **hints):
        return None  # the primary

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the same data, whichever copy it was read from

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db != REPLICA  # the replica gets its schema from the primary


class ReplicaReadsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = getattr(request, "_replica_token", None)
        try:
            return self.get_response(request)
        finally:
            token = getattr(request, "_replica_token", token)
            if token is not None:
                _use_replica.reset(token)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if (
            request.method == "GET"
            and match is not None
            and match.view_name in settings.REPLICA_READ_ROUTES
            and replica_enabled()
        ):
            request._replica_token = _use_replica.set(True)
        return None
