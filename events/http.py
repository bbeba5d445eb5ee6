"""The one HTTP call the worker makes: POST a signed webhook body, never following redirects.

Built on the standard library's `http.client` (no new dependency) because it lets us connect to
the exact address `events.urlsafety.resolve` approved while still sending the right `Host`
header and verifying TLS against the host name. `http.client` never follows redirects, so a 3xx
answer is simply recorded as a failed attempt (a redirect could point at an internal address).
"""

import http.client
import socket
import ssl
import time
from dataclasses import dataclass

from events.urlsafety import Target, _is_public

USER_AGENT = "GridPrograms-Webhooks/1.0"
_READ_LIMIT = 64 * 1024
PRIVATE_BODY = "(not stored: the receiver is on a private address)"


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


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host, port, address, timeout):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self):
        sock = socket.create_connection((self._address, self.port), self.timeout)
        # SNI and certificate checks use the host name, not the pinned address.
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def post(target: Target, body: bytes, headers: dict[str, str], timeout: float) -> HttpResult:
    """POST `body` to the first reachable approved address. Never raises for network trouble:
    the outcome (status or error) is returned for the attempt log."""
    started = time.monotonic()
    error = ""
    for address in target.addresses:
        cls = _PinnedHTTPSConnection if target.scheme == "https" else _PinnedHTTPConnection
        conn = cls(target.host, target.port, address, timeout)
        try:
            conn.request(
                "POST",
                target.path,
                body=body,
                headers={"User-Agent": USER_AGENT, "Content-Type": "application/json", **headers},
            )
            response = conn.getresponse()
            raw = response.read(_READ_LIMIT)
            # A private address (allowed in development) could be an internal service: its
            # answer is not kept, so a webhook cannot be used to read it (docs/security.md).
            text = raw.decode("utf-8", errors="replace") if _is_public(address) else PRIVATE_BODY
            return HttpResult(
                status_code=response.status,
                body=text,
                duration_ms=_elapsed_ms(started),
                error="",
            )
        except TimeoutError:
            return HttpResult(None, "", _elapsed_ms(started), f"Timed out after {timeout:g} s.")
        except ssl.SSLError as exc:
            return HttpResult(None, "", _elapsed_ms(started), f"TLS error: {exc}")
        except (OSError, http.client.HTTPException) as exc:
            # Connection refused/reset on this address: try the next one, if any.
            error = f"{type(exc).__name__}: {exc}"
        finally:
            conn.close()
    return HttpResult(None, "", _elapsed_ms(started), error or "No address could be reached.")


def _elapsed_ms(started: float) -> int:
    return max(0, round((time.monotonic() - started) * 1000))
