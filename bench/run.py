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
import subprocess
import sys
import time

from bench.common import (  # re-exported: bench.serve, bench.webhooks, bench.imports
    ROOT,
    _environment,
    _fresh_database,
    _percentile,
    _Statements,
    _timed_requests,
)
from bench.delivery import bench_webhooks
from bench.http_load import _http_worker, bench_http  # re-exported: bench.detail_compare
from bench.scenarios import bench_bulk, bench_reads, bench_writes, read_endpoints

__all__ = [
    "ROOT",
    "_Statements",
    "_environment",
    "_fresh_database",
    "_http_worker",
    "_percentile",
    "_timed_requests",
    "bench_bulk",
    "bench_http",
    "bench_reads",
    "bench_webhooks",
    "bench_writes",
    "explain",
    "main",
    "markdown",
    "read_endpoints",
]


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
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
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
