"""Serializer conventions shared by every endpoint: camelCase names and strict bodies."""

from rest_framework import serializers


def to_camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


class StrictFieldsMixin:
    """Reject body keys the serializer does not know, naming them (silent loss is a bug).

    Read-only fields are known: sending back what a GET returned is harmless and ignored.
    """

    def to_internal_value(self, data):
        if isinstance(data, dict):
            known = set(self.fields)
            unknown = sorted(key for key in data if key not in known)
            if unknown:
                raise serializers.ValidationError(
                    {"nonFieldErrors": [f"Unknown field(s): {', '.join(unknown)}."]}
                    | {key: ["Unknown field."] for key in unknown}
                )
        return super().to_internal_value(data)


class CamelCaseMixin:
    """Expose model fields under camelCase names (`created_at` -> `createdAt`)."""

    def get_fields(self):
        renamed = {}
        for name, field in super().get_fields().items():
            camel = to_camel(name)
            if camel != name and field.source is None:
                field.source = name
            renamed[camel] = field
        return renamed


class ApiModelSerializer(StrictFieldsMixin, CamelCaseMixin, serializers.ModelSerializer):
    """Base for every model serializer of the API."""


class ApiSerializer(StrictFieldsMixin, serializers.Serializer):
    """Base for request bodies that are not a model (actions, dry runs)."""
