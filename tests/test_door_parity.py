"""Door parity: the same input through the API, the dashboard, the public page and an import
gives the same outcome: the same stored value, or a refusal on the same field.

Each door is a function `door(instance, values) -> Outcome` taking the values under the API's
names (flat: the address lines beside the person's fields) and answering what was stored or
which fields were refused. The public page asks only the fields of the instance's form, so it
joins the cases whose fields are on that form.
"""

import csv
import io
import re
from dataclasses import dataclass, field

import pytest
from django.test import Client

from enrollments.inputs.spec import BY_API_NAME, BY_NAME
from enrollments.models import Enrollment
from enrollments.services import enrollment_create
from instances.services import instance_create
from tests.factories import MembershipFactory, ProgramFactory, UserFactory
from tests.imports.helpers import run_import

pytestmark = pytest.mark.django_db

DOORS = ("api", "dashboard", "page", "import")
ADDRESS = ("streetOne", "streetTwo", "city", "state", "postalCode", "country")
LISTS = ("tags", "manufacturerSlugs")
PERSON = {
    "firstName": "Ana",
    "lastName": "Lopez",
    "email": "ana@example.com",
    "phone": "+1 555 010 0100",
    "streetOne": "1 Main St",
    "city": "Fresno",
    "state": "CA",
    "postalCode": "93650",
    "deviceType": "battery",
}
FORM_CONFIG = {
    "fields": [
        {"name": "phone", "required": True},
        {"name": "address", "required": True},
        {"name": "deviceType"},
        {"name": "serialNumber"},
        {"name": "deviceCapacity"},
    ]
}


@dataclass
class Outcome:
    stored: Enrollment | None = None
    refused: set[str] = field(default_factory=set)  # API names of the refused fields
    status: int = 0
    conflict_with: str = ""  # the enrollment a conflict names


@pytest.fixture
def instance(workspace):
    program = ProgramFactory(states=["CA", "TX"])
    data = {
        "name": "Sunny Rewards",
        "custom_terms": "You agree.",
        "form_config": FORM_CONFIG,
        "eligibility_criteria": {"regions": ["CA"], "deviceTypes": ["battery", "thermostat"]},
    }
    return instance_create(workspace=workspace, program=program, data=data)


def _new_rows(instance, before: set[str]) -> list[Enrollment]:
    return list(instance.enrollments.exclude(pk__in=before))


def _stored(instance, before) -> Enrollment | None:
    rows = _new_rows(instance, before)
    assert len(rows) <= 1, "a door created two enrollments from one input"
    return rows[0] if rows else None


def via_api(api, instance, values) -> Outcome:
    before = set(instance.enrollments.values_list("pk", flat=True))
    body = {"identificationType": "customerInfo"}
    address = {k: v for k, v in values.items() if k in ADDRESS}
    body.update({k: v for k, v in values.items() if k not in ADDRESS})
    if address:
        body["address"] = address
    response = api.post(f"/api/v1/programInstances/{instance.pk}/enrollments", body, format="json")
    details = (response.json().get("details") or {}) if response.status_code >= 400 else {}
    named = [*details, *(k for v in details.values() if isinstance(v, dict) for k in v)]
    refused = {k.split(".")[-1] for k in named if k.split(".")[-1] in BY_API_NAME}
    return Outcome(
        stored=_stored(instance, before),
        refused=refused,
        status=response.status_code,
        conflict_with=details.get("enrollmentId", ""),
    )


def via_dashboard(client, instance, values) -> Outcome:
    before = set(instance.enrollments.values_list("pk", flat=True))
    data = {BY_API_NAME[k].name: v for k, v in values.items()}
    for name in ("tags", "manufacturer_slugs"):
        if isinstance(data.get(name), list):
            data[name] = ", ".join(data[name])
    response = client.post(f"/instances/{instance.pk}/enrollments/new/", data)
    refused = set()
    if response.status_code != 302:
        form = response.context["form"]
        refused = {BY_NAME[name].api_name for name in form.errors if name in BY_NAME}
    return Outcome(stored=_stored(instance, before), refused=refused, status=response.status_code)


def via_page(client, instance, values) -> Outcome:
    before = set(instance.enrollments.values_list("pk", flat=True))
    data = {**values, "consent": "yes", "website": ""}
    response = client.post(f"/enroll/{instance.slug}/", data)
    errors = (
        response.context["form"].errors if response.context and "form" in response.context else []
    )
    refused = {name for name, _message in errors if name in BY_API_NAME}
    return Outcome(stored=_stored(instance, before), refused=refused, status=response.status_code)


def via_import(workspace, instance, values) -> Outcome:
    before = set(instance.enrollments.values_list("pk", flat=True))
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(list(values))
    writer.writerow([", ".join(v) if isinstance(v, list) else v for v in values.values()])
    imp = run_import(workspace, instance, text.getvalue().encode())
    row = imp.rows.get()
    refused = {e["field"] for e in row.errors if e.get("field") in BY_API_NAME}
    conflict = next((e.get("enrollmentId", "") for e in row.errors if e.get("enrollmentId")), "")
    return Outcome(
        stored=_stored(instance, before),
        refused=refused,
        status=409 if conflict else (400 if row.result == "failed" else 200),
        conflict_with=conflict,
    )


@pytest.fixture
def doors(api, client, workspace):
    operator = Client()  # a browser's form posts, signed in as an operator
    user = UserFactory()
    MembershipFactory(user=user, workspace=workspace, role="operator")
    operator.force_login(user)
    return {
        "api": lambda instance, values: via_api(api, instance, values),
        "dashboard": lambda instance, values: via_dashboard(operator, instance, values),
        "page": lambda instance, values: via_page(client, instance, values),
        "import": lambda instance, values: via_import(workspace, instance, values),
    }


def _on_page(values) -> bool:
    asked = {"firstName", "lastName", "email", *ADDRESS}
    asked |= {f["name"] for f in FORM_CONFIG["fields"]}
    return set(values) <= asked


def _through_doors(cases):
    """Each case through every door that asks its fields (the public page asks its form's)."""
    return [
        pytest.param(door, *case, id=f"{door}-{'-'.join(case[0])}-{number}")
        for number, case in enumerate(cases)
        for door in DOORS
        if door != "page" or _on_page({**PERSON, **case[0]})
    ]


# (what is typed, the field, what every door stores)
NORMALISED = [
    ({"state": "California"}, "state", "CA"),
    ({"state": "ca"}, "state", "CA"),
    ({"postalCode": "936501234"}, "postal_code", "93650-1234"),
    ({"email": "Ana@Example.COM"}, "email", "ana@example.com"),
    ({"tags": [" solar ", "pilot", "solar"]}, "tags", ["solar", "pilot"]),
    (
        {"manufacturerSlugs": ["Tesla", "Enphase Energy"]},
        "manufacturer_slugs",
        ["tesla", "enphase-energy"],
    ),
    ({"serialNumber": "  SN-1  "}, "serial_number", "SN-1"),
]


@pytest.mark.parametrize(("door", "change", "attribute", "stored"), _through_doors(NORMALISED))
def test_every_door_stores_the_same_value(doors, instance, door, change, attribute, stored):
    values = {**PERSON, **change}
    outcome = doors[door](instance, values)
    assert outcome.stored is not None, (door, outcome)
    assert getattr(outcome.stored, attribute) == stored


# (what is typed, the field every door refuses)
REFUSED = [
    ({"tags": ["x" * 150]}, "tags"),
    ({"tags": [f"t{i}" for i in range(101)]}, "tags"),
    ({"manufacturerSlugs": ["tesla!"]}, "manufacturerSlugs"),
    ({"state": "Narnia"}, "state"),
    ({"postalCode": "ABCDE"}, "postalCode"),
    ({"email": "not-an-email"}, "email"),
    ({"phone": "call me"}, "phone"),
    ({"deviceCapacity": "-2"}, "deviceCapacity"),
    ({"deviceCapacity": "1.23456"}, "deviceCapacity"),
    ({"serialNumber": "S" * 201}, "serialNumber"),
    ({"lastName": "L" * 101}, "lastName"),
]


@pytest.mark.parametrize(("door", "change", "refused"), _through_doors(REFUSED))
def test_every_door_refuses_on_the_same_field(doors, instance, door, change, refused):
    values = {**PERSON, **change}
    outcome = doors[door](instance, values)
    assert outcome.stored is None, (door, outcome)
    assert outcome.refused == {refused}, (door, outcome)
    assert outcome.status in (200, 400), outcome  # the page answers its form again (200/400)


def _enroll_device_of_another_customer(workspace, instance) -> Enrollment:
    return enrollment_create(
        workspace=workspace,
        instance=instance,
        data={
            "identification_type": "customerInfo",
            "first_name": "Bo",
            "last_name": "Chen",
            "email": "bo@example.com",
            "serial_number": "SN-42",
        },
        actor=None,
    )


@pytest.mark.parametrize("door", DOORS)
def test_a_device_enrolled_by_another_customer_is_refused_by_every_door(
    doors, workspace, instance, door
):
    """One open enrollment per device and instance (a database constraint behind the rule):
    the import used to create a second one."""
    holder = _enroll_device_of_another_customer(workspace, instance)
    outcome = doors[door](instance, {**PERSON, "serialNumber": "sn-42"})  # any case
    assert outcome.stored is None, (door, outcome)
    assert outcome.refused == {"serialNumber"}, (door, outcome)
    assert outcome.status == 409, outcome
    if door in ("api", "import"):
        assert outcome.conflict_with == holder.pk
    assert Enrollment.objects.filter(serial_number__iexact="sn-42").count() == 1


def test_the_public_page_says_why_in_words(client, instance, workspace):
    _enroll_device_of_another_customer(workspace, instance)
    response = client.post(
        f"/enroll/{instance.slug}/",
        {**PERSON, "serialNumber": "SN-42", "consent": "yes", "website": ""},
    )
    body = re.sub(r"\s+", " ", response.content.decode())
    assert response.status_code == 409
    assert "This device is already enrolled in this program." in body
    assert "serial_number" not in body
