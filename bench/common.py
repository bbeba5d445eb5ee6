"""What every benchmark shares: the environment and fresh database of a run, the statement
counter and the timing helpers. Split from bench/run.py (which re-exports these names for
bench/webhooks.py, bench/serve.py, bench/imports.py and bench/detail_compare.py).
"""

import json
import os
import statistics
import time
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
