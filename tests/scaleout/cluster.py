"""A small GridPrograms cluster on this machine for the scale-out test: its own PostgreSQL
database (named after the configured one, so parallel runs never clash), web process groups
(gunicorn) on free ports, webhook workers, the fast receiver (bench.receiver), and a
round-robin HTTP client."""

import http.client
import itertools
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import psycopg

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Database:
    """`<configured name>_scale`, created fresh and dropped afterwards."""

    def __init__(self, settings_dict: dict):
        base = settings_dict["NAME"]
        self.name = f"{base}_scale"
        host = settings_dict.get("HOST") or "127.0.0.1"
        port = settings_dict.get("PORT") or 5432
        user = settings_dict.get("USER") or "postgres"
        self.admin = f"postgres://{user}@{host}:{port}/postgres"
        self.url = f"postgres://{user}@{host}:{port}/{self.name}"

    def create(self) -> None:
        with psycopg.connect(self.admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{self.name}"')

    def drop(self) -> None:
        with psycopg.connect(self.admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')

    def query(self, sql: str, params=()) -> list[tuple]:
        with psycopg.connect(self.url) as conn:
            return conn.execute(sql, params).fetchall()


class Cluster:
    def __init__(self, db: Database, tmp: Path, env: dict):
        self.db = db
        self.tmp = tmp
        self.env = {
            **{k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"},
            "DATABASE_URL": db.url,
            "DEBUG": "0",
            "SECRET_KEY": "scale-out-test-only-secret-key-0123456789abcdefghijklmnop",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SECURE_HTTPS": "0",
            "API_THROTTLE_RATE": "1000000/min",
            "TASK_BACKEND": "database",
            "LOG_LEVEL": "WARNING",
            "LOG_FORMAT": "json",
            **env,
        }
        self.procs: dict[str, subprocess.Popen] = {}

    def manage(self, *args, timeout=300) -> str:
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        assert result.returncode == 0, result.stderr[-3000:]
        return result.stdout

    def start(self, name: str, args: list[str], log: bool = True) -> subprocess.Popen:
        out = open(self.tmp / f"{name}.log", "ab") if log else subprocess.DEVNULL  # noqa: SIM115
        proc = subprocess.Popen(args, cwd=ROOT, env=self.env, stdout=out, stderr=out)
        self.procs[name] = proc
        return proc

    def web(self, name: str, workers: int = 1, threads: int = 4) -> int:
        port = free_port()
        self.start(
            name,
            [
                str(ROOT / ".venv" / "bin" / "gunicorn"),
                "config.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--worker-class",
                "gthread",
                "--workers",
                str(workers),
                "--threads",
                str(threads),
                "--keep-alive",
                "30",
            ],
        )
        return port

    def worker(self, name: str) -> subprocess.Popen:
        return self.start(name, [sys.executable, "manage.py", "webhook_worker"])

    def kill(self, name: str) -> None:
        proc = self.procs[name]
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)

    def stop_all(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.terminate()
        for proc in self.procs.values():
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()


def wait_until_up(port: int, timeout: float = 90) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"the web process group on port {port} did not start")


class RoundRobinClient:
    """Keep-alive connections to every web port, taken in turn; records every status."""

    def __init__(self, ports: list[int], token: str):
        self.ports = itertools.cycle(ports)
        self.lock = threading.Lock()
        self.local = threading.local()
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        self.statuses: list[tuple[str, int]] = []

    def request(self, method: str, path: str, body=None) -> tuple[int, dict]:
        with self.lock:
            port = next(self.ports)
        conns = self.local.__dict__.setdefault("conns", {})
        payload = json.dumps(body) if body else None
        for _ in range(2):
            reused = port in conns
            conn = conns.get(port) or http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            conns[port] = conn
            try:
                conn.request(method, path, body=payload, headers=self.headers)
                response = conn.getresponse()
                raw = response.read()
                status = response.status
                break
            except (OSError, http.client.HTTPException):
                conn.close()
                conns.pop(port, None)
                status, raw = 0, b""
                if not reused:
                    break
                # The server closed this idle keep-alive connection before reading the request
                # (the request never ran): send it again on a new connection, as browsers do.
        with self.lock:
            self.statuses.append((f"{method} {path.split('?')[0]}", status))
        try:
            return status, json.loads(raw) if raw else {}
        except ValueError:
            return status, {}


def receiver_log(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def url_of(db_url: str) -> str:
    return urlsplit(db_url).path.lstrip("/")
