"""Arbitrary JSON never makes the rules, the form config or the dry run fail with anything but
a 400 (deterministic: a fixed seed)."""

import random

import pytest

from config.errors import DomainValidationError
from instances.eligibility import RULE_KEYS, EligibilitySubject, evaluate, validate_criteria
from instances.formconfig import FORM_FIELDS, TOP_LEVEL_KEYS, form_config_validate
from tests.factories import ProgramFactory, ProgramInstanceFactory

ATOMS = [
    None,
    True,
    False,
    0,
    -1,
    5,
    5.5,
    1e308,
    "",
    " ",
    "NY",
    "ny",
    "ZZ",
    "10001",
    "100*",
    "*",
    "battery",
    "#0b6bcb",
    "x" * 600,
    "é",
    "\x00",
    "a\x00b",
]
KEYS = [*RULE_KEYS, *TOP_LEVEL_KEYS, *FORM_FIELDS, "name", "required", "label", "customer", "x"]


def _value(rng, depth=0):
    kind = rng.random()
    if depth >= 3 or kind < 0.5:
        return rng.choice(ATOMS)
    if kind < 0.75:
        return [_value(rng, depth + 1) for _ in range(rng.randint(0, 3))]
    return {rng.choice(KEYS): _value(rng, depth + 1) for _ in range(rng.randint(0, 4))}


def test_validators_and_evaluation_never_crash():
    rng = random.Random(20250101)
    subjects = [
        EligibilitySubject(),
        EligibilitySubject(
            state="NY",
            postal_code="10001-1234",
            device_type="battery",
            manufacturers=("tesla",),
            capacity=10,
            reference_id="R",
            enrolled_program_slugs=frozenset({"x"}),
        ),
    ]
    accepted = 0
    for _ in range(3000):
        value = _value(rng)
        if isinstance(value, dict) and rng.random() < 0.5:
            value = {rng.choice(RULE_KEYS): v for v in value.values()}
        try:
            clean = validate_criteria(value)
        except DomainValidationError as exc:
            assert exc.message and exc.details is not None
        else:
            accepted += 1
            for subject in subjects:
                result = evaluate(criteria=clean, subject=subject).as_dict()
                assert isinstance(result["eligible"], bool) and result["reason"]
        try:
            form_config_validate(value)
        except DomainValidationError as exc:
            assert exc.message
    assert accepted > 50  # the generator does reach valid rules


@pytest.mark.parametrize("seed", range(3))
def test_api_answers_400_not_500(api, workspace, seed):
    rng = random.Random(seed)
    program = ProgramFactory()
    instance = ProgramInstanceFactory(workspace=workspace)
    for _ in range(15):
        value = _value(rng)
        created = api.post(
            "/api/v1/programInstances",
            {"programSlug": program.slug, "name": "Fuzz", "eligibilityCriteria": value},
            format="json",
        )
        assert created.status_code in (201, 400), created.content
        patched = api.patch(
            f"/api/v1/programInstances/{instance.pk}", {"formConfig": value}, format="json"
        )
        assert patched.status_code in (200, 400), patched.content
        custom = api.patch(
            f"/api/v1/programInstances/{instance.pk}",
            {"customFields": {"k": value}, "description": rng.choice(["ok", "a\x00b"])},
            format="json",
        )
        assert custom.status_code in (200, 400), custom.content
        body = value if isinstance(value, dict) else {"address": value}
        checked = api.post(
            f"/api/v1/programInstances/{instance.pk}/eligibility", body, format="json"
        )
        assert checked.status_code in (200, 400), checked.content


PROGRAM_FIELDS = ["name", "slug", "states", "type", "visibility", "year", "endTime", "active"]


def test_program_writes_answer_400_not_500(api_client_for, workspace):
    admin = api_client_for(workspace, platform_admin=True)
    rng = random.Random(7)
    ProgramFactory(slug="fuzz-target")
    for _ in range(40):
        body = {"name": "Fuzz program", rng.choice(PROGRAM_FIELDS): _value(rng)}
        created = admin.post("/api/v1/programs", body, format="json")
        assert created.status_code in (201, 400, 409), created.content
        patched = admin.patch("/api/v1/programs/fuzz-target", body, format="json")
        assert patched.status_code in (200, 400, 409), patched.content
