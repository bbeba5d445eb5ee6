"""The base viewsets. Every API viewset derives from `WorkspaceScopedViewSetMixin`.

`get_queryset()` is the API's only way to reach tenant data: it asks the model's manager for
`for_workspace(<caller's workspace>)`. A per-model viewset sets only `queryset` (for the model
and its select/prefetch), `serializer_class`, `filterset_class` and its scopes. A test walks
the router and fails if any viewset bypasses this mixin.
"""

from django.core.exceptions import ImproperlyConfigured
from rest_framework import mixins, viewsets

from accounts.tenancy import Tenant, get_tenant


class WorkspaceScopedViewSetMixin:
    lookup_value_regex = "[^/]+"
    read_scope: str | None = None
    write_scope: str | None = None
    action_scopes: dict[str, str | None] = {}

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
