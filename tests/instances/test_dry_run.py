"""POST /programInstances/{id}/eligibility: each rule through HTTP, and nothing is written."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from events.models import Event
from instances.models import ProgramInstance
from tests.factories import ProgramInstanceFactory


def _check(api, instance, body):
    response = api.post(f"/api/v1/programInstances/{instance.pk}/eligibility", body, format="json")
    assert response.status_code == 200, response.content
    return response.json()


PERSON = {
    "address": {
        "streetOne": "1 Main St",
        "city": "Brooklyn",
        "state": "NY",
        "postalCode": "11215",
        "country": "US",
    },
    "deviceType": "battery",
    "manufacturerSlugs": ["tesla"],
    "deviceCapacity": 13.5,
    "referenceId": "CONED-1234",
}

CASES = [
    ("regions", ["NY"], {}, {"address": {"state": "NJ"}}),
    ("postalCodes", ["112*"], {}, {"address": {"state": "NY", "postalCode": "10001"}}),
    ("deviceTypes", ["battery"], {}, {"deviceType": "thermostat"}),
    ("manufacturers", ["tesla", "enphase"], {}, {"manufacturerSlugs": ["lg"]}),
    ("minimumCapacity", 10, {}, {"deviceCapacity": 9.9}),
    ("maximumCapacity", 20, {}, {"deviceCapacity": 20.5}),
    ("excludeProgramSlugs", ["ca-dsgs"], {}, {"enrolledProgramSlugs": ["ca-dsgs"]}),
    ("requireReferenceId", True, {}, {"referenceId": ""}),
]


@pytest.mark.parametrize(("rule", "expected", "passing", "failing"), CASES)
def test_each_rule_over_http(api, workspace, rule, expected, passing, failing):
    instance = ProgramInstanceFactory(workspace=workspace, eligibility_criteria={rule: expected})
    ok = _check(api, instance, {**PERSON, **passing})
    assert ok["eligible"] is True
    assert ok["rules"][0]["rule"] == rule and ok["rules"][0]["passed"] is True
    assert ok["criteriaVersion"] == 1

    bad = _check(api, instance, {**PERSON, **failing})
    assert bad["eligible"] is False
    assert bad["rules"] == [{"rule": rule, "passed": False, "detail": bad["reason"]}]


def test_missing_data_fails_with_a_reason(api, workspace):
    instance = ProgramInstanceFactory(
        workspace=workspace,
        eligibility_criteria={"regions": ["NY"], "minimumCapacity": 5, "deviceTypes": ["battery"]},
    )
    result = _check(api, instance, {})
    assert result["eligible"] is False
    assert result["reason"] == "No state given in the address."
    assert [r["passed"] for r in result["rules"]] == [False, False, False]


def test_spec_rules_example(api, workspace):
    instance = ProgramInstanceFactory(
        workspace=workspace,
        eligibility_criteria={
            "regions": ["NY"],
            "deviceTypes": ["battery"],
            "minimumCapacity": 5.0,
        },
    )
    result = _check(api, instance, PERSON)
    assert result["eligible"] is True
    assert [r["rule"] for r in result["rules"]] == ["regions", "deviceTypes", "minimumCapacity"]
    assert set(result) >= {"eligible", "reason", "rules"}


def test_text_criteria_and_no_criteria(api, workspace):
    text = ProgramInstanceFactory(workspace=workspace, eligibility_criteria="Own a battery.")
    assert _check(api, text, PERSON)["eligible"] is True
    assert "Own a battery." in _check(api, text, PERSON)["reason"]
    none = ProgramInstanceFactory(workspace=workspace)
    assert _check(api, none, {})["rules"] == []


def test_dry_run_writes_nothing(api, workspace):
    instance = ProgramInstanceFactory(workspace=workspace, eligibility_criteria={"regions": ["NY"]})
    updated_at = instance.updated_at
    events = Event.objects.count()
    _check(api, instance, PERSON)  # warm-up (the key's lastUsedAt)
    with CaptureQueriesContext(connection) as queries:
        _check(api, instance, PERSON)
    writes = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].split()[0].upper() in ("INSERT", "UPDATE", "DELETE")
    ]
    assert writes == []
    assert Event.objects.count() == events
    instance.refresh_from_db()
    assert instance.updated_at == updated_at
    assert ProgramInstance.objects.count() == 1


@pytest.mark.parametrize(
    "body",
    [
        {"deviceCapacity": -1},
        {"deviceCapacity": "lots"},
        {"manufacturerSlugs": "tesla"},
        {"address": "Brooklyn"},
        {"address": {"state": "NY", "planet": "Earth"}},
        {"email": "a@example.com"},
    ],
)
def test_bad_bodies_are_400(api, workspace, body):
    instance = ProgramInstanceFactory(workspace=workspace)
    response = api.post(f"/api/v1/programInstances/{instance.pk}/eligibility", body, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "VALIDATION_ERROR"


def test_scope_and_tenancy(api_client_for, workspace, other_workspace):
    instance = ProgramInstanceFactory(workspace=workspace)
    theirs = ProgramInstanceFactory(workspace=other_workspace)
    reader = api_client_for(workspace, scopes=["instances:read"])
    assert reader.post(f"/api/v1/programInstances/{instance.pk}/eligibility", {}).status_code == 200
    assert reader.post(f"/api/v1/programInstances/{theirs.pk}/eligibility", {}).status_code == 404
    writer = api_client_for(workspace, scopes=["instances:write", "programs:read"])
    denied = writer.post(f"/api/v1/programInstances/{instance.pk}/eligibility", {})
    assert denied.status_code == 403
    assert "instances:read" in denied.json()["message"]


def test_unknown_customer_is_400(api, workspace):
    instance = ProgramInstanceFactory(workspace=workspace)
    response = api.post(
        f"/api/v1/programInstances/{instance.pk}/eligibility",
        {"customerId": "nosuchcustomer"},
        format="json",
    )
    assert response.status_code == 400
    assert "customerId" in response.json()["details"]
