"""ReDoc and Swagger UI work with no network but this server's: a browser loads both pages and
fails on any request to another host (fonts, logos, validators, CDNs)."""

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize(
    ("path", "rendered"),
    [
        ("/api/v1/redoc/", "h1:has-text('GridPrograms API')"),
        ("/api/v1/docs/", ".swagger-ui .info .title:has-text('GridPrograms API')"),
    ],
)
def test_docs_pages_request_nothing_outside_the_server(live_server, page, shoot, path, rendered):
    own = urlsplit(live_server.url).netloc
    outside, loaded = [], []

    def check(route):
        url = route.request.url
        if urlsplit(url).scheme in ("data", "blob") or urlsplit(url).netloc == own:
            loaded.append(url)
            route.continue_()
        else:
            outside.append(url)
            route.abort()

    page.route("**/*", check)
    page.goto(f"{live_server.url}{path}")
    expect(page.locator(rendered).first).to_be_visible(timeout=20000)
    page.wait_for_load_state("networkidle")
    shoot(page, f"api-docs-{path.strip('/').replace('/', '-')}")
    assert outside == [], f"requests outside the server: {outside}"
    assert any("/api/v1/schema/" in url for url in loaded)
