from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts import scopes as scope_names
from accounts.models import ApiKey
from config.api.serializers import ApiModelSerializer


class ApiKeySerializer(ApiModelSerializer):
    scopes = serializers.ListField(
        child=serializers.ChoiceField(choices=scope_names.ALL_SCOPES),
        required=False,
        allow_empty=False,
        help_text="Omit for a full key (every workspace scope you hold), or list a subset.",
    )
    revoked = serializers.SerializerMethodField()
    created_by = serializers.CharField(source="created_by_label", read_only=True)

    class Meta:
        model = ApiKey
        fields = [
            "id",
            "name",
            "prefix",
            "scopes",
            "created_at",
            "created_by",
            "last_used_at",
            "expires_at",
            "revoked_at",
            "revoked",
            "require_if_match",
        ]
        read_only_fields = ["id", "prefix", "created_at", "last_used_at", "revoked_at"]

    @extend_schema_field(serializers.BooleanField())
    def get_revoked(self, obj) -> bool:
        return obj.is_revoked


class ApiKeyCreatedSerializer(ApiKeySerializer):
    key = serializers.CharField(
        read_only=True, help_text="The raw key. Shown once, here; store it now."
    )

    class Meta(ApiKeySerializer.Meta):
        fields = [*ApiKeySerializer.Meta.fields, "key"]


class NamedRefSerializer(serializers.Serializer):
    id = serializers.CharField()
    slug = serializers.CharField()
    name = serializers.CharField()


class MeApiKeySerializer(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField()
    prefix = serializers.CharField()
    scopes = serializers.ListField(child=serializers.CharField())


class MeUserSerializer(serializers.Serializer):
    id = serializers.CharField()
    username = serializers.CharField()
    role = serializers.CharField()
    scopes = serializers.ListField(child=serializers.CharField())


class MeSerializer(serializers.Serializer):
    workspace = NamedRefSerializer()
    organization = NamedRefSerializer()
    apiKey = MeApiKeySerializer(allow_null=True)
    user = MeUserSerializer(allow_null=True)
