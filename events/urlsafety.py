"""Which webhook URLs we are willing to call (server-side request forgery guard).

A webhook URL is chosen by an API client, and our worker POSTs to it from inside our network.
Without this guard a client could make us call `http://169.254.169.254/` (cloud metadata),
`http://localhost:5432/` or any intranet host. So:

- only `http` and `https`, with a host, and no credentials in the URL;
- every address the host resolves to must be public (not private, loopback, link-local,
  multicast, reserved or unspecified, IPv4-mapped IPv6 included);
- checked at registration *and* at send time, and the sender connects to the very address that
  was checked (see `events.http.post`), so a DNS answer that changes in between (DNS rebinding)
  cannot smuggle a private address in.

`WEBHOOKS_ALLOW_PRIVATE_NETWORKS=1` lifts the address rule for development and tests.
"""

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

ALLOWED_SCHEMES = ("http", "https")


class UnsafeUrlError(ValueError):
    """The URL must not be called. The message says why, for the API client."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str  # path + query, as sent in the request line
    addresses: tuple[str, ...]


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
    )


def parse_url(url: str) -> tuple[str, str, int, str]:
    """Split a webhook URL into (scheme, host, port, path); raises UnsafeUrlError."""
    if not isinstance(url, str) or not url.strip():
        raise UnsafeUrlError("The URL is empty.")
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise UnsafeUrlError(f"The URL is not valid: {exc}.") from None
    scheme = parts.scheme.lower()
    if scheme not in ALLOWED_SCHEMES:
        raise UnsafeUrlError("Only http:// and https:// URLs can receive webhooks.")
    if not parts.hostname:
        raise UnsafeUrlError("The URL has no host.")
    if port == 0:
        # `port or default` below would quietly turn :0 into 80/443.
        raise UnsafeUrlError("Port 0 is not a port a receiver can listen on; use 1-65535.")
    if parts.username or parts.password:
        raise UnsafeUrlError(
            "Credentials in the URL are not supported; verify the webhook signature instead."
        )
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return scheme, parts.hostname, port or (443 if scheme == "https" else 80), path


def resolve(url: str) -> Target:
    """Parse the URL and resolve its host to addresses we may connect to.

    Raises UnsafeUrlError when the URL is malformed, the host does not resolve, or (unless
    private networks are allowed) any of its addresses is not public. Any single bad address
    refuses the whole host: a name that resolves to both a public and a private address is the
    classic rebinding set-up.
    """
    scheme, host, port, path = parse_url(url)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, OSError):
        raise UnsafeUrlError(f"The host {host!r} could not be resolved.") from None
    addresses = tuple(dict.fromkeys(info[4][0] for info in infos))
    if not addresses:
        raise UnsafeUrlError(f"The host {host!r} could not be resolved.")
    if not settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS:
        blocked = [a for a in addresses if not _is_public(a)]
        if blocked:
            raise UnsafeUrlError(
                f"The host {host!r} resolves to a private, loopback, link-local or reserved "
                f"address ({blocked[0]}); webhooks can only be sent to public addresses."
            )
    return Target(scheme=scheme, host=host, port=port, path=path, addresses=addresses)
