"""Offline API docs: ReDoc and Swagger UI load nothing from outside this server.

drf-spectacular-sidecar ships both bundles, but ReDoc's bundle still renders its sidebar logo
from cdn.redoc.ly and drf-spectacular's ReDoc template links Google Fonts. The template is
ours (templates/api/redoc.html, no fonts, no inline script) and the bundle is served through
`RedocBundleView`, which removes the logo's external address once per process (ReDoc then hides
the image: its onError handler). tests/browser/test_api_docs_offline.py loads both pages and
fails on any request to another host.
"""

from functools import cache

from django.contrib.staticfiles import finders
from django.http import HttpResponse
from django.urls import reverse
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularRedocView

REDOC_BUNDLE = "drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js"
EXTERNAL_LOGO = b"https://cdn.redoc.ly/redoc/logo-mini.svg"


@cache
def _offline_bundle() -> bytes:
    with open(finders.find(REDOC_BUNDLE), "rb") as handle:
        return handle.read().replace(EXTERNAL_LOGO, b"")


class RedocBundleView(SpectacularRedocView):
    """The ReDoc bundle without its CDN logo (a documentation view, public like the docs)."""

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        response = HttpResponse(_offline_bundle(), content_type="application/javascript")
        response["Cache-Control"] = "public, max-age=86400"
        return response


class OfflineRedocView(SpectacularRedocView):
    template_name = "api/redoc.html"

    def _redoc_standalone(self):
        return reverse("redoc-bundle")
