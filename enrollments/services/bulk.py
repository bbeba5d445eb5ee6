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
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from accounts import scopes as scope_names
from accounts.tenancy import Tenant
from config.bulk_insert import insert_rows
from config.errors import DomainError
from enrollments import transitions
from enrollments.models import (
    CLOSED_STATUSES,
    Enrollment,
    EnrollmentStatus,
    EnrollmentStatusChange,
)
from enrollments.services._common import BulkResult, _payloads, _require_scope
from events.services import event_record_many
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
def id_chunks(enrollments, size: int | None = None) -> Iterator[list[str]]:
    """Ids in chunks. A QuerySet is walked by primary key (keyset), so memory does not grow
    with its size; a list of enrollments (or ids) is chunked as given, duplicates dropped."""
    size = size or BULK_CHUNK_SIZE
    if isinstance(enrollments, QuerySet):
        last = None
        base = enrollments.order_by("pk").values_list("pk", flat=True)
        while True:
            page = list((base.filter(pk__gt=last) if last else base)[:size])
            if not page:
                return
            yield page
            last = page[-1]
    ids = list(dict.fromkeys(getattr(e, "pk", e) for e in enrollments))
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def _read(ids: list[str]) -> dict[str, Enrollment]:
    """The chunk's rows, whole: the decision reads a few columns, the submit guard the form's
    fields, and the events' payloads all of them (built from these rows once the UPDATE has
    been applied to them: no second read). Their program instances (with the program) are
    read once per chunk and shared, not joined to every row: a chunk has one or a few, and a
    join would send and parse each instance's JSON columns again for every row."""
    rows = list(Enrollment.objects.filter(pk__in_array=ids).order_by())
    instance_ids = {row.program_instance_id for row in rows}
    instances = ProgramInstance.objects.select_related("program").in_bulk(list(instance_ids))
    for row in rows:
        row._state.fields_cache["program_instance"] = instances[row.program_instance_id]
    return {row.pk: row for row in rows}


# --- writing -------------------------------------------------------------------------------
def _guarded_update(
    *,
    rows: dict[str, Enrollment],
    ids: list[str],
    to: str,
    values: dict[str, Any],
    per_row: dict[str, dict[str, Any]],
) -> list[str]:
    """ONE `UPDATE ... FROM (VALUES (id, per-row values), ...) WHERE id = v.id AND status IN
    (sources) RETURNING id, version`: the ids that really moved. `values` are the same for
    every row, `per_row[column][id]` differ per row; the row version is bumped (the API's
    ETag). The moved rows in `rows` get the same changes in memory, so that their events'
    payloads need no second read."""
    if not ids:
        return []
    meta = Enrollment._meta
    quote = connection.ops.quote_name
    now = timezone.now()
    changes: dict[str, Any] = {"status": to, "updated_at": now, **values}
    sets, params = [f"{quote('version')} = {quote('version')} + 1"], []
    for name, value in changes.items():
        field = meta.get_field(name)
        sets.append(f"{quote(field.column)} = %s")
        params.append(field.get_db_prep_value(value, connection))
    per_row_fields = [meta.get_field(name) for name in per_row]
    for number, field in enumerate(per_row_fields, start=2):
        sets.append(f"{quote(field.column)} = v.column{number}")
    columns = [
        [field.get_db_prep_value(per_row[field.name].get(pk), connection) for pk in ids]
        for field in per_row_fields
    ]
    if connection.vendor == "postgresql":  # one array per column: a handful of parameters
        types = ["varchar", *(field.cast_db_type(connection) for field in per_row_fields)]
        arrays = ", ".join(f"%s::{kind}[]" for kind in types)
        names = ", ".join(f"column{n}" for n in range(1, len(types) + 1))
        rows_sql = f"unnest({arrays}) AS v({names})"
        params += [list(ids), *columns]
    else:
        cells = f"({', '.join(['%s'] * (1 + len(per_row_fields)))})"
        rows_sql = f"(VALUES {', '.join([cells] * len(ids))}) AS v"
        for pk, *values in zip(ids, *columns, strict=True):
            params += [pk, *values]
    sources = _Policy.sources(to)
    sql = (
        f"UPDATE {quote(meta.db_table)} SET {', '.join(sets)} "
        f"FROM {rows_sql} "
        f"WHERE {quote('id')} = v.column1 "
        f"AND {quote('status')} IN ({', '.join(['%s'] * len(sources))}) "
        f"RETURNING {quote('id')}, {quote('version')}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *sources])
        moved = dict(cursor.fetchall())
    for pk, version in moved.items():
        row = rows.get(pk)
        if row is None:
            continue
        # Straight into the instance: the status field is protected against assignment (only
        # django-fsm's methods move it), and this is the database's state, not a move.
        state = vars(row)
        state.update(changes)
        state.update((name, by_id.get(pk)) for name, by_id in per_row.items())
        state["version"] = version
    return [pk for pk in ids if pk in moved]


@dataclass
class _Move:
    """Rows a chunk moved from one status to `to`, with the history facts of each."""

    to: str
    previous: dict[str, str]  # id -> from status
    reasons: dict[str, str]
    metadata: dict[str, dict]


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


def _write_history(
    moves: list[_Move], rows: dict[str, Enrollment], *, actor, payloads: dict | None = None
) -> None:
    """History rows and events of the rows that moved, in move order (bulk INSERTs). `rows`
    hold the moved rows as the UPDATEs left them (see `_guarded_update`); `payloads`, when the
    caller has them, are theirs."""
    moved_ids = list(dict.fromkeys(pk for move in moves for pk in move.previous))
    if not moved_ids:
        return
    label = (actor.actor_label if actor else "system")[:200]
    user_id = actor.user.pk if actor and actor.user else None
    api_key_id = actor.api_key.pk if actor and actor.api_key else None
    if payloads is None:
        payloads = dict(zip(moved_ids, _payloads([rows[pk] for pk in moved_ids]), strict=True))
    changes, events = [], {}
    for move in moves:
        for pk, previous in move.previous.items():
            row = rows[pk]
            changes.append(
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
                }
            )
            payload = payloads[pk]
            if move.to != row.status:  # a later move of this chunk: the event says this one's
                payload = payload_as(payload, status=move.to, reason=move.reasons.get(pk, ""))
            # The spec: `enrollment.updated` too whenever the status changes (as one row).
            events.setdefault(row.workspace_id, []).extend(
                {
                    "type": type_,
                    "obj": payload,
                    "previous_status": previous,
                    "enrollment_id": pk,
                    "program_instance_id": row.program_instance_id,
                    "actor": actor,
                }
                for type_ in ("enrollment.status_changed", "enrollment.updated")
            )
    insert_rows(EnrollmentStatusChange, changes)
    for workspace_id, items in events.items():
        event_record_many(workspace=workspace_id, items=items)


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
    The caller (`enrollment_bulk_transition`) has checked the request and the scope."""
    from enrollments.services.lifecycle import _refusal

    _require_scope(actor, _Policy.scope(to))
    results: dict[str, BulkResult] = {}
    order: list[str] = []
    for ids in id_chunks(enrollments):
        order += ids
        rows = _read(ids)
        ready: dict[str, str] = {}
        for pk in ids:
            row = rows.get(pk)
            refusal = "This enrollment no longer exists." if row is None else None
            refusal = refusal or _read_only_refusal(row)
            if refusal is None and to not in row.allowed_transitions:
                refusal = _refusal(row, to).message
            if refusal is None:
                refusal = _one_row_rule(row, to)
            if refusal:
                results[pk] = BulkResult(pk, False, refusal)
            else:
                ready[pk] = row.status
        with transaction.atomic():
            per_row = {}
            if to in (S.ELIGIBLE, S.INELIGIBLE):  # the verdict records the criteria it used
                per_row["evaluated_criteria_version"] = {
                    pk: rows[pk].program_instance.criteria_version for pk in ready
                }
            moved = _guarded_update(
                rows=rows,
                ids=list(ready),
                to=to,
                values=_Policy.effects(to, reason=reason, start_date=None),
                per_row=per_row,
            )
            move = _Move(to, {pk: ready[pk] for pk in moved}, dict.fromkeys(moved, reason), {})
            _write_history([move], rows, actor=actor)
        for pk in ready:
            ok = pk in move.previous
            results[pk] = BulkResult(pk, ok, f"Moved to {to}." if ok else CHANGED_MEANWHILE)
    return [results[pk] for pk in _given_order(enrollments, order)]


def _one_row_rule(row, to: str) -> str | None:
    """The one-row path's rules beyond the table (its own functions), for this row: None, or
    the refusal."""
    from enrollments.services.lifecycle import _refuse_second_open, enrollment_require_form_fields

    try:
        if to == S.SUBMITTED:
            enrollment_require_form_fields(row)
        if row.status in CLOSED_STATUSES:
            _refuse_second_open(row)
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
