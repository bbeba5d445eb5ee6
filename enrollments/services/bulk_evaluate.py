"""Set-based evaluation of many enrollments (split from `enrollments.services.bulk`).

The same machinery as the bulk transition (chunked reads, one guarded UPDATE per target
status, bulk history and events) applied to eligibility: rows whose criteria changed are
reopened first, then candidates become eligible or ineligible. `enrollments.services.bulk`
re-exports `bulk_evaluate` and `evaluate_chunk`.
"""

from collections.abc import Iterable
from functools import partial

from django.db import transaction

from accounts import scopes as scope_names
from accounts.tenancy import Tenant
from config.errors import DomainError
from enrollments.models import (
    Enrollment,
)
from enrollments.services._common import BulkResult, _require_scope
from enrollments.services.bulk import (
    CHANGED_MEANWHILE,
    S,
    _ChunkRules,
    _collect,
    _given_order,
    _read,
    _read_only_refusal,
    _writer_for,
    chunks,
)
from enrollments.services.bulk_policy import _Policy
from enrollments.services.bulk_writes import _apply, _Move, _move, _plan, _write_history
from instances.eligibility import EligibilityResult, evaluate_for_instance


def bulk_evaluate(*, enrollments: Iterable, actor: Tenant | None) -> list[BulkResult]:
    """Evaluate every enrollment (set-based): ineligible rows whose instance's criteria changed
    are first reopened (their own history row), then candidates become eligible or ineligible.
    Messages are the one-row service's (`"<status>: <reason>"`). Chunk N is written while
    chunk N+1 is read and evaluated (`config.pipeline`)."""
    results: dict[str, tuple[BulkResult, EligibilityResult | None]] = {}
    order: list[str] = []
    try:
        _require_scope(actor, scope_names.ENROLLMENTS_WRITE)
    except DomainError as exc:
        return [BulkResult(pk, False, exc.message) for pk in _given_order(enrollments, [])]
    with _writer_for(enrollments) as writer:
        for ids, rows in chunks(enrollments):
            order += ids
            plan, results_of = _evaluate_plan(
                ids, rows, actor=actor, rules=_ChunkRules(writer.wait)
            )
            writer.submit(partial(_apply, plan), then=partial(_collect, results, results_of))
    return [results[pk][0] for pk in _given_order(enrollments, order)]


def evaluate_chunk(
    *, ids: list[str], actor: Tenant | None, known: dict[str, Enrollment] | None = None
) -> dict[str, tuple[BulkResult, EligibilityResult | None]]:
    """One chunk of `bulk_evaluate`, written now in the caller's transaction (the import's
    evaluation step): id -> (result, the verdict). `known`: rows the caller inserted in this
    transaction (the import's new candidates), whole and with their instance loaded, so they
    are not read back."""
    known = known or {}
    rows = {**_read([pk for pk in ids if pk not in known]), **known}
    plan, results_of = _evaluate_plan(ids, rows, actor=actor, rules=_ChunkRules())
    with transaction.atomic():
        return results_of(_apply(plan))


def _evaluate_plan(ids: list[str], rows: dict[str, Enrollment], *, actor, rules: _ChunkRules):
    """Read and decide one chunk: its plan (reopenings first, then the verdicts), and the
    function that turns the moves as applied into id -> (result, verdict)."""
    from enrollments.selectors import enrollment_eligibility_subject_many

    refused: dict[str, tuple[BulkResult, EligibilityResult | None]] = {}
    reopen: dict[str, str] = {}
    candidates: list[Enrollment] = []
    for pk in ids:
        row = rows.get(pk)
        refusal = "This enrollment no longer exists." if row is None else _read_only_refusal(row)
        if refusal:
            refused[pk] = (BulkResult(pk, False, refusal), None)
        elif row.status != S.CANDIDATE and S.CANDIDATE in row.allowed_transitions:
            # Ineligible or rejected under criteria that changed since: reopened first.
            refusal = rules.refusal(row, S.CANDIDATE)
            if refusal:
                refused[pk] = (BulkResult(pk, False, refusal), None)
                continue
            reopen[pk] = (
                "Eligibility criteria changed (version "
                f"{row.evaluated_criteria_version} → {row.program_instance.criteria_version}); "
                "evaluating again."
            )
            candidates.append(row)
        elif row.status == S.CANDIDATE:
            candidates.append(row)
        else:
            message = f"Only candidate enrollments are evaluated; this one is {row.status}."
            refused[pk] = (BulkResult(pk, False, message), None)
    subjects = enrollment_eligibility_subject_many(enrollments=candidates) if candidates else {}
    verdicts: dict[str, EligibilityResult] = {
        row.pk: evaluate_for_instance(instance=row.program_instance, subject=subjects[row.pk])
        for row in candidates
    }
    moves = []
    if reopen:
        before = {pk: rows[pk].status for pk in reopen}
        moves.append(
            _move(
                rows,
                before,
                S.CANDIDATE,
                values={},
                per_row={"eligibility_reason": reopen},
                reasons=reopen,
            )
        )
    for target, group, per_row, metadata in _verdict_groups(candidates, verdicts):
        ids_ = [row.pk for row in group]
        moves.append(
            _move(
                rows,
                dict.fromkeys(ids_, S.CANDIDATE),
                target,
                values={},
                per_row=per_row,
                reasons=per_row["eligibility_reason"],
                metadata=metadata,
            )
        )

    def results_of(applied: list[_Move]):
        outcome = dict(refused)
        verdict_moves = applied[-2:]  # the reopening (if any) comes first
        for row in candidates:
            pk = row.pk
            move = next((m for m in verdict_moves if pk in m.previous), None)
            if move is None:
                outcome[pk] = (BulkResult(pk, False, CHANGED_MEANWHILE), None)
            else:
                message = f"{move.to}: {verdicts[pk].reason}"
                outcome[pk] = (BulkResult(pk, True, message), verdicts[pk])
        return outcome

    return _plan(moves, rows, actor=actor), results_of


def _verdict_groups(candidates: list[Enrollment], verdicts: dict[str, EligibilityResult]):
    """(target status, its rows, the per-row columns it sets, the history metadata) for the
    eligible and the ineligible candidates: what a verdict writes, for both paths below."""
    for target, wanted in ((S.ELIGIBLE, True), (S.INELIGIBLE, False)):
        group = [row for row in candidates if verdicts[row.pk].eligible is wanted]
        versions = {row.pk: row.program_instance.criteria_version for row in group}
        per_row = {
            "eligibility_reason": {row.pk: verdicts[row.pk].reason for row in group},
            "evaluated_criteria_version": versions,
        }
        metadata = {
            pk: {"evaluation": verdicts[pk].as_dict(), "criteriaVersion": version}
            for pk, version in versions.items()
        }
        yield target, group, per_row, metadata


def evaluate_new(*, rows: list[Enrollment]) -> tuple[list[_Move], dict[str, EligibilityResult]]:
    """Decide candidates that are about to be INSERTed (the import's new rows): each row is
    then written once, already eligible or ineligible, instead of inserted and UPDATEd (an
    UPDATE rewrites the row and every index entry again). Nothing is written here: the caller
    inserts the rows, then passes the moves of the rows it really inserted to
    `write_moves`, which writes the same history rows and events as `evaluate_chunk`."""
    from enrollments.selectors import enrollment_eligibility_subject_many

    if not rows:
        return [], {}
    subjects = enrollment_eligibility_subject_many(enrollments=rows)
    verdicts = {
        row.pk: evaluate_for_instance(instance=row.program_instance, subject=subjects[row.pk])
        for row in rows
    }
    moves = []
    for target, group, per_row, metadata in _verdict_groups(rows, verdicts):
        assert S.CANDIDATE in _Policy.sources(target), f"the table moves candidates to {target}"
        for row in group:  # the status is django-fsm-protected; this row is not stored yet
            state = vars(row)
            state["status"] = target
            state.update((name, by_id[row.pk]) for name, by_id in per_row.items())
        ids = [row.pk for row in group]
        moves.append(
            _Move(target, dict.fromkeys(ids, S.CANDIDATE), per_row["eligibility_reason"], metadata)
        )
    return moves, verdicts


def write_moves(
    moves: list[_Move], rows: dict[str, Enrollment], *, actor: Tenant | None, payloads=None
) -> None:
    """The history rows and events of `evaluate_new`'s moves, for the rows in `rows` (those the
    caller inserted; `payloads`: theirs, if the caller has them)."""
    kept = [
        _Move(
            move.to,
            {pk: prev for pk, prev in move.previous.items() if pk in rows},
            move.reasons,
            move.metadata,
        )
        for move in moves
    ]
    _write_history(kept, rows, actor=actor, payloads=payloads)
