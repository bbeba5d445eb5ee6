"""Serializer conventions shared by every endpoint: camelCase names and strict bodies."""

from datetime import datetime
from functools import cached_property

from django.conf import settings
from django.utils import timezone
from rest_framework import ISO_8601, serializers
from rest_framework.settings import api_settings


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
        convert = compiled_representation(type(field)) if nested else _fast_converter(field)
        plan.append((name, tuple(field.source_attrs), convert, _is_iso_datetime(field)))
    dated = any(is_datetime for *_, is_datetime in plan)

    def represent(instance) -> dict:
        zone = timezone.get_current_timezone() if dated else None
        out = {}
        for name, attrs, convert, is_datetime in plan:
            value = instance
            for attr in attrs:
                value = getattr(value, attr)
            if value is None:
                out[name] = None
            elif is_datetime and isinstance(value, datetime) and timezone.is_aware(value):
                text = value.astimezone(zone).isoformat()
                out[name] = text[:-6] + "Z" if text.endswith("+00:00") else text
            else:
                out[name] = convert(value)
        return out

    return represent


def _fast_converter(field):
    """The field's `to_representation`, or a builtin doing exactly what it does (str, int):
    a method call per cell is a visible share of a 10,000-row bulk action."""
    method = type(field).to_representation
    if method is serializers.CharField.to_representation:
        return str
    if method is serializers.IntegerField.to_representation:
        return int
    return field.to_representation


def _is_iso_datetime(field) -> bool:
    """A DateTimeField rendered as DRF does by default (ISO 8601 in the current time zone, `Z`
    for UTC): `represent` then formats aware datetimes itself, with the zone read once per
    object instead of once per cell (DRF's `enforce_timezone`); naive ones still go through
    the field."""
    if not isinstance(field, serializers.DateTimeField) or hasattr(field, "timezone"):
        return False
    output = getattr(field, "format", api_settings.DATETIME_FORMAT)
    return isinstance(output, str) and output.lower() == ISO_8601 and settings.USE_TZ
