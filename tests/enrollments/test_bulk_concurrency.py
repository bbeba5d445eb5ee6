"""Two bulk runs over the same rows at once apply each transition exactly once: the guarded
UPDATE of the second run finds the status already changed (real threads, real PostgreSQL)."""

import pytest
from django.db import connection

from enrollments.models import Enrollment, EnrollmentStatusChange
from enrollments.services import bulk, enrollment_bulk_evaluate, enrollment_bulk_transition
from events.models import Event
from tests.concurrency import run_concurrently
from tests.enrollments.factories import EnrollmentFactory, ProgramInstanceFactory

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks"),
    pytest.mark.django_db(transaction=True),
]


def _together(*calls):
    """Run the calls at once, each in its thread; every one must finish without an error (a
    deadlock between two runs is an error their users would see)."""
    return run_concurrently(lambda call: call(), [(call,) for call in calls])


def _rows(workspace, n, status):
    instance = ProgramInstanceFactory(workspace=workspace, eligibility_criteria={})
    return [
        EnrollmentFactory(workspace=workspace, program_instance=instance, status=status)
        for _ in range(n)
    ]


@pytest.mark.parametrize("runs", [2, 3])
def test_concurrent_bulk_evaluations_move_each_row_once(workspace, monkeypatch, runs):
    monkeypatch.setattr(bulk, "BULK_CHUNK_SIZE", 7)
    rows = _rows(workspace, 40, "candidate")
    outcomes = _together(*[lambda: enrollment_bulk_evaluate(enrollments=rows, actor=None)] * runs)
    assert Enrollment.objects.filter(status="eligible").count() == 40
    assert EnrollmentStatusChange.objects.count() == 40
    assert Event.objects.filter(type="enrollment.status_changed").count() == 40
    moved = [r.enrollment_id for results in outcomes for r in results if r.ok]
    assert sorted(moved) == sorted(r.pk for r in rows)  # each row reported moved by one run


def test_concurrent_bulk_transitions_move_each_row_once(workspace):
    rows = _rows(workspace, 30, "eligible")
    outcomes = _together(
        lambda: enrollment_bulk_transition(enrollments=rows, to="submitted", actor=None),
        lambda: enrollment_bulk_transition(enrollments=rows[::-1], to="submitted", actor=None),
    )
    assert EnrollmentStatusChange.objects.filter(to_status="submitted").count() == 30
    assert Event.objects.filter(type="enrollment.status_changed").count() == 30
    assert sum(r.ok for results in outcomes for r in results) == 30
