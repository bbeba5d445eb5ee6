"""The writing half of the set-based lifecycle path (`enrollments.services.bulk`).

A chunk is written in two halves: `_plan` (the caller's thread: what every move changes,
applied to the rows in memory, their history rows and events built and serialised) and
`_apply` (one transaction, on the writer connection when pipelined: `config.pipeline`): the
guarded UPDATEs, then the history rows and events of the rows they really moved. Only the
rows an UPDATE returned get a history row and an event, so two runs over the same rows apply
each transition exactly once.
"""

from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.utils import timezone

from config.bulk_insert import PreparedRows, insert_prepared, prepare_rows
from enrollments.models import Enrollment, EnrollmentStatusChange
from enrollments.services._common import _payloads
from enrollments.services.bulk_policy import _Policy
from events.services import EventBatch, event_batch, event_batch_write


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
    if previous:  # a verdict group can be empty: no statement to run
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
    API's ETag). The rows are listed in id order, so that the UPDATE locks them in id order:
    two runs over the same rows given in different orders would otherwise each lock a row the
    other one waits for (a deadlock, found by the concurrency test)."""
    ids = sorted(ids)
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
