"""The lifecycle's set-based path: bulk transition and bulk evaluation of many enrollments.

Why not the one-row service in a loop: a `save()` per row and a row lock per row made bulk
evaluation of 100,000 rows take minutes. Here, per chunk of ids: the rows are read once with
only the columns the decision needs, the decision is made in Python, and each target status is
ONE guarded UPDATE (`WHERE id IN (...) AND status IN (allowed sources) RETURNING id`). Only the
rows that UPDATE returned get a history row and an event, so two runs over the same rows apply
each transition exactly once (the second run's UPDATE finds the status already changed). The
history rows, events, webhook deliveries and task rows are bulk INSERTs: the statement count
per chunk is constant, and memory holds one chunk (plus the per-row results the callers show).

Evaluation (the same machinery applied to eligibility) is in `bulk_evaluate`, re-exported here.

Policy (allowed sources per target, the scope a target needs) is the declarative transition
table (`enrollments.transitions`), read through `_Policy` (`bulk_policy`) and nowhere else;
what a move writes besides the status mirrors the model's @transition methods. The writing
half (plans, guarded UPDATEs, history and events) is `bulk_writes`. The
rules that are not the table's are the one-row path's own functions, called per row where
they apply: the submit guard (`enrollment_require_form_fields`) and the second open
enrollment of a reopened rejection (`refuse_second_open`).
"""

from collections.abc import Iterable, Iterator
from functools import partial

from django.db.models import QuerySet

from accounts.tenancy import Tenant
from config.bulk_insert import fetch_objects
from config.errors import ConflictError, DomainError
from config.pipeline import ChunkWriter
from enrollments.models import CLOSED_STATUSES, Enrollment, EnrollmentStatus
from enrollments.services._common import BulkResult, _require_scope
from enrollments.services.bulk_policy import _Policy
from enrollments.services.bulk_writes import _apply, _Move, _move, _plan
from enrollments.services.lifecycle import (
    SECOND_OPEN,
    enrollment_require_form_fields,
    refuse_second_open,
    transition_refusal,
)
from enrollments.services.rules import serial_key, serial_refusal
from instances.formconfig import form_config_fields
from instances.models import ProgramInstance

# Rows per transaction: bounds how long row locks (and SQLite's write lock) are held.
BULK_CHUNK_SIZE = 500
S = EnrollmentStatus
CHANGED_MEANWHILE = "Not moved: its status changed while this ran (another action moved it)."


# --- reading -------------------------------------------------------------------------------
def chunks(enrollments, size: int | None = None) -> Iterator[tuple[list[str], dict]]:
    """The ids in chunks, each with its rows read (id -> Enrollment; a missing id: deleted).

    A QuerySet is walked by primary key (keyset), each page read whole by the same query that
    walks it, so memory does not grow with its size; a list of enrollments (or ids) is chunked
    as given, duplicates dropped, each chunk read by id."""
    size = size or BULK_CHUNK_SIZE
    if isinstance(enrollments, QuerySet):
        last = None
        base = enrollments.order_by("pk")
        while True:
            page = fetch_objects((base.filter(pk__gt=last) if last else base)[:size])
            if not page:
                return
            yield [row.pk for row in page], _with_instances(page)
            last = page[-1].pk
    ids = list(dict.fromkeys(getattr(e, "pk", e) for e in enrollments))
    for start in range(0, len(ids), size):
        chunk = ids[start : start + size]
        yield chunk, _read(chunk)


def _read(ids: list[str]) -> dict[str, Enrollment]:
    """The chunk's rows, whole: the decision reads a few columns, the submit guard the form's
    fields, and the events' payloads all of them (built from these rows once the moves have
    been applied to them: no second read)."""
    return _with_instances(fetch_objects(Enrollment.objects.filter(pk__in_array=ids).order_by()))


def _with_instances(rows: list[Enrollment]) -> dict[str, Enrollment]:
    """id -> row, with the rows' program instances (and programs) read once per chunk and
    shared, not joined to every row: a chunk has one or a few, and a join would send and
    parse each instance's JSON columns again for every row."""
    instance_ids = {row.program_instance_id for row in rows}
    instances = ProgramInstance.objects.select_related("program").in_bulk(list(instance_ids))
    for row in rows:
        row._state.fields_cache["program_instance"] = instances[row.program_instance_id]
    return {row.pk: row for row in rows}


def _read_only_refusal(row: Enrollment) -> str | None:
    instance = row.program_instance
    if instance.is_read_only:
        return (
            f"The program instance '{instance.name}' is archived and read-only; "
            "reactivate it to change its enrollments."
        )
    return None


# --- the two bulk services -----------------------------------------------------------------
def bulk_transition(
    *, enrollments: Iterable, to: str, actor: Tenant | None, reason: str = ""
) -> list[BulkResult]:
    """Move every enrollment to `to` (set-based); one BulkResult per row, in the given order.
    The caller (`enrollment_bulk_transition`) has checked the request and the scope. Chunk N
    is written while chunk N+1 is read and decided (`config.pipeline`)."""
    _require_scope(actor, _Policy.scope(to))
    results: dict[str, BulkResult] = {}
    order: list[str] = []
    with _writer_for(enrollments) as writer:
        for ids, rows in chunks(enrollments):
            order += ids
            plan, results_of = _transition_plan(
                ids, rows, to=to, actor=actor, reason=reason, rules=_ChunkRules(writer.wait)
            )
            writer.submit(partial(_apply, plan), then=partial(_collect, results, results_of))
    return [results[pk] for pk in _given_order(enrollments, order)]


def _transition_plan(ids: list[str], rows: dict, *, to, actor, reason: str, rules: "_ChunkRules"):
    """One chunk of `bulk_transition`: its plan, and the function that turns the moves as
    applied into the chunk's results (refusals are known now, the rest once written)."""
    refused: dict[str, BulkResult] = {}
    ready: dict[str, str] = {}
    for pk in ids:
        row = rows.get(pk)
        refusal = "This enrollment no longer exists." if row is None else None
        refusal = refusal or _read_only_refusal(row)
        if refusal is None and to not in row.allowed_transitions:
            refusal = transition_refusal(row, to).message
        if refusal is None:
            refusal = rules.refusal(row, to)
        if refusal:
            refused[pk] = BulkResult(pk, False, refusal)
        else:
            ready[pk] = row.status
    per_row = {}
    if to in (S.ELIGIBLE, S.INELIGIBLE):  # the verdict records the criteria it used
        per_row["evaluated_criteria_version"] = {
            pk: rows[pk].program_instance.criteria_version for pk in ready
        }
    move = _move(
        rows,
        ready,
        to,
        values=_Policy.effects(to, reason=reason, start_date=None),
        per_row=per_row,
        reasons=dict.fromkeys(ready, reason),
    )

    def results_of(applied: list[_Move]) -> dict[str, BulkResult]:
        moved = applied[0].previous
        return {
            **refused,
            **{
                pk: BulkResult(pk, True, f"Moved to {to}.")
                if pk in moved
                else BulkResult(pk, False, CHANGED_MEANWHILE)
                for pk in ready
            },
        }

    return _plan([move], rows, actor=actor), results_of


def _writer_for(enrollments) -> ChunkWriter:
    """The run's ChunkWriter: no writer connections for a list that fits in one chunk (the
    dashboard's bulk actions on a page's selection), where there is nothing to overlap and a
    connection would only be opened and closed."""
    if not isinstance(enrollments, QuerySet) and len(enrollments) <= BULK_CHUNK_SIZE:
        return ChunkWriter(writers=0)
    return ChunkWriter()


def _collect(results: dict, results_of, applied: list[_Move]) -> None:
    """A written chunk's results, into the run's (`ChunkWriter.submit`'s `then`)."""
    results.update(results_of(applied))


class _ChunkRules:
    """The one-row path's rules beyond the table (its own functions), per row of a chunk.

    One of them reads other rows: reopening a rejected or unenrolled enrollment must not give
    its customer a second open enrollment in the instance (`refuse_second_open`). So before
    the first such check of a chunk, `settle` waits until the chunks before it are written
    (their reopenings are then visible), and two rows of the same chunk reopening the same
    customer's enrollments (or one device's) in one instance: the first is moved, the second
    refused, as one at a time would have done (both would break a one-open-enrollment
    index)."""

    def __init__(self, settle=None):
        self._settle = settle
        self._reopened: set[tuple[str, str]] = set()
        self._reopened_devices: dict[tuple[str, str], str] = {}  # (instance, serial) -> pk
        self._form_fields: dict[str, list] = {}  # program instance id -> its form's fields

    def refusal(self, row, to: str) -> str | None:
        """None, or why this row cannot move to `to`."""
        try:
            if to == S.SUBMITTED:
                instance = row.program_instance
                if instance.pk not in self._form_fields:
                    self._form_fields[instance.pk] = form_config_fields(instance.form_config)
                enrollment_require_form_fields(row, self._form_fields[instance.pk])
            if row.status in CLOSED_STATUSES:
                if self._settle is not None:
                    self._settle()
                    self._settle = None
                key = (row.program_instance_id, row.customer_id)
                device = (row.program_instance_id, serial_key(row.serial_number))
                if key in self._reopened:
                    raise ConflictError(SECOND_OPEN)
                if device in self._reopened_devices:
                    raise serial_refusal(row.serial_number, self._reopened_devices[device])
                refuse_second_open(row)
                self._reopened.add(key)
                if device[1]:
                    self._reopened_devices[device] = row.pk
        except DomainError as exc:
            return exc.message
        return None


def _given_order(enrollments, chunked: list[str]) -> list[str]:
    if isinstance(enrollments, QuerySet):
        return chunked
    return [getattr(e, "pk", e) for e in enrollments]
