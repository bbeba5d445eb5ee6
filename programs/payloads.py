"""How a program is shown inside other objects' payloads (an instance's `program`), owned by
the programs domain so that the instances' payloads need not import the programs API."""

from rest_framework import serializers


class ProgramRefSerializer(serializers.Serializer):
    """The parent program, embedded in an instance (the spec's `program: Program`)."""

    id = serializers.CharField()
    slug = serializers.CharField()
    name = serializers.CharField()
    type = serializers.CharField(allow_null=True)
    visibility = serializers.CharField()
    active = serializers.BooleanField()
    year = serializers.IntegerField(allow_null=True)

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["type"] = instance.type or None
        return data
