"""Security headers on every kind of page (issue 14, point 4; the browser test checks that the
policy is really obeyed)."""

import pytest
from django.http import HttpResponse
from django.middleware.csp import ContentSecurityPolicyMiddleware
from django.test import RequestFactory
from django.views.decorators.csp import csp_override

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/accounts/login/", "/admin/login/", "/api/v1/me", "/nowhere/"])
def test_every_response_carries_the_headers(client, path):
    response = client.get(path)
    csp = response["Content-Security-Policy"]
    script_src = next(d for d in csp.split("; ") if d.startswith("script-src"))
    assert script_src.startswith("script-src 'self'") and "unsafe" not in script_src
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"


def test_templates_get_the_nonce_and_no_inline_handlers(client):
    body = client.get("/accounts/login/").content.decode()
    for forbidden in ("onclick=", "onchange=", "javascript:", "<script>"):
        assert forbidden not in body


def test_a_public_page_can_allow_framing_with_the_documented_override(settings):
    """docs/security.md: how the public enrollment page lets other sites embed it."""

    @csp_override({**settings.SECURE_CSP, "frame-ancestors": ["https:"]})
    def embeddable(request):
        return HttpResponse("ok")

    response = ContentSecurityPolicyMiddleware(embeddable)(RequestFactory().get("/enroll/x/"))
    assert "frame-ancestors https:" in response["Content-Security-Policy"]
