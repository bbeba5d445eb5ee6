"""`/healthz` (liveness) and `/readyz` (readiness) for load balancers and orchestrators.

- `/healthz`: the process answers. No database: a database outage must not make an orchestrator
  restart every healthy web process.
- `/readyz`: this node can do useful work: the database answers, every migration is applied,
  a webhook worker beat recently (`WORKER_HEARTBEAT_MAX_AGE_SECONDS`), and the webhook queue's
  oldest due delivery is younger than `READYZ_MAX_QUEUE_LAG_SECONDS`. 503 with the failing
  checks otherwise. Public (no token): it says only ok/failing per check, no numbers.
"""

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Min
from django.http import JsonResponse
from django.utils import timezone


def healthz(request):
    return JsonResponse({"status": "ok"})


def _database() -> bool:
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT 1")
        return cursor.fetchone()[0] == 1


def _migrations() -> bool:
    # Every migration of the graph, not a plan to the leaves: a plan skips an unapplied
    # migration behind an applied merge migration.
    executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
    applied = set(executor.loader.applied_migrations)
    return all(node in applied for node in executor.loader.graph.nodes)


def _worker() -> bool:
    from events.heartbeat import heartbeat_latest

    beat = heartbeat_latest()
    limit = settings.WORKER_HEARTBEAT_MAX_AGE_SECONDS
    return beat is not None and (timezone.now() - beat).total_seconds() <= limit


def _queue_lag() -> bool:
    from events.models import WebhookDelivery

    now = timezone.now()
    oldest = WebhookDelivery.objects.filter(status="pending", next_attempt_at__lte=now).aggregate(
        oldest=Min("next_attempt_at")
    )["oldest"]
    return oldest is None or (now - oldest).total_seconds() <= settings.READYZ_MAX_QUEUE_LAG_SECONDS


CHECKS = {
    "database": _database,
    "migrations": _migrations,
    "worker": _worker,
    "queueLag": _queue_lag,
}


def readyz(request):
    checks = {}
    for name, check in CHECKS.items():
        try:
            checks[name] = "ok" if check() else "failing"
        except Exception:
            checks[name] = "failing"
        if name == "database" and checks[name] != "ok":
            break  # every other check needs the database
    ready = all(v == "ok" for v in checks.values()) and len(checks) == len(CHECKS)
    status = 200 if ready else 503
    return JsonResponse(
        {"status": "ok" if ready else "unavailable", "checks": checks}, status=status
    )
