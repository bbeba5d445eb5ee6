"""Serializer conventions shared by every endpoint: camelCase names and strict bodies."""

from functools import cached_property

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


class PrecomputedFieldsMixin:
    """For response-only serializers: build and bind the fields once per class, not per call.

    DRF deep-copies every declared field each time a serializer is created (~30 fields for an
    enrollment), which cost more than the SQL of a GET by id. A response serializer's fields
    hold no per-request state while they render (no context, no validation), so one bound set
    serves every instance. Never use it on a serializer that validates input, or whose fields
    read the context (SerializerMethodField, HyperlinkedIdentityField).
    """

    @cached_property
    def fields(self):
        cls = type(self)
        shared = cls.__dict__.get("_shared_fields")
        if shared is None:
            shared = super().fields
            cls._shared_fields = shared
        return shared
