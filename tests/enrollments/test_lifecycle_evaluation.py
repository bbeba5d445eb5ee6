"""Evaluation: each eligibility rule, excluded programs, only candidates are evaluated, the
criteria-version guard on re-evaluation, and the endpoint takes no body. Split from
test_lifecycle.py.
"""

from decimal import Decimal

import pytest

from config.errors import InvalidTransitionError
from enrollments.models import EnrollmentStatusChange
from enrollments.services import (
    enrollment_evaluate,
)
from tests.enrollments.factories import (
    CustomerFactory,
    EnrollmentFactory,
    ProgramInstanceFactory,
)
from tests.enrollments.lifecycle_helpers import _enrollment_in


# --- evaluation -----------------------------------------------------------------------------
def _candidate(workspace, criteria, **fields):
    instance = ProgramInstanceFactory(workspace=workspace, eligibility_criteria=criteria)
    defaults = {
        "state": "NY",
        "postal_code": "10001",
        "device_type": "battery",
        "manufacturer_slugs": ["tesla"],
        "device_capacity": Decimal("13.5"),
        "reference_id": "R-1",
    }
    return EnrollmentFactory(
        workspace=workspace, program_instance=instance, **{**defaults, **fields}
    )


RULE_CASES = [
    ({"regions": ["NY"]}, {}, True),
    ({"regions": ["CA"]}, {}, False),
    ({"postalCodes": ["100*"]}, {}, True),
    ({"postalCodes": ["94105"]}, {}, False),
    ({"deviceTypes": ["battery"]}, {}, True),
    ({"deviceTypes": ["thermostat"]}, {}, False),
    ({"manufacturers": ["tesla"]}, {}, True),
    ({"manufacturers": ["ecobee"]}, {}, False),
    ({"minimumCapacity": 10}, {}, True),
    ({"minimumCapacity": 20}, {}, False),
    ({"maximumCapacity": 20}, {}, True),
    ({"maximumCapacity": 10}, {}, False),
    ({"requireReferenceId": True}, {}, True),
    ({"requireReferenceId": True}, {"reference_id": ""}, False),
    ({"excludeProgramSlugs": ["elsewhere"]}, {}, True),
    (None, {}, True),
    ("Homeowners in our territory.", {}, True),
]


@pytest.mark.parametrize(("criteria", "fields", "eligible"), RULE_CASES)
def test_evaluate_per_rule(api, workspace, criteria, fields, eligible):
    enrollment = _candidate(workspace, criteria, **fields)
    response = api.post(f"/api/v1/enrollments/{enrollment.pk}/evaluate")
    assert response.status_code == 200, response.content
    body = response.json()
    expected = "eligible" if eligible else "ineligible"
    assert body["eligibilityStatus"] == expected
    assert body["evaluation"]["eligible"] is eligible
    assert body["eligibilityReason"] == body["evaluation"]["reason"] != ""
    change = EnrollmentStatusChange.objects.get(enrollment=enrollment)
    assert change.to_status == expected
    assert change.metadata["evaluation"]["eligible"] is eligible


def test_evaluate_excluded_program(api, workspace):
    customer = CustomerFactory(workspace=workspace)
    elsewhere = ProgramInstanceFactory(workspace=workspace)
    EnrollmentFactory(
        workspace=workspace, customer=customer, program_instance=elsewhere, status="approved"
    )
    enrollment = _candidate(
        workspace, {"excludeProgramSlugs": [elsewhere.program.slug]}, customer=customer
    )
    body = api.post(f"/api/v1/enrollments/{enrollment.pk}/evaluate").json()
    assert body["eligibilityStatus"] == "ineligible"
    assert elsewhere.program.slug in body["eligibilityReason"]


def test_evaluate_only_candidates(api, workspace):
    enrollment = _enrollment_in(workspace, "submitted")
    response = api.post(f"/api/v1/enrollments/{enrollment.pk}/evaluate")
    assert response.status_code == 409
    assert response.json()["code"] == "INVALID_TRANSITION"


def test_reevaluation_after_criteria_change(workspace):
    enrollment = _candidate(workspace, {"regions": ["CA"]})
    evaluated, result = enrollment_evaluate(enrollment=enrollment, actor=None)
    assert evaluated.status == "ineligible" and evaluated.evaluated_criteria_version == 1
    with pytest.raises(InvalidTransitionError):
        enrollment_evaluate(enrollment=evaluated, actor=None)
    instance = evaluated.program_instance
    type(instance).objects.filter(pk=instance.pk).update(
        eligibility_criteria={"regions": ["CA", "NY"]}, criteria_version=2
    )
    again, result = enrollment_evaluate(enrollment=evaluated, actor=None)
    assert again.status == "eligible" and result.eligible
    path = list(
        EnrollmentStatusChange.objects.filter(enrollment=enrollment).values_list(
            "from_status", "to_status"
        )
    )
    assert path == [
        ("candidate", "ineligible"),
        ("ineligible", "candidate"),
        ("candidate", "eligible"),
    ]


def test_evaluate_takes_no_body(api, workspace):
    enrollment = _enrollment_in(workspace, "candidate")
    response = api.post(
        f"/api/v1/enrollments/{enrollment.pk}/evaluate", {"force": True}, format="json"
    )
    assert response.status_code == 400
    enrollment.refresh_from_db()
    assert enrollment.status == "candidate"
