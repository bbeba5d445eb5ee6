"""Scale-out, proven: 2 web process groups, 3 webhook workers, one PostgreSQL; mixed load from
many clients; a receiver failing 20 % of requests and down for 10 s; a worker SIGKILLed and
restarted mid-run. Nothing lost, nothing applied twice, no 5xx.

Run by `.ci/run` on PostgreSQL (`make scaleout`). `LOAD_SECONDS` is 35, not 60: CI must finish
it in under 3 minutes on 2 shared cores with migrations and the drain included, and every fault
(kill at 8 s, restart at 11 s, outage 12-22 s, re-send after the dead worker's 25 s lease)
still happens inside the load window; every assertion is kept.
"""

import json
import os
import random
import sys
import threading
import time
from collections import Counter

import pytest
from django.db import connection
from standardwebhooks.webhooks import Webhook

from tests.concurrency import Concurrently, run_concurrently
from tests.scaleout.cluster import (
    ROOT,
    Cluster,
    Database,
    RoundRobinClient,
    free_port,
    receiver_log,
    wait_until_up,
)

pytestmark = [
    pytest.mark.scaleout,
    pytest.mark.skipif(
        os.environ.get("SCALEOUT") != "1",
        reason="the scale-out test runs in its own CI step: `make scaleout` (PostgreSQL)",
    ),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="several processes on one database need PostgreSQL (SKIP LOCKED, NOTIFY)",
    ),
]

LOAD_SECONDS = 35
KILL_AT, RESTART_AT = 8, 11
DOWN_AT, DOWN_FOR = 12, 10
CLIENTS = 8

SEED = """
import json
from accounts.services import api_key_create
from events.webhooks import webhook_create
from tests.factories import OrganizationFactory, ProgramInstanceFactory
ws = OrganizationFactory(slug="scale", name="Scale utility").workspaces.get(slug="production")
instance = ProgramInstanceFactory(workspace=ws, name="Scale rewards")
_key, raw = api_key_create(workspace=ws, name="scale-out")
secrets = {}
for path in ("/a", "/b"):
    endpoint, secret = webhook_create(workspace=ws, url="RECEIVER" + path)
    secrets[endpoint.pk] = secret
print(json.dumps({"key": raw, "instance": instance.pk, "workspace": ws.pk, "secrets": secrets}))
"""


@pytest.fixture
def database(django_db_blocker):
    with django_db_blocker.unblock():
        db = Database(connection.settings_dict)
    db.create()
    yield db
    db.drop()


def run_load(client, instance_id, deadline):
    """Creates, lists, and transition storms (4 clients at once on one enrollment)."""
    created, storms, lock = [], {}, threading.Lock()
    serial = iter(range(10**9))

    def create():
        n = next(serial)
        status, body = client.request(
            "POST",
            f"/api/v1/programInstances/{instance_id}/enrollments",
            {
                "identificationType": "customerInfo",
                "firstName": "Scale",
                "lastName": f"Tester {n}",
                "email": f"scale-{n}@example.com",
            },
        )
        if status == 201:
            with lock:
                created.append(body["id"])

    def storm(enrollment_id):
        def one():
            status, _ = client.request(
                "POST", f"/api/v1/enrollments/{enrollment_id}/transitions", {"to": "eligible"}
            )
            return status

        storms[enrollment_id] = run_concurrently(one, [()] * 4)

    def loop(seed):
        rng = random.Random(seed)
        while time.time() < deadline:
            roll = rng.random()
            if roll < 0.5:
                create()
            elif roll < 0.8:
                client.request("GET", "/api/v1/enrollments?perPage=50")
            else:
                with lock:
                    todo = [e for e in created if e not in storms]
                    target = todo[0] if todo else None
                    if target:
                        storms[target] = []
                if target:
                    storm(target)

    # Every client thread must finish: one that died would leave its storms and creates
    # unchecked, so the harness fails the test instead (the load ends by `deadline`).
    load = Concurrently(loop, [(i,) for i in range(CLIENTS)], timeout=deadline - time.time() + 60)
    return load.start(), created, storms


def test_two_web_groups_three_workers_faults_and_nothing_lost(database, tmp_path):
    received = tmp_path / "received.jsonl"
    cluster = Cluster(
        database,
        tmp_path,
        {
            "WEBHOOKS_ALLOW_PRIVATE_NETWORKS": "1",
            "WEBHOOK_RETRY_DELAYS": "1,1,2,2,3,3,5,5,5,5,5,5",
            "WEBHOOK_TIMEOUT_SECONDS": "5",
            "WEBHOOK_LEASE_SECONDS": "25",
            "WEBHOOK_BREAKER_COOLDOWN_SECONDS": "1",
            "WEBHOOK_BREAKER_MAX_COOLDOWN_SECONDS": "4",
            "WEBHOOK_POLL_SECONDS": "0.5",
            "NOTIFICATIONS_ENABLED": "0",
            "DB_POOL_MAX_SIZE": "4",
        },
    )
    try:
        cluster.manage("migrate", "--noinput", "-v", "0")
        receiver_port = free_port()
        receiver = cluster.start(
            "receiver",
            [
                sys.executable,
                "-m",
                "bench.receiver",
                "--port",
                str(receiver_port),
                "--out",
                str(received),
                "--fail-rate",
                "0.2",
                "--down-at",
                str(DOWN_AT),
                "--down-for",
                str(DOWN_FOR),
                "--full",
                "--seed",
                "15",
            ],
        )
        seed = json.loads(
            cluster.manage(
                "shell", "-c", SEED.replace("RECEIVER", f"http://127.0.0.1:{receiver_port}")
            ).splitlines()[-1]
        )
        ports = [cluster.web("web-1"), cluster.web("web-2")]
        for name in ("worker-1", "worker-2", "worker-3"):
            cluster.worker(name)
        for port in ports:
            wait_until_up(port)
        client = RoundRobinClient(ports, seed["key"])

        started = time.time()
        load, created, storms = run_load(client, seed["instance"], started + LOAD_SECONDS)
        time.sleep(max(0, started + KILL_AT - time.time()))
        cluster.kill("worker-1")
        leased_at_kill = {
            row[0]
            for row in database.query(
                "SELECT id FROM events_webhookdelivery WHERE locked_until > now()"
            )
        }
        time.sleep(max(0, started + RESTART_AT - time.time()))
        cluster.worker("worker-1b")
        load.join()
        load_seconds = time.time() - started

        drain_deadline = time.time() + 90
        while database.query(
            "SELECT count(*) FROM events_webhookdelivery WHERE status <> 'succeeded'"
        )[0][0]:
            assert time.time() < drain_deadline, "deliveries still owed 90 s after the load"
            time.sleep(0.5)
        drained_seconds = time.time() - started
        time.sleep(1.5)  # the receiver writes its log every second
        assert receiver.poll() is None
    finally:
        cluster.stop_all()

    _assert_http(client, load_seconds)
    _assert_enrollments(database, seed, created, storms)
    _assert_deliveries(database, seed, received, leased_at_kill, drained_seconds)


def _assert_http(client, load_seconds):
    statuses = Counter(status for _, status in client.statuses)
    rate = len(client.statuses) / load_seconds
    print(f"\nHTTP: {len(client.statuses)} requests in {load_seconds:.1f} s = {rate:.1f} "
          f"requests/s; statuses {dict(statuses)}")  # fmt: skip
    server_errors = [(what, s) for what, s in client.statuses if s >= 500 or s == 0]
    assert server_errors == []


def _assert_enrollments(database, seed, created, storms):
    assert created, "no enrollment was created"
    stored = database.query(
        "SELECT id FROM enrollments_enrollment WHERE workspace_id = %s", [seed["workspace"]]
    )
    assert sorted(r[0] for r in stored) == sorted(created)  # every create stored, once
    done = {e: results for e, results in storms.items() if results}
    assert done, "no transition storm ran"
    for results in done.values():
        assert sorted(results)[0] == 200 and results.count(200) == 1, results
        assert all(s == 409 for s in results if s != 200), results
    changes = Counter(
        r[0]
        for r in database.query(
            "SELECT enrollment_id FROM events_event WHERE type = 'enrollment.status_changed' "
            "AND data->>'previousStatus' = 'candidate'"
        )
    )
    assert {e: changes[e] for e in done} == dict.fromkeys(done, 1)  # applied once each


def _assert_deliveries(database, seed, received, leased_at_kill, drained_seconds):
    events = database.query(
        "SELECT id FROM events_event WHERE workspace_id = %s", [seed["workspace"]]
    )
    deliveries = database.query(
        "SELECT id, event_id, endpoint_id, status FROM events_webhookdelivery"
    )
    assert len(deliveries) == len(events) * len(seed["secrets"])  # every event, every endpoint
    assert {d[3] for d in deliveries} == {"succeeded"}
    log = receiver_log(received)
    ok = Counter(r["id"] for r in log if r["status"] == 204)
    lost = [d[0] for d in deliveries if ok[d[0]] == 0]
    assert lost == []
    duplicates = {pk: n - 1 for pk, n in ok.items() if n > 1}
    assert set(duplicates) <= leased_at_kill  # duplicates only from the killed worker...
    assert set(duplicates.values()) <= {1}  # ...and at most one each, same webhook-id
    endpoint_of = {d[0]: d[2] for d in deliveries}
    for record in log:  # every request, failed or not, is signed right
        secret = seed["secrets"][endpoint_of[record["id"]]]
        headers = {
            "webhook-id": record["id"],
            "webhook-timestamp": record["ts"],
            "webhook-signature": record["sig"],
        }
        Webhook(secret).verify(record["body"], headers)
    failed = sum(1 for r in log if r["status"] != 204)
    print(f"Webhooks: {len(deliveries)} deliveries to {len(seed['secrets'])} endpoints, "
          f"{len(log)} requests ({failed} answered 500 on purpose), "
          f"{len(duplicates)} duplicates from the kill; all delivered "
          f"{drained_seconds:.1f} s after the load began = "
          f"{len(deliveries) / drained_seconds:.1f} deliveries/s")  # fmt: skip


def test_make_serve_runs_the_production_shape(database, tmp_path):
    """`make serve` exactly as docs/deployment.md says, on PostgreSQL: web, workers, static."""
    import http.client
    import signal
    import subprocess

    port = free_port()
    env = {
        # Without pytest's DJANGO_SETTINGS_MODULE: `make serve` runs on the production settings.
        **{
            k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "SECRET_KEY"}
        },
        "DATABASE_URL": database.url,
        "PORT": str(port),
        "WEB_CONCURRENCY": "2",
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "prometheus"),
        "METRICS_TOKEN": "serve-test-token",
    }
    proc = subprocess.Popen(
        ["make", "serve"],
        cwd=ROOT,
        env=env,
        stdout=open(tmp_path / "serve.log", "wb"),  # noqa: SIM115
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        wait_until_up(port, timeout=150)
        deadline = time.time() + 30
        while True:  # the webhook worker's first heartbeat makes it ready
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            conn.request("GET", "/readyz")
            response = conn.getresponse()
            body = json.loads(response.read())
            if response.status == 200 or time.time() > deadline:
                break
            time.sleep(0.5)
        assert response.status == 200, body
        conn.request("GET", "/static/css/app.css")
        static = conn.getresponse()
        assert static.status == 200 and static.read()
        conn.request("GET", "/metrics", headers={"Authorization": "Bearer serve-test-token"})
        metrics = conn.getresponse()
        text = metrics.read().decode()
        assert metrics.status == 200 and "gridprograms_webhook_queue_depth" in text
        assert 'route="readyz"' in text  # counted by whichever process served it
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(60)
    log = (tmp_path / "serve.log").read_text()
    assert "Serving on http://localhost:" in log
    assert (ROOT / "var" / "secret_key").stat().st_mode & 0o077 == 0  # generated, private
