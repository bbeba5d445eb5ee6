"""Benchmark scenario: real HTTP against gunicorn on loopback (requests per second, latency).

Split from bench/run.py, which runs it with `--http`.
"""

import os
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

from bench.common import ROOT, _percentile
from bench.scenarios import read_endpoints


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
