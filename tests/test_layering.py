"""The domain owns its representations and errors.

- A webhook body's `data.object` equals the API's GET body (one definition of the enrollment's
  and the instance's public shape: enrollments.payloads, instances.payloads).
- No domain module (services, payloads, selectors, models, ...) imports an app's `api` package.
- Services name fields in snake_case; the API's exception handler camelizes them once.
"""

import ast
from pathlib import Path

import pytest

from config.errors import DomainValidationError
from enrollments.services import enrollment_create
from events.models import Event
from events.payloads import event_payload
from tests.enrollments.factories import ProgramInstanceFactory
from tests.factories import ProgramFactory

ROOT = Path(__file__).resolve().parent.parent
APPS = ("accounts", "programs", "instances", "enrollments", "events", "config")
# The doors: they may use the API's serializers; nothing below them may.
DOORS = {"admin.py", "urls.py", "views.py"}


def _domain_modules():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            parts = path.relative_to(ROOT).parts
            if "api" in parts or "migrations" in parts or path.name in DOORS:
                continue
            yield path


def _imported(path: Path) -> list[str]:
    names = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
    return names


def test_domain_modules_never_import_an_api_package():
    offenders = {
        str(path.relative_to(ROOT)): name
        for path in _domain_modules()
        for name in _imported(path)
        if name.split(".")[0] in APPS[:-1] and "api" in name.split(".")
    }
    assert offenders == {}
    assert any(p.name == "services.py" for p in _domain_modules())  # the walk sees services


# A module-level `__getattr__` serves names that live elsewhere (a lazy re-export shim): callers
# import from the home module instead.


def test_no_module_re_exports_through_a_module_getattr():
    shims = {
        str(path.relative_to(ROOT))
        for app in (*APPS, "dashboard", "audit", "enroll")
        for path in (ROOT / app).rglob("*.py")
        if any(
            isinstance(node, ast.FunctionDef) and node.name == "__getattr__"
            for node in ast.parse(path.read_text()).body
        )
    }
    assert shims == set()


def test_programs_and_instances_do_not_import_each_other_for_helpers():
    programs = [name for path in (ROOT / "programs").rglob("*.py") for name in _imported(path)]
    assert not [name for name in programs if name.startswith("instances")]


pytestmark = pytest.mark.django_db


def test_enrollment_webhook_body_equals_the_get_body(api, workspace):
    instance = ProgramInstanceFactory(workspace=workspace)
    created = api.post(
        f"/api/v1/programInstances/{instance.pk}/enrollments",
        {
            "identificationType": "customerInfo",
            "firstName": "Suzie",
            "lastName": "Homeowner",
            "email": "suzie@example.com",
            "address": {"state": "NY", "postalCode": "10001"},
        },
        format="json",
    ).json()
    api.post(f"/api/v1/enrollments/{created['id']}/transitions", {"to": "eligible"}, format="json")
    event = Event.objects.filter(enrollment_id=created["id"]).latest("created_at")
    body = api.get(f"/api/v1/enrollments/{created['id']}").json()
    assert event_payload(event)["data"]["object"] == body


def test_instance_webhook_body_equals_the_get_body(api, workspace):
    ProgramFactory(slug="shape-program")
    created = api.post(
        "/api/v1/programInstances",
        {
            "programSlug": "shape-program",
            "name": "Shape",
            "eligibilityCriteria": {"regions": ["NY"]},
        },
        format="json",
    ).json()
    api.patch(
        f"/api/v1/programInstances/{created['id']}", {"description": "Changed"}, format="json"
    )
    event = Event.objects.filter(type="programInstance.updated").latest("created_at")
    body = api.get(f"/api/v1/programInstances/{created['id']}").json()
    assert event_payload(event)["data"]["object"] == body


def test_services_name_fields_in_snake_case_and_the_api_camelizes(api, workspace):
    instance = ProgramInstanceFactory(workspace=workspace)
    with pytest.raises(DomainValidationError) as refused:
        enrollment_create(
            workspace=workspace,
            instance=instance,
            data={"identification_type": "customerInfo", "email": "a@example.com"},
            actor=None,
        )
    assert set(refused.value.details) == {"first_name", "last_name"}
    assert "firstName" not in refused.value.message  # words for people
    response = api.post(
        f"/api/v1/programInstances/{instance.pk}/enrollments",
        {"identificationType": "customerInfo", "email": "a@example.com"},
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()["details"]) == {"firstName", "lastName"}
