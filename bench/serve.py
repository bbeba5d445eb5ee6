"""`make serve`'s shape against `make run`'s, on the same database and the same requests.

    .venv/bin/python -m bench.serve --db postgres://postgres@127.0.0.1:5432/gp_bench

The database is DROPPED and seeded small (bench.seed: 5,000 enrollments). Then, one after the
other on free ports: `manage.py runserver --noreload` with DEBUG=1 (what `make run` starts), and
gunicorn as deploy/serve.sh starts it (gthread, 1 process per core x 8 threads, DEBUG=0,
pooled PostgreSQL connections). Each gets `--clients` keep-alive client threads (in 4
processes) for `--seconds` doing the same mix: enrollment list, enrollment detail, program
instances, filtered list, and one create in five requests. The clients share the cores with
the server, so req/s is a floor.
"""

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from itertools import count

from bench.run import ROOT, _environment, _fresh_database, _percentile
from bench.webhooks import free_port, load


def _client(port, requests, stop, latencies, statuses, lock):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    for i in count():
        if time.time() >= stop:
            break
        method, path, body, headers = requests(i)
        started = time.perf_counter()
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            status = response.status
            if response.getheader("Connection", "").lower() == "close":
                conn.close()
        except (OSError, http.client.HTTPException):
            status = 0
            conn.close()
        with lock:
            latencies.append((time.perf_counter() - started) * 1000)
            statuses[status] = statuses.get(status, 0) + 1


def _wait_up(port, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("the server did not start")


def _client_process(port, requests, clients, stop, queue):
    """One client process (`clients` threads): the clients' Python must not be the bottleneck
    of a multi-process server, so they are spread over processes like the server's."""
    latencies, statuses, lock = [], {}, threading.Lock()
    threads = [
        threading.Thread(target=_client, args=(port, requests, stop, latencies, statuses, lock))
        for _ in range(clients)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    queue.put((latencies, statuses))


def measure(name, command, env, requests, clients, seconds, processes=4) -> dict:
    import multiprocessing

    port = free_port()
    server = subprocess.Popen(
        [part.replace("{port}", str(port)) for part in command],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_up(port)
        before = load()
        context = multiprocessing.get_context("fork")
        queue = context.Queue()
        stop = time.time() + seconds
        began = time.perf_counter()
        procs = [
            context.Process(
                target=_client_process,
                args=(port, requests, clients // processes, stop, queue),
            )
            for _ in range(processes)
        ]
        for proc in procs:
            proc.start()
        latencies, statuses = [], {}
        for _ in procs:
            part, codes = queue.get()
            latencies += part
            for code, n in codes.items():
                statuses[code] = statuses.get(code, 0) + n
        for proc in procs:
            proc.join()
        wall = time.perf_counter() - began
    finally:
        server.terminate()
        server.wait(30)
    return {
        "shape": name,
        "clients": clients,
        "requests": len(latencies),
        "rps": round(len(latencies) / wall, 1),
        "p50_ms": round(statistics.median(latencies), 1),
        "p99_ms": round(_percentile(latencies, 99), 1),
        "statuses": statuses,
        "load_before": before,
        "load_after": load(),
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=f"sqlite:///{ROOT / 'var' / 'bench-serve.sqlite3'}")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--reuse", action="store_true", help="keep an already seeded database")
    parser.add_argument("--only", default="", help="run only the shapes whose name has this")
    args = parser.parse_args(argv)

    (ROOT / "var").mkdir(exist_ok=True)
    if not args.reuse:
        _fresh_database(args.db)
    env = {**os.environ, **_environment(args.db), "LOG_LEVEL": "WARNING"}
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    import django

    django.setup()
    from django.core.management import call_command

    from bench import seed as seeding
    from enrollments.models import Enrollment

    call_command("migrate", verbosity=0, interactive=False)
    if not Enrollment.objects.exists():
        seeding.seed(enrollments=5000, instances=5, events=1000, noise=500)
    data = seeding.data("")
    instance = data.instances[0]
    some = Enrollment.objects.for_workspace(data.workspace).order_by("pk").first()
    auth = {"Authorization": f"Bearer {data.raw_key}"}
    create_headers = {**auth, "Content-Type": "application/json"}

    def requests(i):
        kind = i % 5
        if kind == 0:
            n = f"{os.getpid()}-{threading.get_ident()}-{i}"
            body = json.dumps(
                {
                    "identificationType": "customerInfo",
                    "firstName": "Load",
                    "lastName": f"Tester{n}",
                    "email": f"load{n}@example.com",
                }
            )
            path = f"/api/v1/programInstances/{instance.pk}/enrollments"
            return "POST", path, body, create_headers
        path = [
            None,
            "/api/v1/enrollments",
            f"/api/v1/enrollments/{some.pk}",
            "/api/v1/programInstances",
            "/api/v1/enrollments?status=submitted",
        ][kind]
        return "GET", path, None, auth

    cores = os.cpu_count() or 2
    py = sys.executable
    run_env = {**env, "DEBUG": "1"}
    serve_env = {**env, "DEBUG": "0", "DB_POOL_MAX_SIZE": "8", "LOG_FORMAT": "json"}
    subprocess.run(
        [py, "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=ROOT, env=serve_env, check=1
    )
    shapes = [
        ("make run (runserver, DEBUG=1)", run_env, [py, "manage.py", "runserver",
         "127.0.0.1:{port}", "--noreload", "--skip-checks"]),
        (f"make serve (gunicorn gthread {cores}x8, DEBUG=0)", serve_env, [
            f"{ROOT}/.venv/bin/gunicorn", "config.wsgi", "--bind", "127.0.0.1:{port}",
            "--worker-class", "gthread", "--workers", str(cores), "--threads", "8",
            "--log-level", "warning"]),
    ]  # fmt: skip
    report = []
    for name, shape_env, command in shapes:
        if args.only and not name.startswith(args.only):
            continue
        result = measure(name, command, shape_env, requests, args.clients, args.seconds)
        report.append(result)
        print(json.dumps(result), flush=True)
    engine = args.db.split(":")[0]
    path = ROOT / "var" / f"bench-serve-{engine}.json"
    path.write_text(json.dumps(report, indent=2))
    print(f"saved {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
