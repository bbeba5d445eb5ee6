from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from config.api.errors import json_not_found

urlpatterns = [
    path("", include("accounts.api.urls")),
    path("", include("programs.api.urls")),
    path("", include("instances.api.urls")),
    path("", include("enrollments.api.urls")),
    path("", include("events.api.urls")),
    path("", include("audit.api.urls")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("redoc/", SpectacularRedocView.as_view(url_name="schema"), name="redoc"),
    # Last: any other path under /api/v1 is a JSON 404, in DEBUG too.
    re_path(r"^.*$", json_not_found),
]
