"""Bulk actions are set-based: the statements per chunk are constant (one guarded UPDATE per
target status, bulk INSERTs for history, events, deliveries and task rows), whatever the number
of rows in the chunk. Pinned here because they used to run 8 statements per row, then 1."""

from decimal import Decimal

import pytest

from enrollments.models import Enrollment, EnrollmentStatusChange
from enrollments.services import (
    bulk,
    enrollment_bulk_evaluate,
    enrollment_bulk_transition,
    enrollment_evaluate,
)
from events.models import Event, WebhookDelivery, WebhookEndpoint
from tests.enrollments.factories import EnrollmentFactory, ProgramInstanceFactory

# Read of the chunk, its program instances (one query, not a join per row), the customers'
# enrollments, reopen/eligible/ineligible UPDATEs (RETURNING: the moved rows are not read
# again), history COPY, event COPY, endpoint SELECT, delivery COPY, task INSERTs (deliveries
# and notifications), BEGIN/COMMIT.
CONSTANT = 14


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


@pytest.fixture
def endpoint(workspace):
    return WebhookEndpoint.objects.create(
        workspace=workspace, url="https://example.com/hook", secret="whsec_x"
    )


@pytest.mark.parametrize("n", [3, 60])
def test_bulk_evaluate_statements_do_not_grow_per_row(
    workspace, endpoint, django_assert_max_num_queries, n
):
    rows = _rows(workspace, n, "candidate")
    with django_assert_max_num_queries(CONSTANT):
        results = enrollment_bulk_evaluate(enrollments=rows, actor=None)
    assert all(r.ok for r in results)
    assert Enrollment.objects.filter(status="eligible").count() == n
    assert EnrollmentStatusChange.objects.filter(to_status="eligible").count() == n
    assert Event.objects.filter(type="enrollment.status_changed").count() == n


@pytest.mark.parametrize("n", [3, 60])
def test_bulk_transition_statements_do_not_grow_per_row(
    workspace, endpoint, django_assert_max_num_queries, n
):
    rows = _rows(workspace, n, "eligible")
    with django_assert_max_num_queries(CONSTANT):
        results = enrollment_bulk_transition(enrollments=rows, to="submitted", actor=None)
    assert all(r.ok for r in results)
    assert Enrollment.objects.filter(status="submitted").count() == n
    # enrollment.status_changed and enrollment.updated for each moved row (the spec's events).
    assert WebhookDelivery.objects.count() == 2 * n


@pytest.mark.parametrize("chunk", [4, 20])
def test_statements_grow_with_chunks_not_rows(
    workspace, endpoint, django_assert_max_num_queries, monkeypatch, chunk
):
    """40 rows in chunks of `chunk`: the statement count is a constant per chunk."""
    monkeypatch.setattr(bulk, "BULK_CHUNK_SIZE", chunk)
    rows = _rows(workspace, 40, "candidate")
    with django_assert_max_num_queries(CONSTANT * (40 // chunk)):
        results = enrollment_bulk_evaluate(enrollments=rows, actor=None)
    assert all(r.ok for r in results)


def test_a_queryset_is_walked_by_keyset_chunks(workspace, monkeypatch):
    monkeypatch.setattr(bulk, "BULK_CHUNK_SIZE", 3)
    rows = _rows(workspace, 7, "eligible")
    results = enrollment_bulk_transition(
        enrollments=Enrollment.objects.filter(pk__in=[r.pk for r in rows]),
        to="submitted",
        actor=None,
    )
    assert sorted(r.enrollment_id for r in results) == sorted(r.pk for r in rows)
    assert Enrollment.objects.filter(status="submitted").count() == 7


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
    monkeypatch.setattr(bulk, "BULK_CHUNK_SIZE", 2)
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


def test_reopen_then_verdict_events_each_describe_their_move(workspace):
    row = _rows(workspace, 1, "ineligible", evaluated_criteria_version=1)[0]
    enrollment_bulk_evaluate(enrollments=[row], actor=None)
    events = Event.objects.filter(enrollment_id=row.pk, type="enrollment.status_changed").order_by(
        "created_at", "id"
    )
    moves = [(e.data["previousStatus"], e.data["object"]["eligibility"]["status"]) for e in events]
    assert sorted(moves) == sorted([("ineligible", "candidate"), ("candidate", "eligible")])
    reopen = next(e for e in events if e.data["previousStatus"] == "ineligible")
    assert reopen.data["object"]["allowedTransitions"] == ["eligible", "ineligible"]


def test_bulk_transition_needs_the_targets_scope(workspace, api_client_for):
    from accounts.tenancy import tenant_for_api_key
    from config.errors import ForbiddenError

    rows = _rows(workspace, 1, "submitted")
    writer = tenant_for_api_key(api_client_for(workspace, scopes=["enrollments:write"]).api_key)
    with pytest.raises(ForbiddenError):
        enrollment_bulk_transition(enrollments=rows, to="approved", actor=writer)
