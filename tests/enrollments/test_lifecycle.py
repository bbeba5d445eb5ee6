"""The lifecycle: every (from, to) pair generated from the contract's table, scopes, history,
events, the criteria-version guard, evaluation per rule, and concurrency on PostgreSQL."""

import itertools

import pytest

from config.errors import ForbiddenError, InvalidTransitionError
from enrollments.models import Enrollment, EnrollmentStatus, EnrollmentStatusChange
from enrollments.services import (
    enrollment_bulk_transition,
    enrollment_transition,
)
from enrollments.transitions import TRANSITIONS
from events.models import Event
from tests.enrollments.lifecycle_helpers import _enrollment_in, _move

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
