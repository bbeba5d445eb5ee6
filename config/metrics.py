"""Prometheus metrics (prometheus-client), served at `/metrics` behind `METRICS_TOKEN`.

Two kinds, because web and worker are separate processes:

- **Counters and histograms** counted where things happen (request latency by route in
  `MetricsMiddleware`, webhook results in the delivery engine, emails in events.notifications).
  With several processes on a host (`make serve`: gunicorn workers, webhook workers, db_worker),
  set `PROMETHEUS_MULTIPROC_DIR` to one empty directory for all of them: each process writes
  its samples there and `/metrics` adds them up (prometheus-client's multiprocess mode).
- **Gauges read from the database at scrape time** (`DatabaseCollector`): the webhook queue's
  depth and age, the task queue's, worker heartbeat age, and imports when the import model
  exists. These are true for the whole cluster whichever web node is scraped, and use indexed
  queries only (cheap at any table size).
"""

import os
import time

from django.conf import settings
from django.db.models import Count, Min
from django.http import HttpResponse, HttpResponseNotFound
from django.utils import timezone
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily

REQUEST_LATENCY = Histogram(
    "gridprograms_http_request_duration_seconds",
    "Time to answer a request, by route pattern, method and status class.",
    ["route", "method", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
WEBHOOK_DELIVERIES = Counter(
    "gridprograms_webhook_deliveries",
    "Webhook delivery attempts recorded, by result (succeeded, retrying, failed, gone).",
    ["result"],
)
EMAILS = Counter("gridprograms_emails_sent", "Emails handed to the mail backend.", ["template"])


def deliveries_recorded(results) -> None:
    for result in results:
        WEBHOOK_DELIVERIES.labels(result=result).inc()


def emails_sent(template: str, count: int) -> None:
    if count:
        EMAILS.labels(template=template).inc(count)


class MetricsMiddleware:
    """Request latency by route pattern (`/api/v1/enrollments/<str:id>`), never by raw path,
    so the label set stays small."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        route = (match.route or match.view_name) if match else "unmatched"
        route = route.removesuffix("$").removesuffix("/?").replace("^", "")  # DRF's regexes
        REQUEST_LATENCY.labels(
            route=route[:100], method=request.method, status=f"{response.status_code // 100}xx"
        ).observe(time.perf_counter() - started)
        return response


class DatabaseCollector:
    """Cluster-wide gauges computed from the database at scrape time."""

    def describe(self):
        return []  # registering must not query the database (it may not exist yet)

    def collect(self):
        from django_tasks_db.models import DBTaskResult

        from events.heartbeat import heartbeat_latest
        from events.models import WebhookDelivery

        now = timezone.now()
        due = WebhookDelivery.objects.filter(status="pending", next_attempt_at__lte=now)
        stats = due.aggregate(n=Count("pk"), oldest=Min("next_attempt_at"))
        yield GaugeMetricFamily(
            "gridprograms_webhook_queue_depth", "Deliveries due now, not yet sent.", stats["n"]
        )
        yield GaugeMetricFamily(
            "gridprograms_webhook_queue_age_seconds",
            "How long the oldest due delivery has waited (0 when none).",
            (now - stats["oldest"]).total_seconds() if stats["oldest"] else 0,
        )
        ready = DBTaskResult.objects.ready().aggregate(n=Count("pk"), oldest=Min("enqueued_at"))
        yield GaugeMetricFamily(
            "gridprograms_task_queue_depth", "Background tasks ready to run.", ready["n"]
        )
        yield GaugeMetricFamily(
            "gridprograms_task_queue_age_seconds",
            "How long the oldest ready task has waited (0 when none).",
            (now - ready["oldest"]).total_seconds() if ready["oldest"] else 0,
        )
        beat = heartbeat_latest()
        yield GaugeMetricFamily(
            "gridprograms_webhook_worker_heartbeat_age_seconds",
            "Seconds since a webhook worker last beat (-1: never).",
            (now - beat).total_seconds() if beat else -1,
        )
        yield from _imports_gauge()


def _imports_gauge():
    """Imports by status, over the model named by `IMPORTS_METRIC_MODEL` ("app.Model" with a
    `status` field) when that model exists; the hook for the import feature (docs/deployment.md)."""
    from django.apps import apps

    label = getattr(settings, "IMPORTS_METRIC_MODEL", "")
    try:
        model = apps.get_model(label) if label else None
    except (LookupError, ValueError):
        model = None
    if model is None:
        return
    gauge = GaugeMetricFamily("gridprograms_imports", "Imports by status.", labels=["status"])
    for row in model.objects.values("status").annotate(n=Count("pk")).order_by():
        gauge.add_metric([str(row["status"])], row["n"])
    yield gauge


_DB_COLLECTOR = DatabaseCollector()
REGISTRY.register(_DB_COLLECTOR)


def registry():
    """The default registry, or a multiprocess view of every process on this host."""
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return REGISTRY
    from prometheus_client import multiprocess

    merged = CollectorRegistry()
    multiprocess.MultiProcessCollector(merged)
    merged.register(_DB_COLLECTOR)
    return merged


def metrics_view(request):
    """`GET /metrics` with `Authorization: Bearer <METRICS_TOKEN>`; 404 when no token is set
    (metrics off), 401 for a wrong token, so the endpoint never leaks by default."""
    import hmac

    token = settings.METRICS_TOKEN
    if not token:
        return HttpResponseNotFound("Metrics are off: set METRICS_TOKEN to enable them.")
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if not hmac.compare_digest(given.encode(), token.encode()):
        response = HttpResponse("A valid metrics token is required.", status=401)
        response["WWW-Authenticate"] = "Bearer"
        return response
    return HttpResponse(generate_latest(registry()), content_type=CONTENT_TYPE_LATEST)
