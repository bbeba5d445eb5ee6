from drf_spectacular.utils import extend_schema
from rest_framework import status, viewsets
from rest_framework.response import Response

from accounts import scopes as scope_names
from accounts.api.serializers import ApiKeyCreatedSerializer, ApiKeySerializer, MeSerializer
from accounts.models import ApiKey
from accounts.services import api_key_create, api_key_revoke
from config.api.viewsets import ScopedModelViewSet, WorkspaceScopedViewSetMixin


def _ref(obj) -> dict:
    return {"id": obj.pk, "slug": obj.slug, "name": obj.name}


class MeViewSet(WorkspaceScopedViewSetMixin, viewsets.ViewSet):
    """Who the caller is: its workspace, organization and key (or dashboard user)."""

    # `retrieve`, not `list`: the answer is one object, and the schema must say so.
    @extend_schema(responses=MeSerializer, operation_id="me_retrieve")
    def retrieve(self, request):
        tenant = self.tenant
        key = tenant.api_key
        body = {
            "workspace": _ref(tenant.workspace),
            "organization": _ref(tenant.organization),
            "apiKey": (
                {"id": key.pk, "name": key.name, "prefix": key.prefix, "scopes": key.scopes}
                if key
                else None
            ),
            "user": (
                {
                    "id": tenant.user.pk,
                    "username": tenant.user.get_username(),
                    "role": tenant.role,
                    "scopes": sorted(tenant.scopes),
                }
                if tenant.user
                else None
            ),
        }
        return Response(body)


class ApiKeyViewSet(ScopedModelViewSet):
    """The workspace's API keys. DELETE revokes (the row stays, for the audit trail)."""

    queryset = ApiKey.objects.select_related("created_by_user", "created_by_key")
    serializer_class = ApiKeySerializer
    read_scope = scope_names.API_KEYS_MANAGE
    write_scope = scope_names.API_KEYS_MANAGE
    http_method_names = ["get", "post", "delete", "head", "options"]

    @extend_schema(request=ApiKeySerializer, responses={201: ApiKeyCreatedSerializer})
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        tenant = self.tenant
        key, raw = api_key_create(
            workspace=tenant.workspace,
            name=data["name"],
            scopes=data.get("scopes"),
            expires_at=data.get("expires_at"),
            created_by_user=tenant.user,
            created_by_key=tenant.api_key,
            granter_scopes=tenant.scopes,
            require_if_match=data.get("require_if_match", False),
        )
        key.raw_key = raw
        body = ApiKeyCreatedSerializer(key, context=self.get_serializer_context()).data
        body["key"] = raw
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(responses={204: None})
    def destroy(self, request, *args, **kwargs):
        api_key_revoke(api_key=self.get_object(), actor=self.tenant)
        return Response(status=status.HTTP_204_NO_CONTENT)
