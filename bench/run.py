"""GridPrograms benchmarks: seed realistic volume, then measure reads, writes, bulk services,
webhook fan-out and delivery, and show the query plans. On demand only (`make bench`).

    .venv/bin/python -m bench.run                       # SQLite, var/bench.sqlite3
    .venv/bin/python -m bench.run --db postgres://postgres@127.0.0.1:5432/gp_bench
    .venv/bin/python -m bench.run --http                # + gunicorn on loopback, req/s

The database named by --db is DROPPED and re-created (SQLite: the file is deleted) unless
--reuse is given. Results print as Markdown and are saved to var/bench-<engine>.json.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent


def _environment(db_url: str) -> dict:
    """Production-like settings (DEBUG off), no throttling, mail kept in memory."""
    env = {
        "DATABASE_URL": db_url,
        "DEBUG": "0",
        "SECRET_KEY": "bench-only-secret-key-not-for-production-0123456789",
        "ALLOWED_HOSTS": "testserver,127.0.0.1,localhost",
        "SECURE_HTTPS": "0",
        "API_THROTTLE_RATE": "100000000/min",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "WEBHOOKS_ALLOW_PRIVATE_NETWORKS": "1",
        "WEBHOOK_TIMEOUT_SECONDS": "5",
        "TASK_BACKEND": "database",
    }
    os.environ.update(env)
    return env


def _fresh_database(db_url: str) -> None:
    parts = urlsplit(db_url)
    if parts.scheme.startswith("sqlite"):
        path = Path(parts.path[1:] if parts.path.startswith("//") else parts.path)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    import psycopg

    name = parts.path.lstrip("/")
    admin_url = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


# --- measuring ---------------------------------------------------------------------------------
class _Statements:
    """Counts and keeps the SQL statements run inside the block (no 9,000-query cap, unlike
    CaptureQueriesContext)."""

    def __enter__(self):
        from django.db import connection

        self.captured: list[tuple[str, object]] = []
        self._cm = connection.execute_wrapper(self)
        self._cm.__enter__()
        return self

    def __call__(self, execute, sql, params, many, context):
        self.captured.append((sql, params))
        return execute(sql, params, many, context)

    def __exit__(self, *exc):
        self._cm.__exit__(*exc)

    @property
    def count(self) -> int:
        return len(self.captured)


def _percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def _timed_requests(client, method: str, path: str, n: int, body_for=None, headers=None):
    """n requests through the Django test client: latencies (ms), max queries, the statements
    of the last request, and the status codes seen."""
    latencies, counts, statuses, last = [], [], set(), []
    for i in range(n):
        kwargs = {"content_type": "application/json"} if method == "post" else {}
        if body_for is not None:
            kwargs["data"] = json.dumps(body_for(i))
        url = path(i) if callable(path) else path
        with _Statements() as ctx:
            start = time.perf_counter()
            response = getattr(client, method)(url, **kwargs, **(headers or {}))
            latencies.append((time.perf_counter() - start) * 1000)
        statuses.add(response.status_code)
        counts.append(ctx.count)
        last = ctx.captured
    return {
        "p50_ms": round(statistics.median(latencies), 1),
        "p95_ms": round(_percentile(latencies, 95), 1),
        "rps_1": round(1000 / statistics.mean(latencies), 1),
        "queries": max(counts),
        "statuses": sorted(statuses),
        "_sql": last,
    }


def read_endpoints(data) -> list[tuple[str, str]]:
    instance = data.instances[0]
    since = "2026-01-01T00:00:00Z"
    return [
        ("enrollments page 1", "/api/v1/enrollments"),
        ("enrollments perPage=100", "/api/v1/enrollments?perPage=100"),
        ("enrollments deep page (last)", "/api/v1/enrollments?page=5000&perPage=20"),
        ("enrollments status=submitted", "/api/v1/enrollments?status=submitted"),
        ("enrollments status=approved,rejected", "/api/v1/enrollments?status=approved,rejected"),
        ("enrollments programInstanceId", f"/api/v1/enrollments?programInstanceId={instance.pk}"),
        ("enrollments email", f"/api/v1/enrollments?email={data.sample_email}"),
        ("enrollments referenceId", f"/api/v1/enrollments?referenceId={data.sample_reference}"),
        ("enrollments tag (5%)", f"/api/v1/enrollments?tag={data.sample_tag}"),
        ("enrollments manufacturer", "/api/v1/enrollments?manufacturer=tesla"),
        ("enrollments search (1 word)", "/api/v1/enrollments?search=Last42"),
        ("enrollments createdAfter", f"/api/v1/enrollments?createdAfter={since}"),
        ("enrollments updatedSince", f"/api/v1/enrollments?updatedSince={since}"),
        (
            "enrollments instance+status",
            f"/api/v1/enrollments?programInstanceId={instance.pk}&status=eligible",
        ),
        ("instance enrollments", f"/api/v1/programInstances/{instance.pk}/enrollments"),
        (
            "instance enrollments status",
            f"/api/v1/programInstances/{instance.pk}/enrollments?status=submitted",
        ),
        ("enrollment detail", None),
        ("programs?state=CA", "/api/v1/programs?state=CA"),
        ("programs perPage=100", "/api/v1/programs?perPage=100"),
        ("programInstances", "/api/v1/programInstances"),
        ("events page 1", "/api/v1/events"),
        ("events programInstanceId", f"/api/v1/events?programInstanceId={instance.pk}"),
        ("events type", "/api/v1/events?type=enrollment.created"),
    ]


def bench_reads(client, data, n: int) -> dict:
    from enrollments.models import Enrollment

    some = Enrollment.objects.for_workspace(data.workspace).order_by("pk").first()
    results = {}
    for name, path in read_endpoints(data):
        path = path or f"/api/v1/enrollments/{some.pk}"
        _timed_requests(client, "get", path, 2)  # warm up
        results[name] = {"path": path, **_timed_requests(client, "get", path, n)}
        assert results[name]["statuses"] == [200], (name, results[name]["statuses"])
    return results


def bench_writes(client, data, n: int) -> dict:
    from enrollments.models import Enrollment

    instance = data.instances[1]
    results = {}

    def body(i):
        return {
            "programInstanceId": instance.pk,
            "identificationType": "customerInfo",
            "firstName": "New",
            "lastName": f"Person{i}",
            "email": f"bench-new-{time.time_ns()}-{i}@example.com",
            "address": {"state": "CA", "postalCode": "94110"},
            "deviceType": "battery",
            "deviceCapacity": 10,
            "tags": ["bench", "new"],
        }

    results["POST /enrollments"] = _timed_requests(client, "post", "/api/v1/enrollments", n, body)
    candidates = list(
        Enrollment.objects.for_workspace(data.workspace)
        .filter(program_instance=instance, status="candidate")
        .values_list("pk", flat=True)[:n]
    )
    results["POST /enrollments/{id}/transitions"] = _timed_requests(
        client,
        "post",
        lambda i: f"/api/v1/enrollments/{candidates[i]}/transitions",
        n,
        lambda i: {"to": "eligible", "reason": "bench"},
    )
    results["POST /enrollments/{id}/evaluate"] = (
        _timed_requests(
            client,
            "post",
            lambda i: f"/api/v1/enrollments/{candidates[n + i]}/evaluate",
            min(n, len(candidates) - n),
        )
        if len(candidates) > n
        else {}
    )
    return results


def bench_bulk(data, size: int) -> dict:
    """The services the dashboard's bulk actions call, on `size` enrollments."""
    from enrollments.models import Enrollment
    from enrollments.services import enrollment_bulk_evaluate, enrollment_bulk_transition

    results = {}
    base = Enrollment.objects.for_workspace(data.workspace).select_related("program_instance")
    for name, status, call in [
        (
            "bulk evaluate",
            "candidate",
            lambda rows: enrollment_bulk_evaluate(enrollments=rows, actor=None),
        ),
        (
            "bulk transition eligible→submitted",
            "eligible",
            lambda rows: enrollment_bulk_transition(
                enrollments=rows, to="submitted", actor=None, reason="bench"
            ),
        ),
    ]:
        rows = list(base.filter(status=status, program_instance=data.instances[2])[:size])
        with _Statements() as ctx:
            start = time.perf_counter()
            outcome = call(rows)
            elapsed = time.perf_counter() - start
        results[name] = {
            "rows": len(rows),
            "ok": sum(1 for r in outcome if r.ok),
            "seconds": round(elapsed, 2),
            "rows_per_s": round(len(rows) / elapsed, 1),
            "queries": ctx.count,
            "queries_per_row": round(ctx.count / max(1, len(rows)), 1),
        }
    return results


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


# --- query plans -------------------------------------------------------------------------------
def explain(reads: dict, vendor: str) -> dict:
    """The plan of each list request's two main statements (COUNT and the page)."""
    from django.db import connection

    plans = {}
    with connection.cursor() as cursor:
        for name, result in reads.items():
            statements = [
                (sql, params)
                for sql, params in result["_sql"]
                if ("COUNT(" in sql or "LIMIT" in sql) and "accounts_apikey" not in sql
            ]
            lines = []
            for sql, params in statements[:2]:
                if vendor == "postgresql":
                    cursor.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT TEXT) " + sql, params)
                else:
                    cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
                rows = cursor.fetchall()
                lines.append(
                    {
                        "sql": f"{sql[:400]} -- {params!r}"[:600],
                        "plan": [" | ".join(str(c) for c in r) for r in rows],
                    }
                )
            plans[name] = lines
    return plans


# --- real HTTP ---------------------------------------------------------------------------------
def _http_worker(port, path, headers, stop, latencies, failures) -> None:
    """One client thread: keep-alive GETs until `stop` (list.append is thread-safe)."""
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    while time.time() < stop:
        start = time.perf_counter()
        try:
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            response.read()
            ok = response.status == 200
            if response.getheader("Connection", "").lower() == "close":
                conn.close()
        except (OSError, http.client.HTTPException):
            ok = False
            conn.close()
        latencies.append((time.perf_counter() - start) * 1000)
        if not ok:
            failures.append(1)


def bench_http(data, env: dict, seconds: float, concurrency: int, workers: int) -> dict:
    import http.client
    import socket

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        # bench.settings = the app plus the minimal yardstick view (bench/minimal.py).
        env={**os.environ, **env, "DJANGO_SETTINGS_MODULE": "bench.settings"},
    )
    try:
        for _ in range(100):
            try:
                http.client.HTTPConnection("127.0.0.1", port, timeout=1).request("GET", "/")
                break
            except OSError:
                time.sleep(0.1)
        headers = {"Authorization": f"Bearer {data.raw_key}"}
        results = {}
        from enrollments.models import Enrollment

        some = Enrollment.objects.for_workspace(data.workspace).order_by("pk").first()
        for name, path in read_endpoints(data):
            path = path or f"/api/v1/enrollments/{some.pk}"
            latencies, failures = [], []
            began = time.perf_counter()
            with ThreadPoolExecutor(concurrency) as pool:
                for _ in range(concurrency):
                    pool.submit(
                        _http_worker,
                        port,
                        path,
                        headers,
                        time.time() + seconds,
                        latencies,
                        failures,
                    )
            wall = time.perf_counter() - began
            errors = len(failures)
            results[name] = {
                "requests": len(latencies),
                "errors": errors,
                "rps": round(len(latencies) / wall, 1),
                "p50_ms": round(statistics.median(latencies), 1),
                "p95_ms": round(_percentile(latencies, 95), 1),
            }
        from bench.detail_compare import compare

        results["_detail_vs_minimal"] = compare(port, headers, some.pk, seconds, concurrency)
        return results
    finally:
        server.terminate()
        server.wait(timeout=30)


# --- report ------------------------------------------------------------------------------------
def markdown(report: dict) -> str:
    out = [f"### {report['engine']} ({report['volume']})", ""]
    out += [f"Seed: {report['seed_seconds']} s.", ""]
    http_results = report.get("http", {})
    out += [
        "| request | queries | p50 ms | p95 ms | in-process req/s "
        "| HTTP req/s | HTTP p50 | HTTP p95 |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, r in report["reads"].items():
        h = http_results.get(name, {})
        out.append(
            f"| {name} | {r['queries']} | {r['p50_ms']} | {r['p95_ms']} | {r['rps_1']} | "
            f"{h.get('rps', '')} | {h.get('p50_ms', '')} | {h.get('p95_ms', '')} |"
        )
    out += ["", "| write | queries | p50 ms | p95 ms |", "|---|---:|---:|---:|"]
    for name, r in report["writes"].items():
        if r:
            out.append(f"| {name} | {r['queries']} | {r['p50_ms']} | {r['p95_ms']} |")
    out += [
        "",
        "| bulk (services) | rows | ok | seconds | rows/s | queries | per row |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, r in report["bulk"].items():
        out.append(
            f"| {name} | {r['rows']} | {r['ok']} | {r['seconds']} | {r['rows_per_s']} | "
            f"{r['queries']} | {r['queries_per_row']} |"
        )
    if "_detail_vs_minimal" in http_results:
        from bench.detail_compare import markdown as compare_markdown

        out += ["", compare_markdown(http_results["_detail_vs_minimal"])]
    w = report.get("webhooks")
    if w:
        out += [
            "",
            f"Webhooks: event_record with 5 endpoints p50 {w['event_record_p50_ms']} ms, "
            f"{w['event_record_queries']} queries; {w['workers']} webhook_worker(s) delivered "
            f"{w['succeeded']}/{w['deliveries']} to a local receiver in {w['seconds']} s "
            f"({w['deliveries_per_s']} deliveries/s).",
        ]
    return "\n".join(out)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=f"sqlite:///{ROOT / 'var' / 'bench.sqlite3'}")
    parser.add_argument("--reuse", action="store_true", help="keep the seeded database")
    parser.add_argument("--enrollments", type=int, default=100_000)
    parser.add_argument("--instances", type=int, default=10)
    parser.add_argument("--events", type=int, default=50_000)
    parser.add_argument("--noise", type=int, default=20_000)
    parser.add_argument("--requests", type=int, default=30, help="per read endpoint")
    parser.add_argument("--writes", type=int, default=30)
    parser.add_argument("--bulk", type=int, default=1000)
    parser.add_argument("--webhook-events", type=int, default=200)
    parser.add_argument("--webhook-workers", type=int, default=1)
    parser.add_argument("--http", action="store_true", help="also measure through gunicorn")
    parser.add_argument("--http-seconds", type=float, default=5)
    parser.add_argument("--http-concurrency", type=int, default=4)
    parser.add_argument("--http-workers", type=int, default=2)
    parser.add_argument("--explain", action="store_true", help="print the query plans")
    parser.add_argument(
        "--only", default="", help="comma list: reads,writes,bulk,webhooks; or imports alone"
    )
    args = parser.parse_args(argv)
    if args.only == "imports":  # the import and set-based lifecycle scenarios: bench/imports.py
        return subprocess.call([sys.executable, "-m", "bench.imports", "--db", args.db], cwd=ROOT)

    env = _environment(args.db)
    if not args.reuse:
        _fresh_database(args.db)
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from rest_framework.test import APIClient

    from bench import seed as seeding
    from enrollments.models import Enrollment

    call_command("migrate", verbosity=0, interactive=False)
    start = time.perf_counter()
    if not Enrollment.objects.exists():
        seeding.seed(
            enrollments=args.enrollments,
            instances=args.instances,
            events=args.events,
            noise=args.noise,
        )
    seed_seconds = round(time.perf_counter() - start, 1)
    with connection.cursor() as cursor:
        # As autovacuum would have by then (also after --reuse and new migrations): statistics,
        # and (PostgreSQL) the visibility map that lets COUNT(*) be an index-only scan.
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    data = seeding.data("")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {data.raw_key}")
    only = set(filter(None, args.only.split(","))) or {"reads", "writes", "bulk", "webhooks"}
    report = {
        "engine": connection.vendor,
        "volume": f"{Enrollment.objects.for_workspace(data.workspace).count()} enrollments in "
        f"{args.instances} instances + {args.noise} in another workspace, "
        f"{args.events} events",
        "seed_seconds": seed_seconds,
        "reads": {},
        "writes": {},
        "bulk": {},
    }
    if "reads" in only:
        report["reads"] = bench_reads(client, data, args.requests)
        if args.http:
            report["http"] = bench_http(
                data, env, args.http_seconds, args.http_concurrency, args.http_workers
            )
        if args.explain:
            report["plans"] = explain(report["reads"], connection.vendor)
    if "writes" in only:
        report["writes"] = bench_writes(client, data, args.writes)
    if "bulk" in only:
        report["bulk"] = bench_bulk(data, args.bulk)
    if "webhooks" in only:
        report["webhooks"] = bench_webhooks(data, args.webhook_events, args.webhook_workers, env)
    for section in ("reads", "writes"):
        for r in report[section].values():
            r.pop("_sql", None)
    out = ROOT / "var" / f"bench-{connection.vendor}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(report, indent=2, default=str))
    print(markdown(report))
    if args.explain:
        for name, lines in report.get("plans", {}).items():
            print(f"\n#### {name}")
            for item in lines:
                print("    " + item["sql"][:300])
                for line in item["plan"]:
                    print("      " + line)
    print(f"\n(saved {out})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
