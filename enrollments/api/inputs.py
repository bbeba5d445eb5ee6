"""The API's request fields of an enrollment, built from the input spec (enrollments.inputs).

One DRF field per spec field: its value is cleaned by the spec itself (so the API refuses with
the words every other door gives, on the same field), and its OpenAPI schema is read from the
same limits. Nothing here declares a length or a format of its own.
"""

from drf_spectacular.drainage import set_override
from rest_framework import serializers

from config.api.serializers import ApiSerializer
from enrollments.inputs.field import ADDRESS, InputError, InputField
from enrollments.inputs.spec import BY_NAME, FIELDS


def input_schema(spec: InputField) -> dict:
    """The field's OpenAPI schema, from its spec."""
    if spec.kind == "decimal":
        return {"type": "number", "minimum": 0, "nullable": True, "description": str(spec.label)}
    if spec.kind == "object":
        return {"type": "object", "additionalProperties": True, "nullable": True}
    text: dict = {"type": "string"}
    if spec.max_length:
        text["maxLength"] = spec.max_length
    if spec.kind == "email":
        text["format"] = "email"
    if spec.is_list:
        schema: dict = {"type": "array", "items": text}
        if spec.max_items:
            schema["maxItems"] = spec.max_items
        return schema
    return text


class InputSpecField(serializers.Field):
    """One field of the enrollment's input spec, cleaned by the spec."""

    def __init__(self, spec: InputField, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_null", spec.kind in ("decimal", "object"))
        if spec.help_text:
            kwargs.setdefault("help_text", str(spec.help_text))
        if spec.api_name != spec.name:
            kwargs.setdefault("source", spec.name)
        super().__init__(**kwargs)
        self.spec = spec
        set_override(self, "field", input_schema(spec))

    def validate_empty_values(self, data):
        if data is None and self.spec.kind == "object":
            return (True, {})
        return super().validate_empty_values(data)

    def to_internal_value(self, data):
        # JSON has types, text does not: a list is an array of non-empty strings here, where a
        # form or a file cell may give "a, b" (the spec then splits it).
        if self.spec.is_list and (
            not isinstance(data, list) or any(not isinstance(i, str) or not i.strip() for i in data)
        ):
            raise serializers.ValidationError("Enter a list of non-empty texts.")
        country = getattr(self.parent, "country", "") if self.spec.group == ADDRESS else ""
        try:
            return self.spec.clean(data, country=country)
        except InputError as refusal:
            raise serializers.ValidationError(str(refusal)) from None

    def to_representation(self, value):
        return value


class AddressInputSerializer(ApiSerializer):
    """`address {streetOne, ..., country}` of a request; the state and ZIP code are read by
    the address's country (a US address stores `CA` for "California")."""

    country = ""

    def get_fields(self):
        return {spec.api_name: InputSpecField(spec) for spec in FIELDS if spec.group == ADDRESS}

    def to_internal_value(self, data):
        given = data.get("country") if isinstance(data, dict) else ""
        self.country = given if isinstance(given, str) else ""
        return super().to_internal_value(data)


def enrollment_input_fields() -> dict[str, serializers.Field]:
    """The request fields of an enrollment (API names), in the spec's order."""
    fields: dict[str, serializers.Field] = {}
    for spec in FIELDS:
        if spec.group == ADDRESS:
            fields.setdefault("address", AddressInputSerializer(required=False))
        else:
            fields[spec.api_name] = InputSpecField(spec)
    fields["meta"] = InputSpecField(BY_NAME["metadata"], help_text="= metadata")
    return fields
