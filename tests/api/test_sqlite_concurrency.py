"""Parallel API writes against a real server on a real SQLite file never fail with
"database is locked" (WAL + busy timeout + IMMEDIATE transactions, see config/settings/base.py)."""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def sqlite_server(tmp_path):
    env = {
        **os.environ,
        "DEBUG": "1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'concurrency.sqlite3'}",
        "API_THROTTLE_RATE": "100000/min",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)  # manage.py's own: base, not test
    manage = [sys.executable, "manage.py"]
    subprocess.run(
        [*manage, "migrate", "--noinput"],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        timeout=120,
    )
    out = subprocess.run(
        [*manage, "create_api_key", "--org", "load", "--workspace", "production"],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout
    key = out.strip().splitlines()[-1]
    port = _free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--threads",
            "4",
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=(tmp_path / "server.log").open("w"),
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"{base}/api/v1/me", timeout=5)
            except urllib.error.HTTPError:
                break  # 401: the server is up
            except OSError:
                time.sleep(0.2)
        yield base, key
    finally:
        server.terminate()
        server.wait(timeout=10)


def _create_key(base, key, n):
    request = urllib.request.Request(
        f"{base}/api/v1/apiKeys",
        data=json.dumps({"name": f"parallel {n}", "scopes": ["events:read"]}).encode(),
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return f"{error.code} {error.read()[:200]!r}"


def test_parallel_writes_all_succeed(sqlite_server):
    base, key = sqlite_server
    with ThreadPoolExecutor(max_workers=12) as pool:
        results = list(pool.map(lambda n: _create_key(base, key, n), range(60)))
    assert results == [201] * 60


def _post_lead(base, key, idempotency_key):
    request = urllib.request.Request(
        f"{base}/api/v1/leads",
        data=json.dumps({"email": "same@example.com"}).encode(),
        headers={
            "Authorization": f"Bearer {key}",
            "Content-Type": "application/json",
            "Idempotency-Key": idempotency_key,
        },
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers.get("Idempotent-Replayed"), response.read()
    except urllib.error.HTTPError as error:
        return error.code, None, error.read()


def test_one_idempotency_key_runs_once_across_processes(sqlite_server):
    """Two gunicorn workers, twelve threads, one key: one lead; the others are replays of it
    or 409 IDEMPOTENCY_KEY_IN_USE while it ran."""
    base, key = sqlite_server
    with ThreadPoolExecutor(max_workers=12) as pool:
        results = list(pool.map(lambda n: _post_lead(base, key, "one-lead"), range(24)))
    fresh = [r for r in results if r[0] == 201 and r[1] is None]
    assert len(fresh) == 1, results
    for status, replayed, body in results:
        assert (status == 201 and body == fresh[0][2]) or (
            status == 409 and b"IDEMPOTENCY_KEY_IN_USE" in body
        ), (status, replayed, body)
    listing = urllib.request.Request(
        f"{base}/api/v1/leads", headers={"Authorization": f"Bearer {key}"}
    )
    with urllib.request.urlopen(listing, timeout=30) as response:
        assert json.loads(response.read())["totalItems"] == 1
