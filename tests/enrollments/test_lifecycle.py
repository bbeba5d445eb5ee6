"""The lifecycle: every (from, to) pair generated from the contract's table, scopes, history,
events, the criteria-version guard, evaluation per rule, and concurrency on PostgreSQL."""

import itertools
import threading
from decimal import Decimal

import pytest
from django.db import connection

from config.errors import ForbiddenError, InvalidTransitionError
from enrollments.models import TRANSITIONS, Enrollment, EnrollmentStatus, EnrollmentStatusChange
from enrollments.services import (
    enrollment_bulk_transition,
    enrollment_evaluate,
    enrollment_transition,
)
from events.models import Event
from tests.enrollments.factories import (
    CustomerFactory,
    EnrollmentFactory,
    ProgramInstanceFactory,
)

STATUSES = EnrollmentStatus.values
ALLOWED = [(a, b) for a, targets in TRANSITIONS.items() for b in targets]
REFUSED = [(a, b) for a, b in itertools.product(STATUSES, STATUSES) if (a, b) not in ALLOWED]


def test_table_is_the_contracts():
    assert sorted(ALLOWED) == sorted(
        [
            ("candidate", "eligible"),
            ("candidate", "ineligible"),
            ("ineligible", "candidate"),
            ("eligible", "submitted"),
            ("submitted", "approved"),
            ("submitted", "rejected"),
            ("approved", "unenrolled"),
            ("rejected", "candidate"),
        ]
    )
    assert len(ALLOWED) + len(REFUSED) == len(STATUSES) ** 2


def _enrollment_in(workspace, status, *, criteria_changed=True):
    instance = ProgramInstanceFactory(workspace=workspace, criteria_version=2)
    return EnrollmentFactory(
        workspace=workspace,
        program_instance=instance,
        status=status,
        evaluated_criteria_version=1 if criteria_changed else 2,
    )


def _move(api, enrollment, to, **extra):
    return api.post(
        f"/api/v1/enrollments/{enrollment.pk}/transitions", {"to": to, **extra}, format="json"
    )


@pytest.mark.parametrize(("source", "target"), ALLOWED)
def test_allowed_transition(api, workspace, source, target):
    enrollment = _enrollment_in(workspace, source)
    response = _move(api, enrollment, target, reason="why", metadata={"by": "test"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["eligibilityStatus"] == body["eligibility"]["status"] == target
    # Just evaluated as ineligible: no way back until the criteria change.
    expected_next = [] if target == "ineligible" else list(TRANSITIONS[target])
    assert body["allowedTransitions"] == expected_next
    enrollment.refresh_from_db()
    assert enrollment.status == target
    change = EnrollmentStatusChange.objects.get(enrollment=enrollment)
    assert (change.from_status, change.to_status, change.reason) == (source, target, "why")
    assert change.metadata == {"by": "test"}
    assert change.actor_api_key_id == api.api_key.pk and "api key" in change.actor_label
    event = Event.objects.get(type="enrollment.status_changed", enrollment_id=enrollment.pk)
    assert event.data["previousStatus"] == source
    assert event.data["object"] == body


@pytest.mark.parametrize(("source", "target"), REFUSED)
def test_refused_transition(api, workspace, source, target):
    enrollment = _enrollment_in(workspace, source)
    response = _move(api, enrollment, target)
    assert response.status_code == 409, response.content
    body = response.json()
    assert body["code"] == "INVALID_TRANSITION"
    assert body["details"]["allowed"] == list(TRANSITIONS[source])
    enrollment.refresh_from_db()
    assert enrollment.status == source
    assert not EnrollmentStatusChange.objects.exists()
    assert not Event.objects.filter(type="enrollment.status_changed").exists()


def test_ineligible_back_to_candidate_needs_changed_criteria(api, workspace):
    enrollment = _enrollment_in(workspace, "ineligible", criteria_changed=False)
    assert api.get(f"/api/v1/enrollments/{enrollment.pk}").json()["allowedTransitions"] == []
    response = _move(api, enrollment, "candidate")
    assert response.status_code == 409
    assert response.json()["details"]["allowed"] == []
    assert "criteria change" in response.json()["message"]
    instance = enrollment.program_instance
    type(instance).objects.filter(pk=instance.pk).update(criteria_version=3)
    assert _move(api, enrollment, "candidate").status_code == 200


def test_unknown_target_is_400(api, workspace):
    enrollment = _enrollment_in(workspace, "candidate")
    response = _move(api, enrollment, "teleported")
    assert response.status_code == 400 and "to" in response.json()["details"]
    assert (
        api.post(f"/api/v1/enrollments/{enrollment.pk}/transitions", {}, format="json").status_code
        == 400
    )


def test_approval_sets_start_date(api, workspace):
    enrollment = _enrollment_in(workspace, "submitted")
    body = _move(api, enrollment, "approved").json()
    assert body["enrollmentStartDate"]
    other = _enrollment_in(workspace, "submitted")
    body = _move(api, other, "approved", startDate="2025-01-01T00:00:00Z").json()
    assert body["enrollmentStartDate"] == "2025-01-01T00:00:00Z"
    bad = _enrollment_in(workspace, "eligible")
    assert _move(api, bad, "submitted", startDate="2025-01-01").status_code == 400


def test_unenrolment_keeps_record_and_exit_reason(api, workspace):
    enrollment = _enrollment_in(workspace, "approved")
    body = _move(api, enrollment, "unenrolled", reason="Moved away").json()
    assert body["exitReason"] == "Moved away"
    assert api.get(f"/api/v1/enrollments/{enrollment.pk}").status_code == 200


@pytest.mark.parametrize("target", ["approved", "rejected"])
def test_review_needs_review_scope(api_client_for, workspace, target):
    enrollment = _enrollment_in(workspace, "submitted")
    writer = api_client_for(workspace, scopes=["enrollments:read", "enrollments:write"])
    response = _move(writer, enrollment, target)
    assert response.status_code == 403
    assert "enrollments:review" in response.json()["message"]
    reviewer = api_client_for(workspace, scopes=["enrollments:read", "enrollments:review"])
    assert _move(reviewer, enrollment, target, reason="Checked").status_code == 200


def test_other_moves_need_write_scope(api_client_for, workspace):
    enrollment = _enrollment_in(workspace, "eligible")
    reviewer = api_client_for(workspace, scopes=["enrollments:read", "enrollments:review"])
    assert _move(reviewer, enrollment, "submitted").status_code == 403
    reader = api_client_for(workspace, scopes=["enrollments:read"])
    evaluate = reader.post(f"/api/v1/enrollments/{enrollment.pk}/evaluate")
    assert evaluate.status_code == 403


def test_other_workspace_enrollment_transition_is_404(api, other_workspace):
    theirs = _enrollment_in(other_workspace, "submitted")
    assert _move(api, theirs, "approved").status_code == 404
    assert api.post(f"/api/v1/enrollments/{theirs.pk}/evaluate").status_code == 404
    assert api.get(f"/api/v1/enrollments/{theirs.pk}/history").status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == "submitted"


def test_history_endpoint(api, workspace):
    enrollment = _enrollment_in(workspace, "candidate")
    for to in ("eligible", "submitted", "approved"):
        assert _move(api, enrollment, to, reason=f"to {to}").status_code == 200
    body = api.get(f"/api/v1/enrollments/{enrollment.pk}/history").json()
    assert body["totalItems"] == 3
    assert [(c["from"], c["to"], c["reason"]) for c in body["data"]] == [
        ("candidate", "eligible", "to eligible"),
        ("eligible", "submitted", "to submitted"),
        ("submitted", "approved", "to approved"),
    ]
    first = body["data"][0]
    assert set(first) == {"id", "from", "to", "reason", "metadata", "actor", "at"}
    assert first["actor"] == {
        "type": "apiKey",
        "id": api.api_key.pk,
        "label": first["actor"]["label"],
    }


def test_history_is_immutable(workspace):
    enrollment = _enrollment_in(workspace, "candidate")
    enrollment_transition(enrollment=enrollment, to="eligible", actor=None)
    change = EnrollmentStatusChange.objects.get()
    change.reason = "rewritten"
    with pytest.raises(ValueError):
        change.save()


def test_status_field_is_protected(workspace):
    enrollment = _enrollment_in(workspace, "submitted")
    with pytest.raises(AttributeError):
        enrollment.status = "approved"


def test_service_errors_carry_allowed(workspace):
    enrollment = _enrollment_in(workspace, "submitted")
    with pytest.raises(InvalidTransitionError) as info:
        enrollment_transition(enrollment=enrollment, to="eligible", actor=None)
    assert info.value.details["allowed"] == ["approved", "rejected"]


def test_bulk_transition_reports_each_row(workspace):
    ready = [_enrollment_in(workspace, "submitted") for _ in range(2)]
    not_ready = _enrollment_in(workspace, "candidate")
    results = enrollment_bulk_transition(
        enrollments=[*ready, not_ready], to="approved", actor=None, reason="batch"
    )
    outcome = {r.enrollment_id: r.ok for r in results}
    assert outcome == {ready[0].pk: True, ready[1].pk: True, not_ready.pk: False}
    refusal = next(r for r in results if not r.ok)
    assert "candidate" in refusal.message
    assert Enrollment.objects.filter(status="approved").count() == 2


def test_bulk_transition_checks_scope_once(workspace):
    from accounts.tenancy import Tenant

    actor = Tenant(workspace=workspace, scopes=frozenset({"enrollments:write"}))
    with pytest.raises(ForbiddenError):
        enrollment_bulk_transition(
            enrollments=[_enrollment_in(workspace, "submitted")], to="approved", actor=actor
        )


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


# --- concurrency (real threads with their own connections; PostgreSQL and file SQLite) ------
@pytest.mark.django_db(transaction=True)
def test_parallel_approvals_apply_once(api_client_for, workspace):
    enrollment = _enrollment_in(workspace, "submitted")
    clients = [api_client_for(workspace) for _ in range(6)]
    barrier = threading.Barrier(len(clients))
    statuses = []

    def approve(client):
        try:
            barrier.wait()
            response = _move(client, enrollment, "approved", reason="parallel")
            statuses.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200] + [409] * (len(clients) - 1)
    assert EnrollmentStatusChange.objects.filter(enrollment=enrollment).count() == 1
    assert Event.objects.filter(type="enrollment.status_changed").count() == 1


@pytest.mark.django_db(transaction=True)
def test_parallel_different_moves_from_one_state_apply_once(api_client_for, workspace):
    enrollment = _enrollment_in(workspace, "submitted")
    clients = [api_client_for(workspace) for _ in range(4)]
    barrier = threading.Barrier(len(clients))
    outcomes = []

    def move(client, to):
        try:
            barrier.wait()
            outcomes.append((to, _move(client, enrollment, to, reason="Decided").status_code))
        finally:
            connection.close()

    targets = ["approved", "rejected", "approved", "rejected"]
    pairs = zip(clients, targets, strict=True)
    threads = [threading.Thread(target=move, args=pair) for pair in pairs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    winners = [to for to, code in outcomes if code == 200]
    assert len(winners) == 1 and sorted(c for _, c in outcomes).count(409) == 3
    enrollment.refresh_from_db()
    assert enrollment.status == winners[0]
    assert EnrollmentStatusChange.objects.filter(enrollment=enrollment).count() == 1


@pytest.mark.django_db(transaction=True)
def test_parallel_duplicate_enrollments_create_one(api_client_for, workspace):
    instance = ProgramInstanceFactory(workspace=workspace)
    clients = [api_client_for(workspace) for _ in range(5)]
    barrier = threading.Barrier(len(clients))
    statuses = []
    body = {
        "identificationType": "customerInfo",
        "firstName": "Par",
        "lastName": "Allel",
        "email": "parallel@example.com",
    }

    def create(client):
        try:
            barrier.wait()
            statuses.append(
                client.post(
                    f"/api/v1/programInstances/{instance.pk}/enrollments", body, format="json"
                ).status_code
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=create, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [201] + [409] * 4
    assert Enrollment.objects.filter(program_instance=instance).count() == 1


def test_evaluate_takes_no_body(api, workspace):
    enrollment = _enrollment_in(workspace, "candidate")
    response = api.post(
        f"/api/v1/enrollments/{enrollment.pk}/evaluate", {"force": True}, format="json"
    )
    assert response.status_code == 400
    enrollment.refresh_from_db()
    assert enrollment.status == "candidate"
