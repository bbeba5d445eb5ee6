"""Request and response shapes around program instances. The instance's own shape (and the
parsing of its body) is the domain's, `ProgramInstanceSerializer` in instances/payloads.py, which
the views import from there; events carry `instances.payloads.instance_payload(instance)`.
"""

from rest_framework import serializers

from config.api.serializers import ApiSerializer


class TermsVersionSerializer(serializers.Serializer):
    version = serializers.IntegerField(read_only=True)
    text = serializers.CharField(read_only=True)
    sha256 = serializers.CharField(read_only=True, help_text="SHA-256 of the UTF-8 text, hex.")
    createdAt = serializers.DateTimeField(source="created_at", read_only=True)


class AddressSerializer(ApiSerializer):
    streetOne = serializers.CharField(required=False, allow_blank=True)
    streetTwo = serializers.CharField(required=False, allow_blank=True)
    city = serializers.CharField(required=False, allow_blank=True)
    state = serializers.CharField(required=False, allow_blank=True, max_length=32)
    postalCode = serializers.CharField(required=False, allow_blank=True, max_length=16)
    country = serializers.CharField(required=False, allow_blank=True)


class EligibilityCheckSerializer(ApiSerializer):
    """A person and device to check against the instance's rules (nothing is stored)."""

    address = AddressSerializer(required=False)
    deviceType = serializers.CharField(required=False, allow_blank=True)
    manufacturerSlugs = serializers.ListField(
        child=serializers.CharField(), required=False, allow_empty=True
    )
    deviceCapacity = serializers.FloatField(required=False, allow_null=True, min_value=0)
    referenceId = serializers.CharField(required=False, allow_blank=True)
    customerId = serializers.CharField(
        required=False,
        help_text="A customer of this workspace: their current enrollments feed "
        "excludeProgramSlugs.",
    )
    enrolledProgramSlugs = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text="Program (or instance) slugs the person is currently enrolled in, added to "
        "those found through customerId.",
    )


class RuleResultSerializer(serializers.Serializer):
    rule = serializers.CharField()
    passed = serializers.BooleanField()
    detail = serializers.CharField()


class EligibilityResultSerializer(serializers.Serializer):
    eligible = serializers.BooleanField()
    reason = serializers.CharField()
    rules = RuleResultSerializer(many=True)
    criteriaVersion = serializers.IntegerField()
