"""The set-based paths write chunk N on a second connection while chunk N+1 is read and decided
(`config.pipeline`). What a user relies on must not change with it: the same results, history
rows and events as one chunk at a time, nothing written after a failure, and the rules that read
other rows (one open enrollment per customer and instance) still applied across chunks."""

import threading
import time
from functools import partial

import pytest
from django.db import connection, transaction

from config import pipeline
from config.pipeline import ChunkWriter
from enrollments.models import Enrollment, EnrollmentStatusChange
from enrollments.services import (
    bulk,
    bulk_writes,
    enrollment_bulk_evaluate,
    enrollment_bulk_transition,
)
from enrollments.services.lifecycle import SECOND_OPEN
from events.models import Event
from tests.enrollments.factories import (
    CustomerFactory,
    EnrollmentFactory,
    ProgramInstanceFactory,
)


def on_postgres(test):
    """Real transactions on PostgreSQL: where the writer thread and its connection are used."""
    for mark in (
        pytest.mark.django_db(transaction=True),
        pytest.mark.skipif(connection.vendor != "postgresql", reason="pipelined on PostgreSQL"),
        pytest.mark.postgres_only,
    ):
        test = mark(test)
    return test


@pytest.fixture
def writer_threads(monkeypatch):
    """The threads that applied chunks (the caller's own when not pipelined)."""
    seen = []
    apply = bulk._apply

    def recording(plan):
        seen.append(threading.current_thread().name)
        return apply(plan)

    monkeypatch.setattr(bulk, "_apply", recording)
    monkeypatch.setattr("enrollments.services.bulk_evaluate._apply", recording)
    return seen


def _mixed(workspace):
    """Candidates in and out of the criteria, rejected rows to reopen (criteria changed), a
    submitted row (refused), in an instance whose criteria are at version 2."""
    instance = ProgramInstanceFactory(
        workspace=workspace, eligibility_criteria={"regions": ["NY"]}, criteria_version=2
    )

    def make(n, **fields):
        return [
            EnrollmentFactory(workspace=workspace, program_instance=instance, **fields)
            for _ in range(n)
        ]

    return (
        make(5, state="NY")
        + make(4, state="CA")
        + make(3, state="NY", status="rejected", evaluated_criteria_version=1)
        + make(1, status="submitted")
    )


def _outcome(rows):
    ids = [row.pk for row in rows]
    return (
        sorted(Enrollment.objects.filter(pk__in=ids).values_list("pk", "status", "version")),
        sorted(
            EnrollmentStatusChange.objects.filter(enrollment_id__in=ids).values_list(
                "enrollment_id", "from_status", "to_status", "reason"
            )
        ),
        sorted(
            Event.objects.filter(enrollment_id__in=ids).values_list(
                "enrollment_id", "type", "data__previousStatus", "data__object__eligibilityStatus"
            )
        ),
    )


@pytest.mark.parametrize("pipelined", [True, False])
@on_postgres
def test_pipelined_evaluation_writes_what_one_chunk_at_a_time_writes(
    workspace, monkeypatch, settings, writer_threads, pipelined
):
    settings.BULK_WRITERS = 2 if pipelined else 0
    monkeypatch.setattr(bulk, "BULK_CHUNK_SIZE", 3)
    rows = _mixed(workspace)
    results = enrollment_bulk_evaluate(enrollments=rows, actor=None)

    assert [r.enrollment_id for r in results] == [row.pk for row in rows]  # given order
    messages = [r.message for r in results]
    assert all(m.startswith("eligible:") for m in messages[:5])
    assert all(m.startswith("ineligible:") for m in messages[5:9])
    assert all(m.startswith("eligible:") for m in messages[9:12])  # reopened, then decided
    assert not results[12].ok and "submitted" in messages[12]
    statuses, history, events = _outcome(rows)
    assert [s for _, s, _ in statuses].count("eligible") == 8
    # A reopened row: its own history row and events (reopen, then verdict), version +2.
    reopened = rows[9].pk
    assert {(f, t) for pk, f, t, _ in history if pk == reopened} == {
        ("rejected", "candidate"),
        ("candidate", "eligible"),
    }
    assert dict((pk, v) for pk, _, v in statuses)[reopened] == rows[9].version + 2
    assert len(history) == 15 and len(events) == 30  # 12 moves + 3 reopenings
    if pipelined:  # five chunks, all written by the writer thread, none by the caller's
        assert len(writer_threads) == 5
        assert all(name.startswith("bulk-writer") for name in writer_threads)
    else:
        assert writer_threads == [threading.current_thread().name] * 5


@on_postgres
def test_same_outcome_pipelined_or_not(workspace, monkeypatch, settings):
    monkeypatch.setattr(bulk, "BULK_CHUNK_SIZE", 2)
    outcomes = []
    for pipelined in (True, False):
        settings.BULK_WRITERS = 2 if pipelined else 0
        rows = _mixed(workspace)
        results = enrollment_bulk_evaluate(enrollments=rows, actor=None)
        transitioned = enrollment_bulk_transition(
            enrollments=Enrollment.objects.filter(pk__in=[r.pk for r in rows], status="eligible"),
            to="submitted",
            actor=None,
        )
        statuses, history, events = _outcome(rows)
        outcomes.append(
            (
                [(r.ok, r.message) for r in results],
                sorted((r.ok, r.message) for r in transitioned),
                sorted(s for _, s, _ in statuses),
                sorted((f, t) for _, f, t, _ in history),
                sorted((type_, prev, now) for _, type_, prev, now in events),
            )
        )
    assert outcomes[0] == outcomes[1]


@on_postgres
def test_a_failed_chunk_stops_the_run_and_later_chunks_are_not_written(workspace, monkeypatch):
    monkeypatch.setattr(bulk, "BULK_CHUNK_SIZE", 2)
    instance = ProgramInstanceFactory(workspace=workspace, eligibility_criteria={})
    rows = [
        EnrollmentFactory(workspace=workspace, program_instance=instance, status="eligible")
        for _ in range(8)
    ]
    calls = []
    update = bulk_writes._guarded_update

    def failing_second(move, ids):
        calls.append(ids)
        if rows[2].pk in ids:  # the second chunk (rows 2 and 3)
            raise RuntimeError("the database went away")
        return update(move, ids)

    monkeypatch.setattr(bulk_writes, "_guarded_update", failing_second)
    with pytest.raises(RuntimeError, match="went away"):
        enrollment_bulk_transition(enrollments=rows, to="submitted", actor=None)
    submitted = set(Enrollment.objects.filter(status="submitted").values_list("pk", flat=True))
    assert submitted == {rows[0].pk, rows[1].pk}  # the first chunk, committed; nothing after it
    assert EnrollmentStatusChange.objects.count() == 2
    assert Event.objects.filter(type="enrollment.status_changed").count() == 2
    # A chunk written beside the failing one (two writers) waited for its turn and rolled back.
    assert len(calls) <= 3


@pytest.mark.parametrize("chunk", [1, 10])
@pytest.mark.django_db(transaction=True)
def test_reopening_two_rejections_of_one_customer_moves_the_first_only(
    workspace, monkeypatch, chunk
):
    """Across chunks (pipelined: the second chunk's check waits for the first to be written)
    and within one chunk: the second would be a second open enrollment."""
    monkeypatch.setattr(bulk, "BULK_CHUNK_SIZE", chunk)
    instance = ProgramInstanceFactory(
        workspace=workspace, eligibility_criteria={"regions": ["NY"]}, criteria_version=2
    )
    customer = CustomerFactory(workspace=workspace)
    rows = [
        EnrollmentFactory(
            workspace=workspace,
            program_instance=instance,
            customer=customer,
            status="rejected",
            state="NY",
            evaluated_criteria_version=1,
        )
        for _ in range(2)
    ]
    results = enrollment_bulk_evaluate(enrollments=rows, actor=None)
    assert results[0].ok and results[0].message.startswith("eligible:")
    assert not results[1].ok and results[1].message == SECOND_OPEN
    statuses = dict(Enrollment.objects.values_list("pk", "status"))
    assert statuses == {rows[0].pk: "eligible", rows[1].pk: "rejected"}


# --- ChunkWriter itself -------------------------------------------------------------------------
@pytest.mark.django_db
def test_inside_a_transaction_the_writer_runs_in_the_callers_thread():
    with transaction.atomic():
        assert pipeline.writers_possible() == 0
        with ChunkWriter() as writer:
            seen = []
            writer.submit(lambda: threading.current_thread().name, then=seen.append)
            assert seen == [threading.current_thread().name]  # at once, not later
        assert not writer.pipelined


@on_postgres
def test_results_come_back_in_order_in_the_callers_thread_and_the_connection_is_closed():
    before = threading.active_count()
    seen = []
    with ChunkWriter() as writer:
        assert writer.pipelined
        for n in range(5):
            writer.submit(
                lambda n=n: (n, threading.current_thread().name, connection.in_atomic_block),
                then=lambda result: seen.append((*result, threading.current_thread().name)),
            )
    caller = threading.current_thread().name
    assert [n for n, *_ in seen] == [0, 1, 2, 3, 4]
    assert all(name.startswith("bulk-writer") and atomic for _, name, atomic, _ in seen)
    assert all(then_thread == caller for *_, then_thread in seen)
    assert threading.active_count() == before  # the writer thread ended
    with connection.cursor() as cursor:  # and its connection is gone
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid()"
        )
        assert cursor.fetchone()[0] == 0


@on_postgres
def test_chunks_written_side_by_side_commit_in_the_order_they_were_submitted():
    """The first chunk is slow to write, the second quick: the second still commits after the
    first (an events consumer paging by createdAt never sees a later chunk first)."""
    committed, results = [], []

    def write(number, pause):
        time.sleep(pause)
        transaction.on_commit(lambda: committed.append(number))
        return number

    with ChunkWriter(writers=2) as writer:
        for number, pause in enumerate([0.3, 0.0, 0.1, 0.0]):
            writer.submit(partial(write, number, pause), then=results.append)
    assert committed == [0, 1, 2, 3]
    assert results == [0, 1, 2, 3]


@on_postgres
def test_a_failure_rolls_back_the_chunks_after_it_not_the_ones_before():
    committed = []

    def write(number, pause, fail=False):
        time.sleep(pause)
        if fail:
            raise RuntimeError(f"chunk {number} failed")
        transaction.on_commit(lambda: committed.append(number))

    with pytest.raises(RuntimeError, match="chunk 1 failed"), ChunkWriter(writers=2) as writer:
        writer.submit(partial(write, 0, 0.3), then=lambda _: None)  # slow, earlier: kept
        writer.submit(partial(write, 1, 0.0, fail=True), then=lambda _: None)
        writer.submit(partial(write, 2, 0.0), then=lambda _: None)  # after it: not written
        writer.submit(partial(write, 3, 0.0), then=lambda _: None)
    assert committed == [0]


@on_postgres
def test_a_selection_within_one_chunk_stays_on_the_callers_connection(workspace, writer_threads):
    """The dashboard's bulk actions act on a page's selection: one chunk, nothing to overlap,
    so no writer connection is opened for it."""
    instance = ProgramInstanceFactory(workspace=workspace, eligibility_criteria={})
    rows = [
        EnrollmentFactory(workspace=workspace, program_instance=instance, status="eligible")
        for _ in range(3)
    ]
    results = enrollment_bulk_transition(enrollments=rows, to="submitted", actor=None)
    assert all(r.ok for r in results)
    assert writer_threads == [threading.current_thread().name]
