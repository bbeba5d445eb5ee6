"""The delivery engine's own guarantees: no starvation by a slow endpoint, a circuit breaker for
a dead one, batch claims that never overlap, keep-alive to the vetted address, and the
commit-time wake-up on PostgreSQL."""

import threading
import time

import pytest
from django.db import connection, transaction
from werkzeug import Response

from events import delivery as delivery_module
from events.breaker import CircuitBreakers
from events.engine import DeliveryEngine
from events.models import WebhookDelivery
from events.wakeup import Listener
from tests.concurrency import run_concurrently
from tests.events.conftest import record_event


@pytest.fixture
def threaded_httpserver():
    """A receiver that answers requests concurrently (a slow answer must not block others)."""
    from pytest_httpserver import HTTPServer

    server = HTTPServer(host="127.0.0.1", threaded=True)
    server.start()
    yield server
    server.clear()
    if server.is_running():
        server.stop()


def test_a_slow_endpoint_holds_its_own_lanes_and_never_starves_the_others(
    threaded_httpserver, make_endpoint, workspace, settings
):
    httpserver = threaded_httpserver
    settings.WEBHOOK_ENDPOINT_CONCURRENCY = 2
    fast_done, lock, state = threading.Event(), threading.Lock(), {"now": 0, "max": 0, "fast": 0}

    def slow(request):
        with lock:
            state["now"] += 1
            state["max"] = max(state["max"], state["now"])
        fast_done.wait(20)  # held until every fast delivery has arrived
        with lock:
            state["now"] -= 1
        return Response("ok")

    def fast(request):
        with lock:
            state["fast"] += 1
            if state["fast"] == 10:
                fast_done.set()
        return Response("ok")

    httpserver.expect_request("/slow").respond_with_handler(slow)
    httpserver.expect_request("/fast").respond_with_handler(fast)
    make_endpoint(httpserver.url_for("/slow"), event_types=["enrollment.created"])
    make_endpoint(httpserver.url_for("/fast"), event_types=["enrollment.updated"])
    for _ in range(6):
        record_event(workspace, type="enrollment.created")  # oldest due: claimed first
    for _ in range(10):
        record_event(workspace, type="enrollment.updated")

    DeliveryEngine(threads=8, listen=False).run(batch=True)

    assert fast_done.is_set(), "the fast endpoint waited behind the slow one"
    assert state["max"] <= 2  # never more than WEBHOOK_ENDPOINT_CONCURRENCY at once
    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {"succeeded"}
    assert WebhookDelivery.objects.count() == 16


def test_the_circuit_opens_after_consecutive_failures_and_half_opens_after_the_cooldown(
    settings,
):
    settings.WEBHOOK_BREAKER_THRESHOLD = 3
    settings.WEBHOOK_BREAKER_COOLDOWN_SECONDS = 10
    settings.WEBHOOK_BREAKER_MAX_COOLDOWN_SECONDS = 15
    now = [0.0]
    breakers = CircuitBreakers(clock=lambda: now[0])
    breakers.record("e", False)
    breakers.record("e", False)
    assert breakers.state("e") == "closed"
    breakers.record("e", False)
    assert breakers.state("e") == "open" and breakers.open_endpoints() == {"e"}
    now[0] = 10.5
    assert breakers.state("e") == "half-open" and breakers.half_open_caps() == {"e": 1}
    breakers.record("e", False)  # the trial failed: open again, for longer (capped)
    assert breakers.state("e") == "open"
    now[0] = 10.5 + 14.9
    assert breakers.state("e") == "open"
    now[0] = 10.5 + 15.1
    breakers.record("e", True)  # the trial worked: closed, counters reset
    assert breakers.state("e") == "closed" and breakers.open_endpoints() == set()


def test_a_dead_endpoint_is_tried_only_up_to_the_threshold_then_left_pending(
    httpserver, make_endpoint, workspace, settings
):
    settings.WEBHOOK_BREAKER_THRESHOLD = 2
    settings.WEBHOOK_BREAKER_COOLDOWN_SECONDS = 3600
    settings.WEBHOOK_ENDPOINT_CONCURRENCY = 1
    httpserver.expect_request("/dead").respond_with_data("down", status=503)
    httpserver.expect_request("/alive").respond_with_data("ok")
    make_endpoint(httpserver.url_for("/dead"))
    make_endpoint(httpserver.url_for("/alive"))
    for _ in range(8):
        record_event(workspace)

    DeliveryEngine(threads=4, listen=False).run(batch=True)

    dead = WebhookDelivery.objects.filter(endpoint__url__endswith="/dead")
    alive = WebhookDelivery.objects.filter(endpoint__url__endswith="/alive")
    assert set(alive.values_list("status", flat=True)) == {"succeeded"}
    # Two failures open the circuit (retries are immediate here, so the same delivery may be
    # the one tried twice); the rest waits, pending, unleased, without a counted attempt.
    assert sum(dead.values_list("attempt_count", flat=True)) == 2
    assert set(dead.values_list("status", flat=True)) == {"pending"}
    assert not dead.filter(locked_until__isnull=False).exists()
    assert [r.path for r, _ in httpserver.log].count("/dead") == 2


POSTGRES = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SKIP LOCKED and NOTIFY are PostgreSQL's (SQLite claims serialise on its write lock)",
)


@pytest.mark.postgres_only
@POSTGRES
@pytest.mark.django_db(transaction=True)
def test_concurrent_claims_never_take_the_same_delivery(httpserver, make_endpoint, workspace):
    make_endpoint(httpserver.url_for("/hook"))
    for _ in range(60):
        record_event(workspace)

    def claimer():
        batches = []
        while batch := delivery_module.claim_batch(limit=7):
            batches.append([d.pk for d in batch])
        return batches

    claimed = [batch for batches in run_concurrently(claimer, [()] * 3) for batch in batches]
    ids = [pk for batch in claimed for pk in batch]
    assert len(ids) == len(set(ids)) == 60
    assert all(len(batch) <= 7 for batch in claimed)


@pytest.fixture
def keep_alive_receiver():
    """An HTTP/1.1 receiver that keeps connections open, counting the ones it accepts."""
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    seen = {"connections": 0, "requests": 0}

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def setup(self):
            super().setup()
            seen["connections"] += 1

        def do_POST(self):
            self.rfile.read(int(self.headers["Content-Length"]))
            seen["requests"] += 1
            self.send_response(204)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook", seen
    server.shutdown()
    server.server_close()


def test_keep_alive_reuses_one_connection_per_vetted_address(
    keep_alive_receiver, make_endpoint, workspace
):
    url, seen = keep_alive_receiver
    make_endpoint(url)
    for _ in range(5):
        record_event(workspace)
    engine = DeliveryEngine(threads=1, per_endpoint=1, listen=False)
    opened = []
    real_get = engine.pool.get

    def counting_get(target, address, timeout):
        conn, reused = real_get(target, address, timeout)
        opened.append((address, reused))
        return conn, reused

    engine.pool.get = counting_get
    engine.run(batch=True)

    assert seen == {"connections": 1, "requests": 5}
    assert opened == [("127.0.0.1", False)] + [("127.0.0.1", True)] * 4
    assert WebhookDelivery.objects.filter(status="succeeded").count() == 5


@pytest.mark.postgres_only
@POSTGRES
@pytest.mark.django_db(transaction=True)
def test_postgres_wakes_the_worker_at_commit_not_before_and_not_on_rollback(
    make_endpoint, workspace
):
    make_endpoint("http://127.0.0.1:9/hook")
    wake = threading.Event()
    listener = Listener(wake)
    listener.start()
    try:
        assert wake.wait(10)  # it wakes once on connecting, to catch up
        time.sleep(0.2)
        wake.clear()
        with pytest.raises(RuntimeError), transaction.atomic():
            record_event(workspace)
            raise RuntimeError("the change fails after its event was written")
        assert not wake.wait(1.5), "a rolled-back change woke the worker"
        with transaction.atomic():
            record_event(workspace)
            assert not wake.wait(1.0), "woken before the commit"
        assert wake.wait(5), "not woken at commit"
    finally:
        listener.stop()
