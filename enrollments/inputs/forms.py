"""The bridge between the input spec and an instance's form config (`instances.formconfig`):
the words for a form field, the attributes behind it, what a record lacks."""

from django.utils.translation import gettext_lazy

from config.states import US_STATE_NAMES
from enrollments.inputs.spec import BY_API_NAME
from instances.formconfig import form_config_fields

# The form config's `address` field asks for the lines a postal address cannot do without.
FORM_ADDRESS_ATTRIBUTES = ("street_one", "city", "state", "postal_code")
FORM_ADDRESS_LABEL = gettext_lazy("Address")


def form_field_label(form_field) -> str:
    """The words for a field of an instance's form (`instances.formconfig.FormField`): the
    operator's label, else the spec's, in the active language."""
    if form_field.label:
        return form_field.label
    if form_field.name == "address":
        return str(FORM_ADDRESS_LABEL)
    return str(BY_API_NAME[form_field.name].label)


def form_field_attributes(name: str) -> tuple[str, ...]:
    """The enrollment attributes behind a form config field (API name)."""
    return FORM_ADDRESS_ATTRIBUTES if name == "address" else (BY_API_NAME[name].name,)


def missing_form_fields(config: dict | None, record, fields=None) -> list:
    """The fields `config` (an instance's formConfig) marks required that `record` (an
    enrollment, or any object with its attributes) lacks, in form order. `fields`: the
    config's `form_config_fields`, when the caller checks many records of one config."""
    missing = []
    for form_field in form_config_fields(config) if fields is None else fields:
        if not form_field.required:
            continue
        values = [getattr(record, attr, None) for attr in form_field_attributes(form_field.name)]
        if any(value in (None, "", [], {}) for value in values):
            missing.append(form_field)
    return missing


def state_choices(codes=None) -> list[tuple[str, str]]:
    """(code, "CA - California") for a choice list: `codes` (a program's states) or all."""
    wanted = sorted(codes) if codes else sorted(US_STATE_NAMES)
    return [(code, f"{code} - {US_STATE_NAMES.get(code, code)}") for code in wanted]
