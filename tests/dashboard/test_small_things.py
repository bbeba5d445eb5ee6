"""Issue 13 point 10: a favicon on every page and at /favicon.ico."""

import pytest

pytestmark = pytest.mark.django_db


def test_favicon_linked_and_served(dash, client):
    html = dash(role="viewer").get("/").content.decode()
    assert 'rel="icon"' in html and "favicon.svg" in html
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"].endswith("img/favicon.svg")
