"""The base viewsets. Every API viewset derives from `WorkspaceScopedViewSetMixin`.

`get_queryset()` is the API's only way to reach tenant data: it asks the model's manager for
`for_workspace(<caller's workspace>)`. A per-model viewset sets only `queryset` (for the model
and its select/prefetch), `serializer_class`, `filterset_class` and its scopes. A test walks
the router and fails if any viewset bypasses this mixin.
"""

from django.core.exceptions import ImproperlyConfigured
from rest_framework import mixins, viewsets
from rest_framework.response import Response

from accounts.tenancy import Tenant, get_tenant
from config.api.conditional import NotModified, check_preconditions, current_etag
from config.versioning import end_expectations, etag_of, start_expectations


class WorkspaceScopedViewSetMixin:
    lookup_value_regex = "[^/]+"
    read_scope: str | None = None
    write_scope: str | None = None
    action_scopes: dict[str, str | None] = {}
    # Detail actions whose 2xx response is the object itself, so they carry its ETag.
    etag_actions: frozenset[str] = frozenset({"retrieve", "update", "partial_update"})

    @property
    def tenant(self) -> Tenant:
        return get_tenant(self.request)

    def get_queryset(self):
        base = super().get_queryset()
        if not hasattr(base, "for_workspace"):
            raise ImproperlyConfigured(
                f"{type(self).__name__}.queryset must come from a manager with for_workspace()."
            )
        # Tenancy guard: the only place the API narrows a queryset to the caller's workspace.
        return base.for_workspace(self.tenant.workspace)

    def dispatch(self, request, *args, **kwargs):
        token = start_expectations()
        try:
            return super().dispatch(request, *args, **kwargs)
        finally:
            end_expectations(token)

    def filter_queryset(self, queryset):
        """Filters are for lists: a single-object route never builds the filter set (it cost
        more than the SQL of a GET by id, and `?status=x` on a detail URL must not 404)."""
        if getattr(self, "detail", False):
            return queryset
        return super().filter_queryset(queryset)

    def check_object_permissions(self, request, obj):
        """Every detail route passes here with its object: ETag preconditions live here."""
        super().check_object_permissions(request, obj)
        self._etag_object = obj
        check_preconditions(self, request, obj)

    def handle_exception(self, exc):
        if isinstance(exc, NotModified):
            return Response(status=304, headers={"ETag": exc.etag})
        return super().handle_exception(exc)

    def finalize_response(self, request, response, *args, **kwargs):
        obj = getattr(self, "_etag_object", None)
        if (
            obj is not None
            and 200 <= response.status_code < 300
            and response.status_code != 204
            and getattr(self, "action", None) in self.etag_actions
        ):
            safe = request.method in ("GET", "HEAD")
            etag = etag_of(obj) if safe else current_etag(obj)
            if etag:
                response["ETag"] = etag
        return super().finalize_response(request, response, *args, **kwargs)

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if getattr(self, "request", None) is not None and self.request.user.is_authenticated:
            context["tenant"] = get_tenant(self.request)
        return context


class ScopedModelViewSet(WorkspaceScopedViewSetMixin, viewsets.ModelViewSet):
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]


class ScopedReadOnlyViewSet(WorkspaceScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    pass


class ScopedCreateListRetrieveUpdateViewSet(
    WorkspaceScopedViewSetMixin,
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    http_method_names = ["get", "post", "patch", "head", "options"]
