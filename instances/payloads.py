"""The public shape of a program instance: ONE definition, owned by the domain.

`ProgramInstanceSerializer` parses an instance's body (aliases, rules, formConfig, dates) and
renders it; the API imports it from here (instances/api/views.py) and every
`programInstance.*` event carries `instance_payload(instance)`, its output as plain JSON, so a
webhook body equals the API's GET body. The services never import the API.
"""

import json

from django.core.serializers.json import DjangoJSONEncoder
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from config.api.serializers import ApiSerializer
from config.errors import DomainValidationError
from config.fields import DateOrDateTimeField
from instances.eligibility import RULE_KEYS, validate_criteria
from instances.formconfig import FORM_CONFIG_SCHEMA, form_config_validate
from instances.models import ProgramInstance
from instances.public import enrollment_page_url
from programs.payloads import ProgramRefSerializer

# The spec names three fields two ways; both are accepted and both returned.
ALIASES = (("name", "title"), ("customTerms", "programTerms"), ("metadata", "customFields"))

CRITERIA_SCHEMA = {
    "oneOf": [
        {"type": "string", "description": "Requirements for people to read."},
        {
            "type": "object",
            "additionalProperties": False,
            "description": "Machine-checked rules; every rule given must pass.",
            "properties": {
                "regions": {"type": "array", "items": {"type": "string"}, "example": ["NY"]},
                "postalCodes": {
                    "type": "array",
                    "items": {"type": "string"},
                    "description": "ZIP codes, ZIP+4, or prefixes ending in * (100*).",
                },
                "deviceTypes": {"type": "array", "items": {"type": "string"}},
                "manufacturers": {"type": "array", "items": {"type": "string"}},
                "minimumCapacity": {"type": "number", "minimum": 0},
                "maximumCapacity": {"type": "number", "minimum": 0},
                "excludeProgramSlugs": {
                    "type": "array",
                    "items": {"type": "string"},
                    "description": "Not while currently enrolled in these programs/instances.",
                },
                "requireReferenceId": {"type": "boolean"},
            },
        },
    ],
    "nullable": True,
}


def _domain_to_drf(exc: DomainValidationError) -> serializers.ValidationError:
    return serializers.ValidationError(exc.message)


@extend_schema_field(CRITERIA_SCHEMA)
class EligibilityCriteriaField(serializers.Field):
    default_error_messages = {"invalid": "Must be a string or an object of rules."}

    def __init__(self, **kwargs):
        kwargs.setdefault("allow_null", True)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        try:
            return validate_criteria(data)
        except DomainValidationError as exc:
            raise _domain_to_drf(exc) from None

    def to_representation(self, value):
        return value


@extend_schema_field(FORM_CONFIG_SCHEMA)
class FormConfigField(serializers.Field):
    def __init__(self, **kwargs):
        kwargs.setdefault("allow_null", True)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        try:
            return form_config_validate(data)
        except DomainValidationError as exc:
            raise _domain_to_drf(exc) from None

    def to_representation(self, value):
        return value or {}


@extend_schema_field({"type": "object", "additionalProperties": True})
class JsonObjectField(serializers.Field):
    def __init__(self, **kwargs):
        kwargs.setdefault("allow_null", True)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, dict):
            raise serializers.ValidationError("Must be an object.")
        return data

    def to_representation(self, value):
        return value or {}


class ProgramInstanceSerializer(ApiSerializer):
    """A program instance. Writes go through instances.services; this class parses (aliases,
    rules, formConfig, dates) and renders. The same rendering is the event payload."""

    id = serializers.CharField(read_only=True)
    programId = serializers.CharField(
        source="program_id",
        required=False,
        max_length=25,
        help_text="On POST /programInstances: the program, by id (or give programSlug).",
    )
    programSlug = serializers.CharField(
        source="program.slug",
        required=False,
        max_length=120,
        help_text="On POST /programInstances: the program, by slug (or give programId).",
    )
    program = ProgramRefSerializer(read_only=True)
    workspaceId = serializers.CharField(source="workspace_id", read_only=True)
    organizationId = serializers.CharField(source="workspace.organization_id", read_only=True)
    name = serializers.CharField(
        required=False, max_length=200, help_text="Display name; `title` is the same field."
    )
    title = serializers.CharField(
        source="name", required=False, max_length=200, help_text="Alias of `name`."
    )
    description = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    slug = serializers.CharField(
        required=False,
        max_length=120,
        help_text="Unique platform-wide (addresses the enrollment page); generated from the "
        "name when absent; cannot change once set.",
    )
    logoUrl = serializers.URLField(
        source="logo_url", required=False, allow_blank=True, allow_null=True, max_length=500
    )
    eligibilityCriteria = EligibilityCriteriaField(
        source="eligibility_criteria",
        required=False,
        help_text="A string for people, or an object of rules: " + ", ".join(RULE_KEYS) + ".",
    )
    criteriaVersion = serializers.IntegerField(
        source="criteria_version",
        read_only=True,
        help_text="Goes up by one whenever eligibilityCriteria changes.",
    )
    customTerms = serializers.CharField(
        source="custom_terms", required=False, allow_blank=True, allow_null=True
    )
    programTerms = serializers.CharField(
        source="custom_terms",
        required=False,
        allow_blank=True,
        allow_null=True,
        help_text="Alias of `customTerms`.",
    )
    termsVersion = serializers.IntegerField(
        source="terms_version",
        read_only=True,
        allow_null=True,
        help_text="Current version of customTerms (each change of the text adds one; null: "
        "no terms). GET /programInstances/{instanceId}/terms lists them all.",
    )
    enrollmentUrl = serializers.SerializerMethodField(
        help_text="Absolute URL of the public enrollment page (SITE_URL + /enroll/{slug}/)."
    )
    formConfig = FormConfigField(source="form_config", required=False)
    startDate = DateOrDateTimeField(source="start_date", required=False, allow_null=True)
    endDate = DateOrDateTimeField(
        source="end_date",
        required=False,
        allow_null=True,
        end_of_day=True,
        help_text="After startDate. A bare date means the end of that day (UTC).",
    )
    status = serializers.ChoiceField(
        choices=ProgramInstance.Status.choices,
        required=False,
        help_text="active (default), inactive or archived. Archived instances are read-only; "
        "PATCH {status: active|inactive} restores one.",
    )
    metadata = JsonObjectField(required=False, help_text="Custom fields; `customFields` alias.")
    customFields = JsonObjectField(
        source="metadata", required=False, help_text="Alias of `metadata`."
    )
    autoEvaluate = serializers.BooleanField(
        source="auto_evaluate",
        required=False,
        help_text="When true, enrollments created through the API or the dashboard are "
        "evaluated at once (candidate → eligible or ineligible). Default false.",
    )
    createdAt = serializers.DateTimeField(source="created_at", read_only=True)
    updatedAt = serializers.DateTimeField(source="updated_at", read_only=True)

    def get_enrollmentUrl(self, instance) -> str:
        return enrollment_page_url(instance=instance)

    def to_internal_value(self, data):
        if isinstance(data, dict):
            conflicts = {
                alias: [f"Differs from {name}; send one of them, or the same value in both."]
                for name, alias in ALIASES
                if name in data and alias in data and data[name] != data[alias]
            }
            if conflicts:
                raise serializers.ValidationError(conflicts)
        return super().to_internal_value(data)

    def service_data(self) -> dict:
        """validated_data as the service's keyword fields (model field names)."""
        data = dict(self.validated_data)
        data.pop("program", None)
        data.pop("program_id", None)
        return data

    def program_reference(self) -> tuple[str | None, str | None]:
        data = self.validated_data
        return (data.get("program") or {}).get("slug"), data.get("program_id")


def instance_payload(instance: ProgramInstance) -> dict:
    """The instance as the API returns it, as plain JSON types (the events' `data.object`)."""
    data = ProgramInstanceSerializer(instance).data
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))
