"""Every API view must reach data only through the workspace-scoped base (architecture rule 1)."""

from django.urls import URLPattern, URLResolver, get_resolver
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from config.api.viewsets import WorkspaceScopedViewSetMixin

DOCUMENTATION_VIEWS = (SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView)


def _walk(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.callback


def test_every_api_view_uses_the_scoped_base():
    api_views = [
        (route, cb)
        for route, cb in _walk(get_resolver().url_patterns)
        if route.startswith("api/v1/")
    ]
    checked = 0
    offenders = []
    for route, callback in api_views:
        cls = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
        if cls is None:
            # Plain functions are only allowed for the JSON 404 catch-all.
            assert callback.__name__ == "json_not_found", route
            continue
        if issubclass(cls, DOCUMENTATION_VIEWS):
            continue
        checked += 1
        if not issubclass(cls, WorkspaceScopedViewSetMixin):
            offenders.append(f"{route} -> {cls.__name__}")
    assert not offenders, "API views bypassing the workspace-scoped base: " + ", ".join(offenders)
    assert checked >= 2
