from rest_framework import serializers

from config.api.serializers import ApiModelSerializer
from config.fields import DateOrDateTimeField
from programs.models import Program


class ProgramSerializer(ApiModelSerializer):
    """A program of the catalog. Writes go through programs.services (slug, states index,
    visibility rules); this class only parses and renders."""

    slug = serializers.CharField(
        required=False,
        max_length=120,
        help_text="Unique platform-wide; generated from the name when absent; cannot change.",
    )
    type = serializers.ChoiceField(
        choices=Program.Type.choices, required=False, allow_null=True, allow_blank=True
    )
    states = serializers.ListField(
        child=serializers.CharField(max_length=8),
        required=False,
        help_text="US two-letter codes, any case on input; returned upper-case.",
    )
    visibility = serializers.ChoiceField(choices=Program.Visibility.choices, required=False)
    organization_id = serializers.CharField(
        required=False,
        allow_null=True,
        help_text="Private programs only: the organization that sees it. On input, the "
        "organization's id or its slug (the spec's example sends 'org_123456'); answered as "
        "the id.",
    )
    year = serializers.IntegerField(required=False, allow_null=True, min_value=1900)
    end_time = DateOrDateTimeField(required=False, allow_null=True, end_of_day=True)

    class Meta:
        model = Program
        fields = [
            "id",
            "slug",
            "name",
            "description",
            "type",
            "states",
            "active",
            "visibility",
            "year",
            "end_time",
            "organization_id",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]
        extra_kwargs = {"description": {"required": False, "allow_blank": True}}

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["type"] = instance.type or None
        return data
