"""Bulk actions use bulk SQL: statements per chunk are constant, only the status UPDATE (through
the model's save(), never a bulk update) and the task backend's enqueue stay per row. Pinned
here because they used to run 8 statements per row (docs/benchmarks.md has the numbers)."""

from decimal import Decimal

import pytest

from enrollments.models import Enrollment, EnrollmentStatusChange
from enrollments.services import (
    enrollment_bulk_evaluate,
    enrollment_bulk_transition,
    enrollment_evaluate,
    lifecycle,
)
from events.models import Event, WebhookDelivery, WebhookEndpoint
from tests.enrollments.factories import EnrollmentFactory, ProgramInstanceFactory

# BEGIN, the chunk's lock, the customers' enrollments, history INSERT, event INSERT, endpoint
# SELECT, delivery INSERT, COMMIT, and slack for savepoints.
CONSTANT = 10


def _rows(workspace, n, status, **fields):
    instance = ProgramInstanceFactory(
        workspace=workspace, eligibility_criteria={"regions": ["NY"]}, criteria_version=2
    )
    return [
        EnrollmentFactory(
            workspace=workspace, program_instance=instance, status=status, state="NY", **fields
        )
        for _ in range(n)
    ]


@pytest.mark.parametrize("n", [3, 30])
def test_bulk_evaluate_statements_do_not_grow_per_row(workspace, django_assert_max_num_queries, n):
    rows = _rows(workspace, n, "candidate")
    with django_assert_max_num_queries(CONSTANT + n):
        results = enrollment_bulk_evaluate(enrollments=rows, actor=None)
    assert all(r.ok for r in results)
    assert Enrollment.objects.filter(status="eligible").count() == n
    assert EnrollmentStatusChange.objects.filter(to_status="eligible").count() == n
    assert Event.objects.filter(type="enrollment.status_changed").count() == n


@pytest.mark.parametrize("n", [3, 30])
def test_bulk_transition_statements_do_not_grow_per_row(
    workspace, django_assert_max_num_queries, settings, n
):
    settings.NOTIFICATIONS_ENABLED = False  # a notification task is one enqueue per row
    rows = _rows(workspace, n, "eligible")
    with django_assert_max_num_queries(CONSTANT + n):
        results = enrollment_bulk_transition(enrollments=rows, to="submitted", actor=None)
    assert all(r.ok for r in results)
    assert Enrollment.objects.filter(status="submitted").count() == n


def test_bulk_fans_out_to_every_endpoint_once_per_event(workspace):
    for i in range(2):
        WebhookEndpoint.objects.create(
            workspace=workspace, url=f"https://example.com/{i}", secret="whsec_x"
        )
    rows = _rows(workspace, 4, "eligible")
    enrollment_bulk_transition(enrollments=rows, to="submitted", actor=None)
    events = Event.objects.filter(type="enrollment.status_changed")
    assert events.count() == 4
    assert WebhookDelivery.objects.filter(event__in=events).count() == 8
    for event in events:
        assert event.data["previousStatus"] == "eligible"
        assert event.data["object"]["eligibilityStatus"] == "submitted"


def test_bulk_refusals_and_chunks_keep_every_row_independent(workspace, monkeypatch):
    monkeypatch.setattr(lifecycle, "BULK_CHUNK_SIZE", 2)
    ready = _rows(workspace, 3, "eligible")
    not_ready = _rows(workspace, 2, "approved")
    mixed = [ready[0], not_ready[0], ready[1], not_ready[1], ready[2]]
    results = enrollment_bulk_transition(enrollments=mixed, to="submitted", actor=None)
    assert [r.enrollment_id for r in results] == [e.pk for e in mixed]
    assert [r.ok for r in results] == [True, False, True, False, True]
    assert Enrollment.objects.filter(status="submitted").count() == 3
    assert Enrollment.objects.filter(status="approved").count() == 2


def test_bulk_evaluate_reopens_before_the_verdict_like_the_single_service(workspace):
    """Ineligible rows whose criteria changed: reopened, then evaluated, history in order, and
    the same result as `enrollment_evaluate` gives one row."""
    bulk = _rows(workspace, 2, "ineligible", evaluated_criteria_version=1)
    single = _rows(workspace, 1, "ineligible", evaluated_criteria_version=1)[0]
    results = enrollment_bulk_evaluate(enrollments=bulk, actor=None)
    _, expected = enrollment_evaluate(enrollment=single, actor=None)
    for row, result in zip(bulk, results, strict=True):
        assert result.ok
        assert result.message == f"eligible: {expected.reason}"
        history = list(
            EnrollmentStatusChange.objects.filter(enrollment=row).values_list(
                "from_status", "to_status"
            )
        )
        assert history == [("ineligible", "candidate"), ("candidate", "eligible")]


def test_bulk_evaluate_sees_the_customers_other_enrollments(workspace):
    """excludeProgramSlugs: the per-chunk lookup gives what the one-row query gives."""
    enrolled = _rows(workspace, 1, "approved")[0]
    excluded_slug = enrolled.program_instance.slug
    instance = ProgramInstanceFactory(
        workspace=workspace, eligibility_criteria={"excludeProgramSlugs": [excluded_slug]}
    )
    clash = EnrollmentFactory(
        workspace=workspace,
        program_instance=instance,
        customer=enrolled.customer,
        status="candidate",
        device_capacity=Decimal("5"),
    )
    free = EnrollmentFactory(workspace=workspace, program_instance=instance, status="candidate")
    results = enrollment_bulk_evaluate(enrollments=[clash, free], actor=None)
    assert results[0].message.startswith("ineligible:")
    assert results[1].message.startswith("eligible:")
