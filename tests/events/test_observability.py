"""Operators' view of a running system: liveness, readiness, Prometheus metrics behind a token,
and one request id from the web request to the worker's log lines."""

import json
import logging
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from config.logs import logging_config
from events.heartbeat import heartbeat_beat
from events.models import WebhookDelivery, WorkerHeartbeat
from tests.events.conftest import record_event
from tests.factories import MembershipFactory, ProgramInstanceFactory, UserFactory


@pytest.fixture
def client():
    return Client()


def test_healthz_answers_without_the_database(client, db, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_readyz_is_ready_with_a_live_worker_and_no_backlog(client, db):
    heartbeat_beat(name="webhook_worker")
    response = client.get("/readyz")
    assert response.status_code == 200, response.json()
    assert response.json()["checks"] == {
        "database": "ok",
        "migrations": "ok",
        "worker": "ok",
        "queueLag": "ok",
    }


def test_readyz_fails_without_a_recent_worker_heartbeat(client, db, settings):
    settings.WORKER_HEARTBEAT_MAX_AGE_SECONDS = 60
    response = client.get("/readyz")
    assert response.status_code == 503 and response.json()["checks"]["worker"] == "failing"
    WorkerHeartbeat.objects.create(
        name="webhook_worker@old:1", beat_at=timezone.now() - timedelta(minutes=5)
    )
    assert client.get("/readyz").json()["checks"]["worker"] == "failing"


def test_readyz_fails_when_the_webhook_queue_lags(client, workspace, make_endpoint, settings):
    settings.READYZ_MAX_QUEUE_LAG_SECONDS = 300
    heartbeat_beat(name="webhook_worker")
    make_endpoint("http://127.0.0.1:9/hook")
    record_event(workspace)
    assert client.get("/readyz").status_code == 200  # due just now: no lag
    WebhookDelivery.objects.update(next_attempt_at=timezone.now() - timedelta(minutes=10))
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"] == {
        "database": "ok",
        "migrations": "ok",
        "worker": "ok",
        "queueLag": "failing",
    }


def test_readyz_fails_when_a_migration_is_not_applied(client, db):
    from django.db.migrations.recorder import MigrationRecorder

    heartbeat_beat(name="webhook_worker")
    assert client.get("/readyz").status_code == 200
    MigrationRecorder.Migration.objects.filter(app="events", name="0003_worker_heartbeat").delete()
    response = client.get("/readyz")
    assert response.status_code == 503 and response.json()["checks"]["migrations"] == "failing"


def test_metrics_are_off_without_a_token_and_refuse_a_wrong_one(client, db, settings):
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics").status_code == 404
    settings.METRICS_TOKEN = "s3cret-metrics-token"
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 401


def _metrics(client) -> dict[str, float]:
    response = client.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-metrics-token")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    samples = {}
    for line in response.content.decode().splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.rpartition(" ")
            samples[name] = float(value)
    return samples


def test_metrics_show_queue_depth_and_age_deliveries_emails_and_request_latency(
    client, api, workspace, httpserver, make_endpoint, run_worker, settings
):
    settings.METRICS_TOKEN = "s3cret-metrics-token"
    httpserver.expect_request("/hook").respond_with_data("ok")
    make_endpoint(httpserver.url_for("/hook"))
    before = _metrics(client)
    for _ in range(3):
        record_event(workspace)
    WebhookDelivery.objects.update(next_attempt_at=timezone.now() - timedelta(seconds=30))
    api.get("/api/v1/events")

    queued = _metrics(client)
    assert queued["gridprograms_webhook_queue_depth"] == 3
    assert queued["gridprograms_webhook_queue_age_seconds"] >= 30
    assert any(
        'route="api/v1/events"' in name and 'status="2xx"' in name and "_count" in name
        for name in queued
    )

    run_worker()
    sent = _metrics(client)
    assert sent["gridprograms_webhook_queue_depth"] == 0
    assert sent["gridprograms_webhook_queue_age_seconds"] == 0
    key = 'gridprograms_webhook_deliveries_total{result="succeeded"}'
    assert sent[key] - before.get(key, 0) == 3
    assert sent["gridprograms_webhook_worker_heartbeat_age_seconds"] >= 0


def test_metrics_count_emails(client, workspace, run_worker, settings, api):
    settings.METRICS_TOKEN = "s3cret-metrics-token"
    MembershipFactory(user=UserFactory(email="ops@utility.test"), workspace=workspace, role="admin")
    key = 'gridprograms_emails_sent_total{template="staff_review_needed"}'
    before = _metrics(client)
    _submit_an_enrollment(api, workspace)
    run_worker()
    after = _metrics(client)
    emails = {k: v - before.get(k, 0) for k, v in after.items() if "emails_sent_total" in k}
    assert sum(emails.values()) >= 2  # the customer's confirmation and the staff's review
    assert key in emails or any("staff" in k for k in emails)


def _submit_an_enrollment(api, workspace) -> tuple[str, str]:
    instance = ProgramInstanceFactory(workspace=workspace, name="Sunny Rewards")
    created = api.post(
        f"/api/v1/programInstances/{instance.pk}/enrollments",
        {
            "identificationType": "customerInfo",
            "firstName": "Suzie",
            "lastName": "Homeowner",
            "email": "suzie.homeowner@example.com",
        },
        format="json",
    ).json()
    for to in ("eligible", "submitted"):
        response = api.post(
            f"/api/v1/enrollments/{created['id']}/transitions",
            {"to": to},
            format="json",
            HTTP_X_REQUEST_ID="req-submit-42",
        )
        assert response.status_code == 200
    return created["id"], response["X-Request-Id"]


def test_the_request_id_reaches_the_task_it_enqueues_and_its_log_lines(
    api, workspace, run_worker, caplog
):
    _, request_id = _submit_an_enrollment(api, workspace)
    assert request_id == "req-submit-42"
    (task,) = DBTaskResult.objects.filter(task_path="events.tasks.enrollment_status_notify")
    assert task.args_kwargs["kwargs"] == {"request_id": "req-submit-42"}

    logger = logging.getLogger("gridprograms.events.notifications")
    caplog.set_level(logging.INFO)
    from config.logs import RequestIdFilter

    seen = []
    handler = logging.Handler()
    handler.addFilter(RequestIdFilter())
    handler.emit = lambda record: seen.append((record.name, record.request_id))
    logging.getLogger().addHandler(handler)
    try:
        run_worker()
        logger.info("outside any task")
    finally:
        logging.getLogger().removeHandler(handler)
    # The worker's lines about the emails this request caused carry its id...
    assert ("gridprograms.notifications", "req-submit-42") in seen
    # ...and only while that task runs.
    assert seen[-1] == ("gridprograms.events.notifications", "-")


def test_json_log_lines_carry_the_request_id():
    import io

    config = logging_config(fmt="json", level="INFO")
    stream = io.StringIO()
    formatter_config = config["formatters"]["json"]
    from pythonjsonlogger.json import JsonFormatter

    formatter = JsonFormatter(
        formatter_config["fmt"], rename_fields=formatter_config["rename_fields"]
    )
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter)
    from config.logs import RequestIdFilter, request_context

    handler.addFilter(RequestIdFilter())
    logger = logging.getLogger("gridprograms.test.json")
    logger.addHandler(handler)
    try:
        with request_context("abc123"):
            logger.warning("Webhook %s disabled", "w1")
    finally:
        logger.removeHandler(handler)
    line = json.loads(stream.getvalue())
    assert line["request_id"] == "abc123" and line["message"] == "Webhook w1 disabled"
    assert line["level"] == "WARNING" and line["logger"] == "gridprograms.test.json"
