"""The one HTTP call the worker makes: POST a signed webhook body, never following redirects.

Built on the standard library's `http.client` (no new dependency) because it lets us connect to
the exact address `events.urlsafety.resolve` approved while still sending the right `Host`
header and verifying TLS against the host name. `http.client` never follows redirects, so a 3xx
answer is simply recorded as a failed attempt (a redirect could point at an internal address).

Connections are kept alive in a `ConnectionPool` keyed by (scheme, host, port, *address*): a
connection is only ever reused for the same vetted, pinned IP address, so keep-alive cannot
smuggle a request to an address the SSRF guard did not approve for this attempt.
"""

import http.client
import socket
import ssl
import threading
import time
from dataclasses import dataclass

from events.urlsafety import Target, _is_public

USER_AGENT = "GridPrograms-Webhooks/1.0"
_READ_LIMIT = 64 * 1024
PRIVATE_BODY = "(not stored: the receiver is on a private address)"
_IDLE_PER_KEY = 16  # idle connections kept per (scheme, host, port, address)


@dataclass(frozen=True)
class HttpResult:
    status_code: int | None
    body: str
    duration_ms: int
    error: str


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host, port, address, timeout):
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self):
        self.sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host, port, address, timeout):
        super().__init__(host, port, timeout=timeout, context=_tls_context())
        self._address = address

    def connect(self):
        sock = socket.create_connection((self._address, self.port), self.timeout)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        # SNI and certificate checks use the host name, not the pinned address.
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


_TLS_CONTEXT = None


def _tls_context() -> ssl.SSLContext:
    """One default context per process: loading the CA bundle costs milliseconds."""
    global _TLS_CONTEXT
    if _TLS_CONTEXT is None:
        _TLS_CONTEXT = ssl.create_default_context()
    return _TLS_CONTEXT


class ConnectionPool:
    """Idle keep-alive connections per pinned address, shared by the sender threads."""

    def __init__(self):
        self._idle: dict[tuple, list] = {}
        self._lock = threading.Lock()

    def get(self, target: Target, address: str, timeout: float):
        key = (target.scheme, target.host, target.port, address)
        with self._lock:
            idle = self._idle.get(key)
            if idle:
                conn = idle.pop()
                conn.timeout = timeout
                if conn.sock is not None:
                    conn.sock.settimeout(timeout)
                return conn, True
        cls = _PinnedHTTPSConnection if target.scheme == "https" else _PinnedHTTPConnection
        return cls(target.host, target.port, address, timeout), False

    def put(self, target: Target, address: str, conn) -> None:
        key = (target.scheme, target.host, target.port, address)
        with self._lock:
            idle = self._idle.setdefault(key, [])
            if len(idle) < _IDLE_PER_KEY:
                idle.append(conn)
                return
        conn.close()

    def close(self) -> None:
        with self._lock:
            conns = [c for idle in self._idle.values() for c in idle]
            self._idle.clear()
        for conn in conns:
            conn.close()


def post(
    target: Target,
    body: bytes,
    headers: dict[str, str],
    timeout: float,
    pool: ConnectionPool | None = None,
) -> HttpResult:
    """POST `body` to the first reachable approved address. Never raises for network trouble:
    the outcome (status or error) is returned for the attempt log. With a `pool`, the
    connection is reused afterwards if the receiver keeps it open."""
    started = time.monotonic()
    error = ""
    pool = pool or ConnectionPool()
    all_headers = {"User-Agent": USER_AGENT, "Content-Type": "application/json", **headers}
    for address in target.addresses:
        # A reused connection the receiver closed while idle fails before any answer: try
        # once more on a fresh one (at-least-once delivery makes that safe).
        for _ in range(2):
            conn, reused = pool.get(target, address, timeout)
            try:
                conn.request("POST", target.path, body=body, headers=all_headers)
                response = conn.getresponse()
                raw = response.read(_READ_LIMIT)
                keep = not response.will_close and response.isclosed()
                result = HttpResult(
                    status_code=response.status,
                    # A private address (allowed in development) could be an internal
                    # service: its answer is not kept, so a webhook cannot be used to read it
                    # (docs/security.md).
                    body=(
                        raw.decode("utf-8", errors="replace")
                        if _is_public(address)
                        else PRIVATE_BODY
                    ),
                    duration_ms=_elapsed_ms(started),
                    error="",
                )
                if keep:
                    pool.put(target, address, conn)
                else:
                    conn.close()
                return result
            except TimeoutError:
                conn.close()
                return HttpResult(None, "", _elapsed_ms(started), f"Timed out after {timeout:g} s.")
            except ssl.SSLError as exc:
                conn.close()
                return HttpResult(None, "", _elapsed_ms(started), f"TLS error: {exc}")
            except (OSError, http.client.HTTPException) as exc:
                conn.close()
                error = f"{type(exc).__name__}: {exc}"
                if not reused:
                    break  # refused/reset on a fresh connection: try the next address
    return HttpResult(None, "", _elapsed_ms(started), error or "No address could be reached.")


def _elapsed_ms(started: float) -> int:
    return max(0, round((time.monotonic() - started) * 1000))
