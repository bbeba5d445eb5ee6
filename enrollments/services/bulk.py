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
table (`enrollments.transitions`), read through `_Policy` below and nowhere else in this
module; what a move writes besides the status mirrors the model's @transition methods. The
rules that are not the table's are the one-row path's own functions, called per row where
they apply: the submit guard (`enrollment_require_form_fields`) and the second open
enrollment of a reopened rejection (`_refuse_second_open`).
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import Any

from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone

from accounts import scopes as scope_names
from accounts.tenancy import Tenant
from config.bulk_insert import PreparedRows, fetch_objects, insert_prepared, prepare_rows
from config.errors import ConflictError, DomainError
from config.pipeline import ChunkWriter
from enrollments import transitions
from enrollments.models import (
    CLOSED_STATUSES,
    Enrollment,
    EnrollmentStatus,
    EnrollmentStatusChange,
)
from enrollments.services._common import BulkResult, _payloads, _require_scope
from events.services import EventBatch, event_batch, event_batch_write
from instances.models import ProgramInstance

# Rows per transaction: bounds how long row locks (and SQLite's write lock) are held.
BULK_CHUNK_SIZE = 500
S = EnrollmentStatus
CHANGED_MEANWHILE = "Not moved: its status changed while this ran (another action moved it)."


class _Policy:
    """The one place this module reads the lifecycle table (enrollments.transitions) and the
    @transition methods' effects."""

    @staticmethod
    def sources(target: str) -> tuple[str, ...]:
        return tuple(str(row.source) for row in transitions.TABLE if row.target == target)

    @staticmethod
    def targets(source: str) -> tuple[str, ...]:
        return tuple(str(t) for t in transitions.targets_from(source))

    @staticmethod
    def scope(target: str) -> str:
        row = transitions.transition_to(target)
        return row.scope if row is not None else scope_names.ENROLLMENTS_WRITE

    @staticmethod
    def effects(target: str, *, reason: str, start_date: datetime | None) -> dict[str, Any]:
        """The columns the model's @transition method for `target` sets besides the status
        (for eligible/ineligible the criteria version is per row: see `_evaluate_chunk`)."""
        if target == S.UNENROLLED:
            return {"exit_reason": reason}
        effects: dict[str, Any] = {}
        if reason or target in (S.CANDIDATE, S.REJECTED, S.ELIGIBLE, S.INELIGIBLE):
            effects["eligibility_reason"] = reason
        if target == S.APPROVED:
            effects["enrollment_start_date"] = start_date or timezone.now()
        return effects


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
        return
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


# --- writing -------------------------------------------------------------------------------
# A chunk is written in two halves: `_plan` (this thread: what every move changes, applied to
# the rows in memory, their history rows and events built and serialised) and `_apply` (one
# transaction, on the writer connection when pipelined: `config.pipeline`): the guarded
# UPDATEs, then the history rows and events of the rows they really moved.
@dataclass
class _Move:
    """Rows a chunk moves from one status to `to` (in a plan: tries to), with what the UPDATE
    sets and the history facts of each row."""

    to: str
    previous: dict[str, str]  # id -> from status
    reasons: dict[str, str]
    metadata: dict[str, dict]
    changes: dict[str, Any] = field(default_factory=dict)  # the same for every row
    per_row: dict[str, dict[str, Any]] = field(default_factory=dict)  # column -> id -> value
    statement: tuple[str, list] | None = None  # the UPDATE of every row in `previous`


def _move(
    rows: dict[str, Enrollment],
    previous: dict[str, str],
    to: str,
    *,
    values: dict[str, Any],
    per_row: dict[str, dict[str, Any]],
    reasons: dict[str, str],
    metadata: dict[str, dict] | None = None,
) -> _Move:
    """A planned move, already applied to `rows` in memory: the events' payloads are built
    from these rows before the UPDATE runs (rows it does not move get no event). Straight into
    the instance: the status field is protected against assignment (only django-fsm's methods
    move it), and this is the state the UPDATE writes, not a move of one object."""
    move = _Move(
        to,
        previous,
        reasons,
        metadata or {},
        {"status": to, "updated_at": timezone.now(), **values},
        per_row,
    )
    for pk in previous:
        row = rows.get(pk)
        if row is None:
            continue
        state = vars(row)
        state.update(move.changes)
        state.update((name, by_id.get(pk)) for name, by_id in per_row.items())
        state["version"] = row.version + 1
    move.statement = _update_statement(move, list(previous))
    return move


def _guarded_update(move: _Move, ids: list[str]) -> dict[str, int]:
    """ONE `UPDATE ... FROM unnest(arrays) WHERE id = v.id AND status IN (sources) RETURNING
    id, version` (VALUES on SQLite): id -> new version of the rows that really moved. Its SQL
    and parameters were built with the plan (`_move`), unless an earlier move of the chunk
    left rows out."""
    if not ids:
        return {}
    if move.statement is not None and ids == list(move.previous):
        sql, params = move.statement
    else:
        sql, params = _update_statement(move, ids)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return dict(cursor.fetchall())


def _update_statement(move: _Move, ids: list[str]) -> tuple[str, list]:
    """The guarded UPDATE of `ids` (see `_guarded_update`). The move's `changes` are the same
    for every row, its `per_row[column][id]` differ per row; the row version is bumped (the
    API's ETag)."""
    meta = Enrollment._meta
    quote = connection.ops.quote_name
    sets, params = [f"{quote('version')} = {quote('version')} + 1"], []
    for name, value in move.changes.items():
        column = meta.get_field(name)
        sets.append(f"{quote(column.column)} = %s")
        params.append(column.get_db_prep_value(value, connection))
    per_row_fields = [meta.get_field(name) for name in move.per_row]
    for number, column in enumerate(per_row_fields, start=2):
        sets.append(f"{quote(column.column)} = v.column{number}")
    columns = [
        [column.get_db_prep_value(move.per_row[column.name].get(pk), connection) for pk in ids]
        for column in per_row_fields
    ]
    if connection.vendor == "postgresql":  # one array per column: a handful of parameters
        types = ["varchar", *(column.cast_db_type(connection) for column in per_row_fields)]
        arrays = ", ".join(f"%s::{kind}[]" for kind in types)
        names = ", ".join(f"column{n}" for n in range(1, len(types) + 1))
        rows_sql = f"unnest({arrays}) AS v({names})"
        params += [list(ids), *columns]
    else:
        cells = f"({', '.join(['%s'] * (1 + len(per_row_fields)))})"
        rows_sql = f"(VALUES {', '.join([cells] * len(ids))}) AS v"
        for pk, *values in zip(ids, *columns, strict=True):
            params += [pk, *values]
    sources = _Policy.sources(move.to)
    sql = (
        f"UPDATE {quote(meta.db_table)} SET {', '.join(sets)} "
        f"FROM {rows_sql} "
        f"WHERE {quote('id')} = v.column1 "
        f"AND {quote('status')} IN ({', '.join(['%s'] * len(sources))}) "
        f"RETURNING {quote('id')}, {quote('version')}"
    )
    return sql, [*params, *sources]


@dataclass
class _Plan:
    """A chunk's writes, prepared: its moves in order, the history row and the events of each
    (move number, id), and the rows (to set the versions the UPDATEs return)."""

    moves: list[_Move]
    rows: dict[str, Enrollment]
    history_keys: list[tuple[int, str]]
    history: PreparedRows
    events: list[EventBatch]


def payload_as(payload: dict, *, status: str, reason: str) -> dict:
    """An enrollment's payload as it was in `status` with `reason`, the rest unchanged: the
    event of an earlier move than the row's current state (the set-based path moves a row
    more than once per chunk, or decides a new row before its INSERT)."""
    eligibility = {**payload["eligibility"], "status": status, "reason": reason}
    return {
        **payload,
        "eligibilityStatus": status,
        "eligibilityReason": reason,
        "eligibility": eligibility,
        "allowedTransitions": list(_Policy.targets(status)),
    }


def _plan(
    moves: list[_Move], rows: dict[str, Enrollment], *, actor, payloads: dict | None = None
) -> _Plan:
    """History rows and events of every row the moves name, in move order, built from `rows`
    as the moves left them in memory (see `_move`); `payloads`, when the caller has them, are
    theirs. Nothing is written here."""
    moving = list(dict.fromkeys(pk for move in moves for pk in move.previous))
    label = (actor.actor_label if actor else "system")[:200]
    user_id = actor.user.pk if actor and actor.user else None
    api_key_id = actor.api_key.pk if actor and actor.api_key else None
    if payloads is None:
        payloads = dict(zip(moving, _payloads([rows[pk] for pk in moving]), strict=True))
    history, events, keys = [], {}, {}
    for number, move in enumerate(moves):
        for pk, previous in move.previous.items():
            row = rows[pk]
            history.append(
                (
                    (number, pk),
                    {
                        "workspace_id": row.workspace_id,
                        "enrollment_id": pk,
                        "enrollment_ref": pk,
                        "program_instance_ref": row.program_instance_id,
                        "subject": f"{row.first_name} {row.last_name} <{row.email}>"[:400],
                        "from_status": previous,
                        "to_status": move.to,
                        "reason": move.reasons.get(pk, ""),
                        "metadata": move.metadata.get(pk) or {},
                        "actor_user_id": user_id,
                        "actor_api_key_id": api_key_id,
                        "actor_label": label,
                    },
                )
            )
            payload = payloads[pk]
            if move.to != row.status:  # a later move of this chunk: the event says this one's
                payload = payload_as(payload, status=move.to, reason=move.reasons.get(pk, ""))
            # The spec: `enrollment.updated` too whenever the status changes (as one row).
            for type_ in ("enrollment.status_changed", "enrollment.updated"):
                events.setdefault(row.workspace_id, []).append(
                    {
                        "type": type_,
                        "obj": payload,
                        "previous_status": previous,
                        "enrollment_id": pk,
                        "program_instance_id": row.program_instance_id,
                        "actor": actor,
                    }
                )
                keys.setdefault(row.workspace_id, []).append((number, pk))
    batches = [
        event_batch(workspace=workspace_id, items=items, keys=keys[workspace_id])
        for workspace_id, items in events.items()
    ]
    return _Plan(
        moves,
        rows,
        [key for key, _ in history],
        prepare_rows(EnrollmentStatusChange, [row for _, row in history]),
        batches,
    )


def _apply(plan: _Plan) -> list[_Move]:
    """Write a plan (inside the caller's transaction): each move's guarded UPDATE, in order
    (a row an earlier move of the plan did not move is left out of the later ones), then the
    history rows and events of the rows really moved. Returns the moves as applied."""
    applied, not_moved = [], set()
    for move in plan.moves:
        ids = [pk for pk in move.previous if pk not in not_moved]
        versions = _guarded_update(move, ids)
        not_moved.update(pk for pk in ids if pk not in versions)
        for pk, version in versions.items():
            if pk in plan.rows:
                vars(plan.rows[pk])["version"] = version
        applied.append(
            _Move(
                move.to,
                {pk: move.previous[pk] for pk in ids if pk in versions},
                move.reasons,
                move.metadata,
                move.changes,
                move.per_row,
            )
        )
    done = {(number, pk) for number, move in enumerate(applied) for pk in move.previous}
    insert_prepared(plan.history.only([key in done for key in plan.history_keys]))
    for batch in plan.events:
        event_batch_write(batch.only(done))
    return applied


def _write_history(
    moves: list[_Move], rows: dict[str, Enrollment], *, actor, payloads: dict | None = None
) -> None:
    """History rows and events of moves already written (the import's new rows, inserted in
    their final status): `_plan`, every row kept."""
    plan = _plan(moves, rows, actor=actor, payloads=payloads)
    insert_prepared(plan.history)
    for batch in plan.events:
        event_batch_write(batch)


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
    with ChunkWriter() as writer:
        for ids, rows in chunks(enrollments):
            order += ids
            plan, results_of = _transition_plan(
                ids, rows, to=to, actor=actor, reason=reason, rules=_ChunkRules(writer.wait)
            )
            writer.submit(
                partial(_apply, plan), then=lambda applied, f=results_of: results.update(f(applied))
            )
    return [results[pk] for pk in _given_order(enrollments, order)]


def _transition_plan(ids: list[str], rows: dict, *, to, actor, reason: str, rules: "_ChunkRules"):
    """One chunk of `bulk_transition`: its plan, and the function that turns the moves as
    applied into the chunk's results (refusals are known now, the rest once written)."""
    from enrollments.services.lifecycle import _refusal

    refused: dict[str, BulkResult] = {}
    ready: dict[str, str] = {}
    for pk in ids:
        row = rows.get(pk)
        refusal = "This enrollment no longer exists." if row is None else None
        refusal = refusal or _read_only_refusal(row)
        if refusal is None and to not in row.allowed_transitions:
            refusal = _refusal(row, to).message
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
                pk: BulkResult(
                    pk, pk in moved, f"Moved to {to}." if pk in moved else CHANGED_MEANWHILE
                )
                for pk in ready
            },
        }

    return _plan([move], rows, actor=actor), results_of


def _collect(results: dict, results_of, applied: list[_Move]) -> None:
    """A written chunk's results, into the run's (`ChunkWriter.submit`'s `then`)."""
    results.update(results_of(applied))


class _ChunkRules:
    """The one-row path's rules beyond the table (its own functions), per row of a chunk.

    One of them reads other rows: reopening a rejected or unenrolled enrollment must not give
    its customer a second open enrollment in the instance (`_refuse_second_open`). So before
    the first such check of a chunk, `settle` waits until the chunks before it are written
    (their reopenings are then visible), and two rows of the same chunk reopening the same
    customer's enrollments in one instance: the first is moved, the second refused, as one
    at a time would have done (both would break the one-open-enrollment index)."""

    def __init__(self, settle=None):
        self._settle = settle
        self._reopened: set[tuple[str, str]] = set()

    def refusal(self, row, to: str) -> str | None:
        """None, or why this row cannot move to `to`."""
        from enrollments.services.lifecycle import (
            SECOND_OPEN,
            _refuse_second_open,
            enrollment_require_form_fields,
        )

        try:
            if to == S.SUBMITTED:
                enrollment_require_form_fields(row)
            if row.status in CLOSED_STATUSES:
                if self._settle is not None:
                    self._settle()
                    self._settle = None
                key = (row.program_instance_id, row.customer_id)
                if key in self._reopened:
                    raise ConflictError(SECOND_OPEN)
                _refuse_second_open(row)
                self._reopened.add(key)
        except DomainError as exc:
            return exc.message
        return None


def _given_order(enrollments, chunked: list[str]) -> list[str]:
    if isinstance(enrollments, QuerySet):
        return chunked
    return [getattr(e, "pk", e) for e in enrollments]


def __getattr__(name: str):
    """`bulk_evaluate` and `evaluate_chunk` live in `enrollments.services.bulk_evaluate`
    (which imports this module's machinery); they stay importable from here, lazily."""
    if name in ("bulk_evaluate", "evaluate_chunk"):
        import importlib

        return getattr(importlib.import_module("enrollments.services.bulk_evaluate"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
