"""formConfig: the documented schema is enforced and its helpers fill in defaults."""

import pytest

from config.errors import DomainValidationError
from enrollments.inputs.forms import form_field_label
from instances.formconfig import (
    FORM_FIELDS,
    form_config_fields,
    form_config_notifications,
    form_config_validate,
)

VALID = {
    "fields": [
        {"name": "phone", "required": True, "label": "Mobile phone", "helpText": "For events."},
        {"name": "deviceCapacity"},
        {"name": "email", "label": "Work email"},
    ],
    "brandColor": "#0b6bcb",
    "introText": "Sign up in two minutes.",
    "successMessage": "Thanks!",
    "notifications": {"customer": True, "staff": False},
}


def test_valid_config_is_returned_as_given():
    assert form_config_validate(VALID) == VALID
    assert form_config_validate(None) == {}
    assert form_config_validate({}) == {}
    assert form_config_validate({"brandColor": "#FFF"}) == {"brandColor": "#FFF"}


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        ([], "formConfig: Must be an object."),
        ({"colour": "red"}, "Unknown key(s): colour. Supported: fields, brandColor"),
        ({"fields": {"phone": True}}, "formConfig.fields: Must be a list"),
        ({"fields": ["phone"]}, "formConfig.fields[0]: Must be an object"),
        ({"fields": [{"name": "shoeSize"}]}, "Unknown form field 'shoeSize'"),
        ({"fields": [{"label": "x"}]}, "Unknown form field None"),
        ({"fields": [{"name": "phone", "hidden": True}]}, "Unknown key(s): hidden"),
        ({"fields": [{"name": "phone"}, {"name": "phone"}]}, "phone is listed twice"),
        ({"fields": [{"name": "phone", "required": "yes"}]}, "required: Must be true or false"),
        ({"fields": [{"name": "email", "required": False}]}, "email is always required"),
        ({"fields": [{"name": "phone", "label": 3}]}, "label: Must be a string"),
        ({"fields": [{"name": "phone", "helpText": "x" * 501}]}, "At most 500 characters"),
        ({"brandColor": "blue"}, "Must be a hex colour such as #0b6bcb"),
        ({"brandColor": "#0b6bcg"}, "Must be a hex colour"),
        ({"introText": 5}, "formConfig.introText: Must be a string"),
        ({"notifications": True}, "Must be {customer: bool, staff: bool}"),
        ({"notifications": {"sms": True}}, "Unknown key(s): sms"),
        ({"notifications": {"customer": "yes"}}, "notifications.customer: Must be true or false"),
    ],
)
def test_invalid_configs_name_the_problem(config, expected):
    with pytest.raises(DomainValidationError) as exc:
        form_config_validate(config)
    assert expected in exc.value.message


def test_fields_in_order_with_always_asked_first():
    fields = form_config_fields(VALID)
    assert [f.name for f in fields] == ["firstName", "lastName", "email", "phone", "deviceCapacity"]
    email = fields[2]
    assert email.required and email.label == "Work email"
    phone = fields[3]
    assert phone.required and phone.label == "Mobile phone" and phone.help_text == "For events."
    capacity = fields[4]
    # No operator label: the field is shown with the input spec's words.
    assert not capacity.required and capacity.label == ""
    assert form_field_label(capacity) == "Device capacity (kWh)"
    assert [f.name for f in form_config_fields({})] == ["firstName", "lastName", "email"]
    assert set(FORM_FIELDS) >= {f.name for f in fields}


def test_notification_defaults():
    assert form_config_notifications(None) == {"customer": True, "staff": True}
    assert form_config_notifications({"notifications": {"staff": True}}) == {
        "customer": True,
        "staff": True,
    }
    assert form_config_notifications({"notifications": {"customer": False}}) == {
        "customer": False,
        "staff": True,
    }
