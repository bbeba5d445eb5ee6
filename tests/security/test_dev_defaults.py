"""Development defaults (issue 14, points 9 and 10): `make run` listens on 127.0.0.1 unless
HOST says otherwise, its worker runs without the autoreloader (so stopping the PID stops the
worker), private receivers' answers are not stored, and port 0 is refused."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from events import http, urlsafety

ROOT = Path(__file__).resolve().parents[2]


def _make_run(**env):
    result = subprocess.run(
        ["make", "-n", "run"],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return result.stdout


def test_make_run_binds_to_localhost_unless_host_is_set():
    assert "runserver 127.0.0.1:8000" in _make_run()
    assert "runserver 0.0.0.0:9000" in _make_run(HOST="0.0.0.0", PORT="9000")
    assert "0.0.0.0" not in _make_run()


def test_make_run_worker_has_no_autoreloader():
    worker = next(line for line in _make_run().splitlines() if "db_worker" in line)
    assert "--no-reload" in worker


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


@pytest.mark.skipif(not Path("/proc").exists(), reason="needs /proc to list child processes")
def test_stopping_the_worker_pid_stops_the_worker(tmp_path):
    """The worker as `make run` starts it (DEBUG=1): one process, gone when its PID is stopped.
    Under the autoreloader the PID was a supervisor whose child kept working."""
    env = {
        **os.environ,
        "DEBUG": "1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'worker.sqlite3'}",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], env=env, check=True, timeout=300, cwd=ROOT)
    worker = subprocess.Popen(
        [*manage, "db_worker", "--queue-name", "*", "--no-reload"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and b"Starting worker" not in _peek(worker):
            time.sleep(0.2)
        assert worker.poll() is None, "the worker exited on its own"
        assert _children(worker.pid) == []  # no reloader child doing the real work
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=60) is not None
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()


_seen = {}


def _peek(process) -> bytes:
    """What the worker printed so far (non-blocking)."""
    os.set_blocking(process.stderr.fileno(), False)
    chunk = process.stderr.read() or b""
    _seen[process.pid] = _seen.get(process.pid, b"") + chunk
    return _seen[process.pid]


def test_port_zero_is_refused():
    for url in ("https://hooks.example.com:0/x", "http://127.0.0.1:0/hook"):
        with pytest.raises(urlsafety.UnsafeUrlError, match="Port 0"):
            urlsafety.parse_url(url)


def test_private_receivers_answers_are_not_stored(httpserver: HTTPServer, monkeypatch):
    httpserver.expect_request("/hook").respond_with_data("internal secrets", status=200)
    target = urlsafety.Target("http", "127.0.0.1", httpserver.port, "/hook", ("127.0.0.1",))
    result = http.post(target, b"{}", {}, 5)
    assert result.status_code == 200 and result.body == http.PRIVATE_BODY
    # A public receiver's answer is kept (the same server, pretending to be public).
    monkeypatch.setattr(http, "_is_public", lambda address: True)
    assert http.post(target, b"{}", {}, 5).body == "internal secrets"
