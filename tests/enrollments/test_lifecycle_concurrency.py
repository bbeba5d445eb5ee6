"""The lifecycle under concurrency: real threads with their own connections (PostgreSQL and
file SQLite) apply one move once and create one duplicate enrollment once. Split from
test_lifecycle.py.
"""

import pytest

from enrollments.models import Enrollment, EnrollmentStatusChange
from events.models import Event
from tests.concurrency import run_concurrently
from tests.enrollments.factories import (
    ProgramInstanceFactory,
)
from tests.enrollments.lifecycle_helpers import _enrollment_in, _move


# --- concurrency (real threads with their own connections; PostgreSQL and file SQLite) ------
@pytest.mark.django_db(transaction=True)
def test_parallel_approvals_apply_once(api_client_for, workspace):
    enrollment = _enrollment_in(workspace, "submitted")
    clients = [api_client_for(workspace) for _ in range(6)]

    def approve(client):
        return _move(client, enrollment, "approved", reason="parallel").status_code

    statuses = run_concurrently(approve, [(c,) for c in clients])
    assert sorted(statuses) == [200] + [409] * (len(clients) - 1)
    assert EnrollmentStatusChange.objects.filter(enrollment=enrollment).count() == 1
    assert Event.objects.filter(type="enrollment.status_changed").count() == 1


@pytest.mark.django_db(transaction=True)
def test_parallel_different_moves_from_one_state_apply_once(api_client_for, workspace):
    enrollment = _enrollment_in(workspace, "submitted")
    clients = [api_client_for(workspace) for _ in range(4)]

    def move(client, to):
        return to, _move(client, enrollment, to, reason="Decided").status_code

    targets = ["approved", "rejected", "approved", "rejected"]
    outcomes = run_concurrently(move, list(zip(clients, targets, strict=True)))
    winners = [to for to, code in outcomes if code == 200]
    assert len(winners) == 1 and sorted(c for _, c in outcomes).count(409) == 3
    enrollment.refresh_from_db()
    assert enrollment.status == winners[0]
    assert EnrollmentStatusChange.objects.filter(enrollment=enrollment).count() == 1


@pytest.mark.django_db(transaction=True)
def test_parallel_duplicate_enrollments_create_one(api_client_for, workspace):
    instance = ProgramInstanceFactory(workspace=workspace)
    clients = [api_client_for(workspace) for _ in range(5)]
    body = {
        "identificationType": "customerInfo",
        "firstName": "Par",
        "lastName": "Allel",
        "email": "parallel@example.com",
    }

    def create(client):
        path = f"/api/v1/programInstances/{instance.pk}/enrollments"
        return client.post(path, body, format="json").status_code

    statuses = run_concurrently(create, [(c,) for c in clients])
    assert sorted(statuses) == [201] + [409] * 4
    assert Enrollment.objects.filter(program_instance=instance).count() == 1
