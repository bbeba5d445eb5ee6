"""The public shape of an enrollment: ONE definition, owned by the domain.

The API renders enrollments with `EnrollmentSerializer` (imported from here), and
every event's `data.object` and every email context is `enrollment_payload(enrollment)`, the
same serializer's output as plain JSON. So a webhook body equals the API's GET body (tested in
tests/enrollments/test_payloads.py), and the services never import the API to build events.
"""

from rest_framework import serializers

from config.api.serializers import (
    ApiSerializer,
    PrecomputedFieldsMixin,
    compiled_representation,
)
from enrollments.models import (
    EnrollmentSource,
    EnrollmentStatus,
    IdentificationType,
)


def _text(max_length: int, **kwargs):
    return serializers.CharField(
        max_length=max_length, required=False, allow_blank=True, trim_whitespace=True, **kwargs
    )


class PostalAddressSerializer(ApiSerializer):
    streetOne = _text(200, source="street_one")
    streetTwo = _text(200, source="street_two")
    city = _text(100)
    state = _text(50, help_text="For US addresses the two-letter code (e.g. NY).")
    postalCode = _text(20, source="postal_code")
    country = _text(60)


class EligibilitySerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=EnrollmentStatus.choices, read_only=True)
    reason = serializers.CharField(source="eligibility_reason", read_only=True)
    programInstanceId = serializers.CharField(source="program_instance_id", read_only=True)


class ConsentSerializer(serializers.Serializer):
    """Evidence that the customer accepted the instance's terms (null: none recorded)."""

    termsVersion = serializers.IntegerField(allow_null=True, read_only=True)
    termsSha256 = serializers.CharField(allow_null=True, read_only=True)
    acceptedAt = serializers.DateTimeField(read_only=True)
    ipAddress = serializers.IPAddressField(allow_null=True, read_only=True)
    userAgent = serializers.CharField(allow_null=True, read_only=True)

    def to_representation(self, instance):
        return dict(instance) if instance else None


class EnrollmentSerializer(PrecomputedFieldsMixin, serializers.Serializer):
    """An enrollment as every endpoint (and every event's `data.object`) returns it."""

    id = serializers.CharField(read_only=True)
    programInstanceId = serializers.CharField(source="program_instance_id", read_only=True)
    identificationType = serializers.ChoiceField(
        source="identification_type", choices=IdentificationType.choices, read_only=True
    )
    leadId = serializers.CharField(source="lead_id", read_only=True, allow_null=True)
    customerId = serializers.CharField(source="customer_id", read_only=True)
    enrollmentId = serializers.CharField(
        source="previous_enrollment_id",
        read_only=True,
        allow_null=True,
        help_text="The enrollment this one continues (identificationType enrollmentId).",
    )
    firstName = serializers.CharField(source="first_name", read_only=True)
    lastName = serializers.CharField(source="last_name", read_only=True)
    email = serializers.CharField(read_only=True)
    phone = serializers.CharField(read_only=True)
    address = PostalAddressSerializer(source="*", read_only=True)
    manufacturerSlugs = serializers.ListField(
        source="manufacturer_slugs", child=serializers.CharField(), read_only=True
    )
    deviceType = serializers.CharField(source="device_type", read_only=True)
    deviceCapacity = serializers.FloatField(
        source="device_capacity", read_only=True, allow_null=True, help_text="kWh"
    )
    serialNumber = serializers.CharField(source="serial_number", read_only=True)
    referenceId = serializers.CharField(source="reference_id", read_only=True)
    referenceDescription = serializers.CharField(source="reference_description", read_only=True)
    tags = serializers.ListField(child=serializers.CharField(), read_only=True)
    metadata = serializers.DictField(read_only=True)
    meta = serializers.DictField(source="metadata", read_only=True, help_text="= metadata")
    eligibilityStatus = serializers.ChoiceField(
        source="status", choices=EnrollmentStatus.choices, read_only=True
    )
    eligibilityReason = serializers.CharField(source="eligibility_reason", read_only=True)
    eligibility = EligibilitySerializer(source="*", read_only=True)
    enrollmentStartDate = serializers.DateTimeField(
        source="enrollment_start_date", read_only=True, allow_null=True
    )
    exitReason = serializers.CharField(
        source="exit_reason", read_only=True, help_text="Why the customer was unenrolled."
    )
    allowedTransitions = serializers.ListField(
        source="allowed_transitions",
        child=serializers.ChoiceField(choices=EnrollmentStatus.choices),
        read_only=True,
        help_text=(
            "Statuses reachable now by the lifecycle's rules (not filtered by the caller's "
            "scopes: approved/rejected also need enrollments:review)."
        ),
    )
    source = serializers.ChoiceField(
        choices=EnrollmentSource.choices,
        read_only=True,
        help_text="The door it came in through: api, form (the public page), dashboard, import.",
    )
    consent = ConsentSerializer(read_only=True, allow_null=True)
    language = serializers.CharField(
        read_only=True, help_text="The customer's language for their emails: en or es."
    )
    createdAt = serializers.DateTimeField(source="created_at", read_only=True)
    updatedAt = serializers.DateTimeField(source="updated_at", read_only=True)


enrollment_payload = compiled_representation(EnrollmentSerializer)
enrollment_payload.__doc__ = """The enrollment as the API returns it, as plain JSON types (events,
emails): `EnrollmentSerializer(enrollment).data` without DRF's per-row machinery (equal on
every shape: tests/enrollments/test_payloads.py)."""
