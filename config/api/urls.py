from django.urls import include, path, re_path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularSwaggerSplitView,
)

from config.api.docs import OfflineRedocView, RedocBundleView
from config.api.errors import json_not_found

urlpatterns = [
    path("", include("accounts.api.urls")),
    path("", include("programs.api.urls")),
    path("", include("instances.api.urls")),
    path("", include("enrollments.api.urls")),
    path("", include("events.api.urls")),
    path("", include("audit.api.urls")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # Offline docs: the split view serves Swagger UI's start script as a file (no inline
    # script), and our ReDoc template drops the Google Fonts link (docs/api.md).
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="swagger-ui"),
    path("redoc/", OfflineRedocView.as_view(url_name="schema"), name="redoc"),
    path("redoc/redoc.standalone.js", RedocBundleView.as_view(), name="redoc-bundle"),
    # Last: any other path under /api/v1 is a JSON 404, in DEBUG too.
    re_path(r"^.*$", json_not_found),
]
