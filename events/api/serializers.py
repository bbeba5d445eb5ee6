from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from config.api.serializers import ApiModelSerializer, ApiSerializer
from events.models import Event, WebhookAttempt, WebhookDelivery, WebhookEndpoint

_EVENT_TYPE_CHOICE = serializers.ChoiceField(
    choices=Event.Type.values,
    error_messages={
        "invalid_choice": (
            '"{input}" is not an event type. Known types: ' + ", ".join(Event.Type.values) + "."
        )
    },
)


class EventSerializer(ApiModelSerializer):
    workspace_id = serializers.CharField(read_only=True)
    data = serializers.JSONField(
        read_only=True, help_text="{object: <as the API returns it>, previousStatus?}"
    )
    actor = serializers.SerializerMethodField(
        help_text="Who made the change: {type: user|apiKey|system|public, id, name}; null on "
        "events recorded before actors were kept."
    )

    class Meta:
        model = Event
        fields = ["id", "type", "created_at", "workspace_id", "actor", "data"]
        read_only_fields = fields

    @extend_schema_field(serializers.JSONField(allow_null=True))
    def get_actor(self, event) -> dict | None:
        return event.actor or None

    def to_representation(self, instance):
        body = super().to_representation(instance)
        if self.context.get("redact_personal"):
            from events.redaction import redact_event_data

            body["data"] = redact_event_data(body["data"])
        return body


class WebhookEndpointSerializer(ApiModelSerializer):
    url = serializers.CharField(
        max_length=2000, help_text="http(s) URL of your receiver; must resolve to a public address."
    )
    event_types = serializers.ListField(
        child=_EVENT_TYPE_CHOICE,
        required=False,
        help_text="The event types to send; empty or omitted: every type.",
    )
    description = serializers.CharField(max_length=500, required=False, allow_blank=True)
    enabled = serializers.BooleanField(
        required=False, help_text="Disabled endpoints receive nothing. Enable to resume."
    )

    class Meta:
        model = WebhookEndpoint
        fields = [
            "id",
            "url",
            "description",
            "event_types",
            "enabled",
            "disabled_reason",
            "disabled_at",
            "last_success_at",
            "previous_secret_expires_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "id",
            "disabled_reason",
            "disabled_at",
            "last_success_at",
            "previous_secret_expires_at",
            "created_at",
            "updated_at",
        ]


class WebhookEndpointCreatedSerializer(WebhookEndpointSerializer):
    secret = serializers.CharField(
        read_only=True, help_text="whsec_... signing secret. Shown once, here; store it now."
    )

    class Meta(WebhookEndpointSerializer.Meta):
        fields = [*WebhookEndpointSerializer.Meta.fields, "secret"]


class WebhookSecretSerializer(serializers.Serializer):
    id = serializers.CharField()
    secret = serializers.CharField(help_text="The new whsec_... secret. Shown once.")
    previousSecretExpiresAt = serializers.DateTimeField(
        help_text="Until then the old secret keeps signing alongside the new one."
    )


class EmptyBodySerializer(ApiSerializer):
    """Actions that take no body still reject unknown fields."""


class WebhookAttemptSerializer(ApiModelSerializer):
    class Meta:
        model = WebhookAttempt
        fields = [
            "id",
            "attempted_at",
            "status_code",
            "duration_ms",
            "error",
            "response_body",
            "succeeded",
        ]
        read_only_fields = fields


class WebhookDeliverySerializer(ApiModelSerializer):
    webhook_id = serializers.CharField(source="endpoint_id", read_only=True)
    event_id = serializers.CharField(read_only=True, allow_null=True)
    attempts = WebhookAttemptSerializer(many=True, read_only=True)
    payload = serializers.SerializerMethodField()

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "webhook_id",
            "event_id",
            "event_type",
            "status",
            "attempt_count",
            "next_attempt_at",
            "last_attempt_at",
            "last_status_code",
            "last_error",
            "delivered_at",
            "created_at",
            "attempts",
            "payload",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.JSONField(allow_null=True))
    def get_payload(self, obj):
        """Only test messages carry their own payload; an event's is at GET /events/{id}."""
        return obj.payload
