from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path, re_path
from django.views.generic import RedirectView

from config import health, metrics
from config.api import errors

admin.site.site_header = "GridPrograms staff admin"
admin.site.site_title = "GridPrograms admin"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("config.api.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", metrics.metrics_view, name="metrics"),
    path("", include("enroll.urls")),
    path("", include("dashboard.urls")),
    # Any other path under /api/ (including ones with newlines or other control characters,
    # which `.` does not match) is the API's JSON 404, under DEBUG too.
    re_path(r"^api/[\s\S]*\Z", errors.json_not_found),
]


class FaviconView(RedirectView):
    """Browsers ask for /favicon.ico whatever the page says; answer with the dashboard's icon.
    The static URL is resolved per request, not at import: with the manifest storage of
    production, importing the URLs (any management command) must not need collectstatic."""

    permanent = True

    def get_redirect_url(self, *args, **kwargs):
        return static("img/favicon.svg")


urlpatterns.append(path("favicon.ico", FaviconView.as_view(), name="favicon"))


def handler404(request, exception=None):
    if request.path.startswith("/api/"):
        return errors.json_not_found(request, exception)
    from django.views.defaults import page_not_found

    return page_not_found(request, exception)


def handler500(request):
    if request.path.startswith("/api/"):
        return errors.json_server_error(request)
    from django.views.defaults import server_error

    return server_error(request)
