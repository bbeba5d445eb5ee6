"""The SSRF guard: what a webhook URL may point at."""

import pytest

from events.urlsafety import UnsafeUrlError, resolve


@pytest.fixture
def strict(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS = False


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/hook",
        "http://127.1.2.3:8080/hook",
        "http://localhost/hook",
        "http://10.1.2.3/hook",
        "http://172.16.0.1/hook",
        "http://192.168.1.10/hook",
        "http://169.254.169.254/latest/meta-data/",  # cloud metadata
        "http://100.64.0.1/hook",  # carrier-grade NAT
        "http://0.0.0.0/hook",
        "http://[::1]/hook",
        "http://[fe80::1]/hook",
        "http://[fc00::1]/hook",
        "http://[::ffff:127.0.0.1]/hook",  # IPv4-mapped loopback
        "http://224.0.0.1/hook",
        "http://240.0.0.1/hook",
    ],
)
def test_private_loopback_link_local_and_reserved_are_refused(strict, url):
    with pytest.raises(UnsafeUrlError, match="public addresses"):
        resolve(url)


@pytest.mark.parametrize(
    ("url", "fragment"),
    [
        ("ftp://93.184.216.34/hook", "http"),
        ("file:///etc/passwd", "http"),
        ("gopher://93.184.216.34/", "http"),
        ("http:///nohost", "no host"),
        ("https://user:secret@93.184.216.34/", "Credentials"),
        ("http://93.184.216.34:70000/", "not valid"),
        ("", "empty"),
        ("http://no-such-host.invalid/hook", "could not be resolved"),
    ],
)
def test_malformed_urls_are_refused(strict, url, fragment):
    with pytest.raises(UnsafeUrlError, match=fragment):
        resolve(url)


def test_public_addresses_are_allowed(strict):
    target = resolve("https://93.184.216.34:8443/hooks/in?source=gp")
    assert target.scheme == "https"
    assert target.port == 8443
    assert target.path == "/hooks/in?source=gp"
    assert target.addresses == ("93.184.216.34",)


def test_the_setting_allows_private_networks_for_development(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS = True
    assert resolve("http://127.0.0.1:8000/hook").addresses == ("127.0.0.1",)
    assert resolve("http://127.0.0.1/hook").port == 80
