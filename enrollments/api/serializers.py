"""Request and response shapes of customers, leads and enrollments (camelCase, strict bodies).

Responses carry the spec sample's shape: `address` object, `meta` (= `metadata`),
`eligibility {status, reason, programInstanceId}` mirroring `eligibilityStatus` /
`eligibilityReason`, and `allowedTransitions`. Bodies are validated for types here; the rules
that depend on data (identification, duplicates, open instance) live in enrollments.services.
"""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from config.api.serializers import ApiModelSerializer, ApiSerializer
from enrollments.api.inputs import enrollment_input_fields
from enrollments.models import (
    Customer,
    EnrollmentStatus,
    IdentificationType,
    Lead,
)

# The public shape of an enrollment is the domain's (enrollments.payloads): the API renders it,
# events and emails carry it. The request shapes below build on it.
from enrollments.payloads import (
    EnrollmentSerializer,
    PostalAddressSerializer,
)

STATUS_INPUTS = ("status", "eligibilityStatus", "eligibility", "eligibilityReason")
TRANSITIONS_HINT = (
    "The status changes only through POST /api/v1/enrollments/{id}/transitions "
    '(body {"to": "<status>", "reason": "..."}) or POST /api/v1/enrollments/{id}/evaluate.'
)


def _text(max_length: int, **kwargs):
    return serializers.CharField(
        max_length=max_length, required=False, allow_blank=True, trim_whitespace=True, **kwargs
    )


class MetadataField(serializers.JSONField):
    """Free-form program data: must be a JSON object (null means {})."""

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise serializers.ValidationError("Must be a JSON object.")
        return value


@extend_schema_field({"type": "object", "additionalProperties": True})
class _MetadataSchemaField(MetadataField):
    pass


# --- customers and leads ----------------------------------------------------------------------
class CustomerSerializer(ApiModelSerializer):
    address = PostalAddressSerializer(source="*", required=False)
    metadata = _MetadataSchemaField(required=False, allow_null=True)

    class Meta:
        model = Customer
        fields = [
            "id",
            "first_name",
            "last_name",
            "email",
            "phone",
            "address",
            "reference_id",
            "metadata",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]
        # Uniqueness (409 with the existing id) is the service's job, not a 400 from here.
        extra_kwargs = {"email": {"validators": []}}


class LeadSerializer(ApiModelSerializer):
    address = PostalAddressSerializer(source="*", required=False)
    metadata = _MetadataSchemaField(required=False, allow_null=True)
    customer_id = serializers.CharField(
        read_only=True, allow_null=True, help_text="Set once the lead became a customer."
    )

    class Meta:
        model = Lead
        fields = [
            "id",
            "first_name",
            "last_name",
            "email",
            "phone",
            "address",
            "reference_id",
            "metadata",
            "customer_id",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "customer_id", "created_at", "updated_at"]


# --- enrollments: responses (EnrollmentSerializer: see enrollments.payloads) -------------------
class ConsentInputSerializer(ApiSerializer):
    """What a caller may say about consent; the server adds the terms version and hash."""

    acceptedAt = serializers.DateTimeField(source="accepted_at", required=False)
    ipAddress = serializers.IPAddressField(source="ip_address", required=False, allow_null=True)
    userAgent = serializers.CharField(
        source="user_agent", required=False, allow_blank=True, max_length=500
    )


class EvaluationRuleSerializer(serializers.Serializer):
    rule = serializers.CharField()
    passed = serializers.BooleanField()
    detail = serializers.CharField()


class EvaluationSerializer(serializers.Serializer):
    eligible = serializers.BooleanField()
    reason = serializers.CharField()
    rules = EvaluationRuleSerializer(many=True)


class EnrollmentEvaluatedSerializer(EnrollmentSerializer):
    evaluation = EvaluationSerializer(read_only=True)


class ActorSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=["apiKey", "user", "system"])
    id = serializers.CharField(allow_null=True)
    label = serializers.CharField()


class EnrollmentStatusChangeSerializer(serializers.Serializer):
    """One history row: `{id, from, to, reason, metadata, actor, at}`."""

    def get_fields(self):
        return {
            "id": serializers.CharField(read_only=True),
            "from": serializers.CharField(source="from_status", read_only=True),
            "to": serializers.CharField(source="to_status", read_only=True),
            "reason": serializers.CharField(read_only=True),
            "metadata": serializers.DictField(read_only=True),
            "actor": serializers.SerializerMethodField(),
            "at": serializers.DateTimeField(source="created_at", read_only=True),
        }

    @extend_schema_field(ActorSerializer)
    def get_actor(self, change) -> dict:
        if change.actor_api_key_id:
            kind, ident = "apiKey", change.actor_api_key_id
        elif change.actor_user_id:
            kind, ident = "user", change.actor_user_id
        else:
            kind, ident = "system", None
        return {"type": kind, "id": ident, "label": change.actor_label}


# --- enrollments: requests --------------------------------------------------------------------
class EnrollmentWriteSerializer(ApiSerializer):
    """The body of PATCH /enrollments/{id}; the create bodies add identification. Its fields
    are the enrollment's input spec (`enrollment_input_fields`), checked by the spec."""

    def get_fields(self):
        return {**enrollment_input_fields(), **super().get_fields()}

    def to_internal_value(self, data):
        if isinstance(data, dict):
            given = [name for name in STATUS_INPUTS if name in data]
            if given:
                raise serializers.ValidationError({name: [TRANSITIONS_HINT] for name in given})
        return super().to_internal_value(data)

    def validate(self, attrs):
        if "meta" in attrs:
            meta = attrs.pop("meta")
            if "metadata" in attrs and attrs["metadata"] != meta:
                raise serializers.ValidationError(
                    {"meta": ["meta and metadata are the same field; send one of them."]}
                )
            attrs["metadata"] = meta
        return attrs


class EnrollmentCreateSerializer(EnrollmentWriteSerializer):
    """POST /programInstances/{instanceId}/enrollments."""

    identificationType = serializers.ChoiceField(
        source="identification_type", choices=IdentificationType.choices
    )
    customerId = serializers.CharField(source="customer_id", required=False, max_length=25)
    leadId = serializers.CharField(source="lead_id", required=False, max_length=25)
    enrollmentId = serializers.CharField(source="enrollment_id", required=False, max_length=25)
    programInstanceId = serializers.CharField(
        required=False, max_length=25, help_text="Optional here; must match the path."
    )
    language = serializers.ChoiceField(
        choices=[("en", "English"), ("es", "Spanish")],
        required=False,
        help_text="The customer's language for their emails (default en).",
    )
    consent = ConsentInputSerializer(
        required=False,
        allow_null=True,
        help_text="The customer's acceptance of the instance's current terms; the server "
        "records the terms version and SHA-256.",
    )


class EnrollmentCreateWithInstanceSerializer(EnrollmentCreateSerializer):
    """POST /enrollments: the instance is named in the body."""

    programInstanceId = serializers.CharField(max_length=25)


class TransitionSerializer(ApiSerializer):
    to = serializers.ChoiceField(choices=EnrollmentStatus.choices)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")
    metadata = _MetadataSchemaField(required=False, allow_null=True)
    startDate = serializers.DateTimeField(
        required=False,
        allow_null=True,
        input_formats=["iso-8601", "%Y-%m-%d"],
        help_text="Approval only: the enrollmentStartDate (default: now). Date or datetime.",
    )


class InvitationSerializer(serializers.Serializer):
    """The answer of POST /enrollments/{id}/invite (202: the email is on its way)."""

    sentTo = serializers.EmailField(source="sent_to", read_only=True)
    expiresAt = serializers.DateTimeField(source="expires_at", read_only=True)
