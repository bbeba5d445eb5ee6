import pytest

from instances.services import instance_create
from tests.events.conftest import run_worker  # noqa: F401  (the real worker)
from tests.factories import ProgramFactory

FORM_CONFIG = {
    "fields": [
        {"name": "phone", "required": True, "label": "Mobile phone"},
        {"name": "address", "required": True},
        {"name": "deviceType", "helpText": "For example: battery, thermostat."},
    ],
    "brandColor": "#0b6bcb",
    "introText": "Sign up in two minutes.",
    "successMessage": "Thanks! We will email you.",
    "translations": {"es": {"successMessage": "¡Gracias! Le escribiremos."}},
}


@pytest.fixture
def make_instance(workspace):
    """A public page made by the real instance service (terms versioned by it)."""

    def make(**data):
        program = ProgramFactory(states=["CA", "TX"])
        body = {
            "name": "Sunny Rewards",
            "custom_terms": "You agree to let us cycle your battery.",
            "form_config": FORM_CONFIG,
            "eligibility_criteria": {"regions": ["CA"]},
            **data,
        }
        return instance_create(workspace=workspace, program=program, data=body)

    return make


@pytest.fixture
def page_instance(make_instance):
    return make_instance()


def good_post(**changes):
    data = {
        "firstName": "Ana",
        "lastName": "Lopez",
        "email": "ana@example.com",
        "phone": "555-0100",
        "streetOne": "1 Main St",
        "city": "Fresno",
        "state": "CA",
        "postalCode": "93650",
        "deviceType": "battery",
        "consent": "yes",
        "website": "",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}
