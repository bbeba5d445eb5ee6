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


def compiled_representation(serializer_class):
    """`serializer_class(instance).data` as a plain function: instance -> dict of JSON types.

    For the bulk paths, where DRF's per-field machinery (get_attribute's error handling,
    SkipField checks, ReturnDict) and a JSON round trip to plain types cost more than the rest
    of a row's work. The fields are still the serializer's: their names, sources and
    `to_representation`, read once here, so the two cannot describe different shapes (a test
    compares them on every enrollment shape). Only read-only serializers whose fields do not
    read the context belong here (the same rule as PrecomputedFieldsMixin).
    """
    plan = []
    for name, field in serializer_class().fields.items():
        if field.write_only:
            continue
        nested = isinstance(field, serializers.Serializer) and (
            type(field).to_representation is serializers.Serializer.to_representation
        )
        convert = compiled_representation(type(field)) if nested else field.to_representation
        plan.append((name, tuple(field.source_attrs), convert))

    def represent(instance) -> dict:
        out = {}
        for name, attrs, convert in plan:
            value = instance
            for attr in attrs:
                value = getattr(value, attr)
            out[name] = None if value is None else convert(value)
        return out

    return represent
