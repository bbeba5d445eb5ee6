"""GET of one enrollment through the API against the minimal hand-written view (bench/minimal),
on the same gunicorn, in interleaved rounds so that the load of a shared machine falls on both
alike. The issue's bar: the API serves at least 60 % of the minimal view's requests/s."""

import statistics
import time
from concurrent.futures import ThreadPoolExecutor


def _rps(port, path, headers, seconds, concurrency) -> float:
    from bench.run import _http_worker

    latencies, failures = [], []
    began = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        for _ in range(concurrency):
            pool.submit(
                _http_worker, port, path, headers, time.time() + seconds, latencies, failures
            )
    if failures:
        raise RuntimeError(f"{len(failures)} failed requests to {path}")
    return len(latencies) / (time.perf_counter() - began)


def compare(port, headers, pk, seconds, concurrency, rounds=5) -> dict:
    api, minimal = [], []
    for _ in range(rounds):
        api.append(_rps(port, f"/api/v1/enrollments/{pk}", headers, seconds, concurrency))
        minimal.append(_rps(port, f"/bench/enrollments/{pk}", headers, seconds, concurrency))
    return {
        "api_rps": [round(x, 1) for x in api],
        "minimal_rps": [round(x, 1) for x in minimal],
        "ratio": round(statistics.median(api) / statistics.median(minimal), 3),
    }


def markdown(result: dict) -> str:
    return (
        f"GET one enrollment, interleaved rounds: API {result['api_rps']} req/s, minimal "
        f"Django view {result['minimal_rps']} req/s; API/minimal (medians) = {result['ratio']}."
    )
