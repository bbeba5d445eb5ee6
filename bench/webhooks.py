"""Webhook engine benchmark: deliveries/s with 1, 2 and 4 `webhook_worker` processes, and the
idle latency from commit to receiver (p50/p99).

    .venv/bin/python -m bench.webhooks --db postgres://postgres@127.0.0.1:5432/gp_bench
    .venv/bin/python -m bench.webhooks                      # SQLite: var/bench-webhooks.sqlite3

The database is DROPPED and re-created. The receiver (bench.receiver) runs in its own process
and answers 204 at once. For each worker count, the workers are started and left idle, then
`--deliveries` deliveries (events fanned out to one endpoint by `event_record_many`) are
committed at once; the time runs from that commit to the last arrival at the receiver, so it
includes the wake-up and every claim and record round. The load average (`uptime`) is printed
beside each number: the machine is shared.
"""

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench.run import ROOT, _environment, _fresh_database


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def load() -> str:
    return "load " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def start_receiver(out: Path, *extra) -> tuple[subprocess.Popen, int]:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "bench.receiver", "--port", str(port), "--out", str(out), *extra],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout.readline().strip() == "ready"
    return proc, port


def read_arrivals(out: Path) -> list[dict]:
    if not out.exists():
        return []
    return [json.loads(line) for line in out.read_text().splitlines() if line.strip()]


def start_workers(n: int, env: dict) -> list[subprocess.Popen]:
    return [
        subprocess.Popen(
            [sys.executable, "manage.py", "webhook_worker"],
            cwd=ROOT,
            env={**env, "LOG_LEVEL": "WARNING"},
        )
        for _ in range(n)
    ]


def stop(procs) -> None:
    for proc in procs:
        proc.terminate()
    for proc in procs:
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()


def wait_for_heartbeats(n: int, timeout: float = 60) -> None:
    from events.models import WorkerHeartbeat

    deadline = time.monotonic() + timeout
    while WorkerHeartbeat.objects.count() < n:
        if time.monotonic() > deadline:
            raise RuntimeError("the workers did not start")
        time.sleep(0.2)
    time.sleep(0.5)  # let their listeners connect


def commit_deliveries(workspace, n: int) -> tuple[float, set[str]]:
    from django.db import transaction

    from events.models import WebhookDelivery
    from events.services import event_record_many

    items = [
        {"type": "enrollment.created", "obj": {"id": f"bench{i}", "eligibilityStatus": "candidate"}}
        for i in range(n)
    ]
    with transaction.atomic():
        events = event_record_many(workspace=workspace, items=items)
    committed = time.time()
    ids = set(WebhookDelivery.objects.filter(event__in=events).values_list("pk", flat=True))
    return committed, ids


def throughput(workspace, workers: int, n: int, env: dict, out: Path) -> dict:
    from events.models import WebhookDelivery, WorkerHeartbeat

    WorkerHeartbeat.objects.all().delete()
    procs = start_workers(workers, env)
    try:
        wait_for_heartbeats(workers)
        before = load()
        committed, ids = commit_deliveries(workspace, n)
        deadline = time.time() + 600
        while WebhookDelivery.objects.filter(pk__in=ids, status="succeeded").count() < n:
            if time.time() > deadline:
                raise RuntimeError("deliveries did not finish in 10 minutes")
            time.sleep(0.2)
        recorded = time.time()
        time.sleep(1.5)  # the receiver writes its log every second
    finally:
        stop(procs)
    arrivals = [a for a in read_arrivals(out) if a["id"] in ids]
    last = max(a["t"] for a in arrivals)
    return {
        "workers": workers,
        "deliveries": n,
        "received": len(arrivals),
        "unique": len({a["id"] for a in arrivals}),
        "seconds_to_last_arrival": round(last - committed, 2),
        "deliveries_per_s": round(n / (last - committed), 1),
        "per_worker_per_s": round(n / (last - committed) / workers, 1),
        "seconds_to_all_recorded": round(recorded - committed, 2),
        "load_before": before,
        "load_after": load(),
    }


def idle_latency(workspace, samples: int, env: dict, out: Path) -> dict:
    import random

    from django.db import transaction

    from events.models import WebhookDelivery, WorkerHeartbeat
    from events.services import event_record

    WorkerHeartbeat.objects.all().delete()
    procs = start_workers(1, env)
    committed = {}
    try:
        wait_for_heartbeats(1)
        before = load()
        for i in range(samples):
            with transaction.atomic():
                event = event_record(
                    workspace=workspace, type="enrollment.created", obj={"id": f"idle{i}"}
                )
            committed[event.pk] = time.time()
            time.sleep(random.uniform(0.05, 0.15))  # idle between events
        time.sleep(2)
    finally:
        stop(procs)
    by_event = dict(
        WebhookDelivery.objects.filter(event_id__in=committed).values_list("pk", "event_id")
    )
    arrival = {}
    for a in read_arrivals(out):
        if a["id"] in by_event and a["id"] not in arrival:
            arrival[a["id"]] = a["t"]
    latencies = sorted((t - committed[by_event[d]]) * 1000 for d, t in arrival.items())
    return {
        "samples": samples,
        "received": len(latencies),
        "p50_ms": round(statistics.median(latencies), 1),
        "p99_ms": round(latencies[max(0, int(len(latencies) * 0.99) - 1)], 1),
        "max_ms": round(latencies[-1], 1),
        "load_before": before,
        "load_after": load(),
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=f"sqlite:///{ROOT / 'var' / 'bench-webhooks.sqlite3'}")
    parser.add_argument("--deliveries", type=int, default=5000)
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--latency-samples", type=int, default=200)
    args = parser.parse_args(argv)

    (ROOT / "var").mkdir(exist_ok=True)
    _fresh_database(args.db)
    env = {**os.environ, **_environment(args.db)}
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=1
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    import django

    django.setup()
    from accounts.services import workspace_get_or_create
    from events.webhooks import webhook_create

    out = ROOT / "var" / f"bench-webhooks-{os.getpid()}.jsonl"
    out.unlink(missing_ok=True)
    receiver, port = start_receiver(out)
    report = {"engine": args.db.split(":")[0], "throughput": [], "latency": None}
    try:
        workspace = workspace_get_or_create(org_slug="bench", workspace_slug="production")
        webhook_create(workspace=workspace, url=f"http://127.0.0.1:{port}/hook")
        for workers in [int(w) for w in args.workers.split(",") if w]:
            result = throughput(workspace, workers, args.deliveries, env, out)
            report["throughput"].append(result)
            print(json.dumps(result), flush=True)
        if args.latency_samples:
            report["latency"] = idle_latency(workspace, args.latency_samples, env, out)
            print(json.dumps(report["latency"]), flush=True)
    finally:
        receiver.terminate()
        receiver.wait(10)
        out.unlink(missing_ok=True)
    path = ROOT / "var" / f"bench-webhooks-{report['engine']}.json"
    path.write_text(json.dumps(report, indent=2))
    print(f"saved {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
