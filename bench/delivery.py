"""Benchmark scenario: webhook fan-out and delivery to a local receiver (in the seeded data).

Split from bench/run.py, which runs it.
"""

import os
import statistics
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from bench.common import ROOT, _Statements


class _Receiver(BaseHTTPRequestHandler):
    received = 0
    lock = threading.Lock()

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        with _Receiver.lock:
            _Receiver.received += 1
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


def bench_webhooks(data, events: int, workers: int, env: dict) -> dict:
    from django.db import connection, transaction
    from django_tasks_db.models import DBTaskResult

    from events.models import WebhookDelivery, WebhookEndpoint
    from events.services import event_record
    from events.signing import secret_generate

    server = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}/hook"
    DBTaskResult.objects.all().delete()
    WebhookDelivery.objects.all().delete()
    for i in range(5):
        WebhookEndpoint.objects.create(
            workspace=data.workspace, url=f"{url}?n={i}", secret=secret_generate()
        )
    counts, latencies = [], []
    obj = {"id": "bench", "eligibilityStatus": "candidate", "email": "x@example.com"}
    for _ in range(events):
        with _Statements() as ctx:
            start = time.perf_counter()
            with transaction.atomic():
                event_record(workspace=data.workspace, type="enrollment.created", obj=obj)
            latencies.append((time.perf_counter() - start) * 1000)
        counts.append(ctx.count)
    pending = WebhookDelivery.objects.filter(status="pending").count()
    result = {
        "event_record_p50_ms": round(statistics.median(latencies), 1),
        "event_record_queries": max(counts),
        "deliveries": pending,
        "workers": workers,
    }
    connection.close()
    log = (ROOT / "var" / "bench-worker.log").open("w")  # a pipe nobody reads would block it
    start = time.perf_counter()
    procs = [
        subprocess.Popen(
            [sys.executable, "manage.py", "webhook_worker", "--batch", "--skip-checks"],
            cwd=ROOT,
            env={**os.environ, **env},
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
        for _ in range(workers)
    ]
    deadline = time.time() + 600
    for proc in procs:
        proc.wait(timeout=max(1, deadline - time.time()))
    elapsed = time.perf_counter() - start
    log.close()
    server.shutdown()
    done = WebhookDelivery.objects.filter(status="succeeded").count()
    result.update(
        succeeded=done,
        received=_Receiver.received,
        seconds=round(elapsed, 1),
        deliveries_per_s=round(done / elapsed, 1),
    )
    return result
