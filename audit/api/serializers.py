from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from audit.models import AuditEntry
from config.api.serializers import ApiModelSerializer


class AuditActorSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=AuditEntry.ActorType.values)
    id = serializers.CharField(help_text="The user's or API key's id; empty for system/public.")
    name = serializers.CharField()


class AuditEntrySerializer(ApiModelSerializer):
    """`{id, at, workspaceId, actor: {type, id, name}, action, objectType, objectId, objectName,
    changes: {field: [before, after]}, details, ipAddress, idempotencyKey}`; `idempotencyKey` is
    the Idempotency-Key of the API request that made the change ("" for other doors)."""

    workspace_id = serializers.CharField(read_only=True)
    actor = serializers.SerializerMethodField()
    object_name = serializers.CharField(source="object_repr", read_only=True)
    changes = serializers.JSONField(read_only=True, help_text="{field: [before, after]}")
    details = serializers.JSONField(read_only=True, help_text="e.g. a bulk run's counts")

    class Meta:
        model = AuditEntry
        fields = [
            "id",
            "at",
            "workspace_id",
            "actor",
            "action",
            "object_type",
            "object_id",
            "object_name",
            "changes",
            "details",
            "ip_address",
            "idempotency_key",
        ]
        read_only_fields = fields

    @extend_schema_field(AuditActorSerializer)
    def get_actor(self, entry) -> dict:
        return entry.actor
