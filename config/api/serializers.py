"""Serializer conventions shared by every endpoint: camelCase names and strict bodies."""

from collections.abc import Callable
from datetime import datetime
from functools import cached_property
from typing import Any

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
    return _compile(serializer_class.__name__, plan)


def _compile(name: str, plan: list) -> Callable[[Any], dict]:
    """The plan as ONE generated function: a dict display of every field, each value read by
    plain attribute access, `None` kept, datetimes formatted with the zone read once, the rest
    through the field's converter. A loop over the plan cost about as much as the values
    themselves (10,000 payloads per bulk run); the source is generated from the serializer's
    own fields, so nothing is written twice, and `represent.__source__` shows it."""
    namespace: dict[str, Any] = {"_iso": _iso, "_zone": timezone.get_current_timezone}
    lines = [f"def represent(instance):  # {name}"]
    if any(is_datetime for *_, is_datetime in plan):
        lines.append("    zone = _zone()")
    members = []
    for number, (key, attrs, convert, is_datetime) in enumerate(plan):
        if not all(attr.isidentifier() for attr in attrs):
            raise ValueError(f"{name}.{key}: source {'.'.join(attrs)!r} is not attributes")
        lines.append(f"    v{number} = instance{''.join('.' + attr for attr in attrs)}")
        namespace[f"c{number}"] = convert
        value = f"_iso(v{number}, zone, c{number})" if is_datetime else f"c{number}(v{number})"
        members.append(f"        {key!r}: None if v{number} is None else {value},")
    source = "\n".join([*lines, "    return {", *members, "    }", ""])
    exec(compile(source, f"<represent {name}>", "exec"), namespace)
    represent = namespace["represent"]
    represent.__source__ = source
    return represent


def _iso(value, zone, convert):
    """DRF's DateTimeField output for an aware datetime, with the zone given (see
    `_is_iso_datetime`); anything else through the field."""
    if isinstance(value, datetime) and timezone.is_aware(value):
        text = value.astimezone(zone).isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text
    return convert(value)


def _fast_converter(field):
    """The field's `to_representation`, or a function doing exactly what it does with fewer
    steps (str, int, a choice looked up, a list or dict of those): a method call per cell is a
    visible share of a 10,000-row bulk action."""
    method = type(field).to_representation
    if method is serializers.CharField.to_representation:
        return str
    if method is serializers.IntegerField.to_representation:
        return int
    if method is serializers.ChoiceField.to_representation:
        return _choice_converter(field)
    if method in (serializers.ListField.to_representation, serializers.DictField.to_representation):
        child = _fast_converter(field.child)
        if method is serializers.ListField.to_representation:
            return lambda items: [None if item is None else child(item) for item in items]
        return lambda value: {
            str(key): None if item is None else child(item) for key, item in value.items()
        }
    return field.to_representation


def _choice_converter(field):
    """ChoiceField's output: a plain string is looked up among the choices (DRF's rule); an
    Enum or any other value goes through the field itself."""
    lookup = field.choice_strings_to_values.get
    slow = field.to_representation

    def convert(value):
        if type(value) is str:
            return lookup(value, value) if value else value
        return slow(value)

    return convert


def _is_iso_datetime(field) -> bool:
    """A DateTimeField rendered as DRF does by default (ISO 8601 in the current time zone, `Z`
    for UTC): `represent` then formats aware datetimes itself, with the zone read once per
    object instead of once per cell (DRF's `enforce_timezone`); naive ones still go through
    the field."""
    if not isinstance(field, serializers.DateTimeField) or hasattr(field, "timezone"):
        return False
    output = getattr(field, "format", api_settings.DATETIME_FORMAT)
    return isinstance(output, str) and output.lower() == ISO_8601 and settings.USE_TZ
