from django.contrib import admin
from django.urls import include, path

from config.api import errors

admin.site.site_header = "GridPrograms staff admin"
admin.site.site_title = "GridPrograms admin"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("config.api.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("enroll.urls")),
    path("", include("dashboard.urls")),
]


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
