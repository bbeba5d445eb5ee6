"""Set-based evaluation of many enrollments (split from `enrollments.services.bulk`).

The same machinery as the bulk transition (chunked reads, one guarded UPDATE per target
status, bulk history and events) applied to eligibility: rows whose criteria changed are
reopened first, then candidates become eligible or ineligible. `enrollments.services.bulk`
re-exports `bulk_evaluate` and `evaluate_chunk`.
"""

from collections.abc import Iterable

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
    _given_order,
    _guarded_update,
    _Move,
    _one_row_rule,
    _read,
    _read_only_refusal,
    _write_history,
    id_chunks,
)
from instances.eligibility import EligibilityResult, evaluate_for_instance


def bulk_evaluate(*, enrollments: Iterable, actor: Tenant | None) -> list[BulkResult]:
    """Evaluate every enrollment (set-based): ineligible rows whose instance's criteria changed
    are first reopened (their own history row), then candidates become eligible or ineligible.
    Messages are the one-row service's (`"<status>: <reason>"`)."""
    results: dict[str, BulkResult] = {}
    order: list[str] = []
    try:
        _require_scope(actor, scope_names.ENROLLMENTS_WRITE)
    except DomainError as exc:
        return [BulkResult(pk, False, exc.message) for pk in _given_order(enrollments, [])]
    for ids in id_chunks(enrollments):
        order += ids
        results.update({pk: pair[0] for pk, pair in evaluate_chunk(ids=ids, actor=actor).items()})
    return [results[pk] for pk in _given_order(enrollments, order)]


def evaluate_chunk(*, ids: list[str], actor: Tenant | None) -> dict[str, BulkResult]:
    """One chunk of `bulk_evaluate` (also the import's evaluation step); results carry the
    verdict in `message` and, for the import, `verdicts` maps id -> EligibilityResult."""
    from enrollments.selectors import enrollment_eligibility_subject_many

    rows = _read(ids)
    results: dict[str, tuple[BulkResult, EligibilityResult | None]] = {}
    reopen: dict[str, str] = {}
    candidates: list[Enrollment] = []
    for pk in ids:
        row = rows.get(pk)
        refusal = "This enrollment no longer exists." if row is None else _read_only_refusal(row)
        if refusal:
            results[pk] = (BulkResult(pk, False, refusal), None)
        elif row.status != S.CANDIDATE and S.CANDIDATE in row.allowed_transitions:
            # Ineligible or rejected under criteria that changed since: reopened first.
            refusal = _one_row_rule(row, S.CANDIDATE)
            if refusal:
                results[pk] = (BulkResult(pk, False, refusal), None)
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
            results[pk] = (BulkResult(pk, False, message), None)
    subjects = enrollment_eligibility_subject_many(enrollments=candidates) if candidates else {}
    verdicts: dict[str, EligibilityResult] = {
        row.pk: evaluate_for_instance(instance=row.program_instance, subject=subjects[row.pk])
        for row in candidates
    }
    with transaction.atomic():
        moves = []
        if reopen:
            moved = _guarded_update(
                ids=list(reopen), to=S.CANDIDATE, values={}, per_row={"eligibility_reason": reopen}
            )
            moves.append(_Move(S.CANDIDATE, {pk: rows[pk].status for pk in moved}, reopen, {}))
        reopened = moves[0].previous if moves else {}
        for target, wanted in ((S.ELIGIBLE, True), (S.INELIGIBLE, False)):
            group = [
                row
                for row in candidates
                if verdicts[row.pk].eligible is wanted
                and (row.pk not in reopen or row.pk in reopened)
            ]
            versions = {row.pk: row.program_instance.criteria_version for row in group}
            reasons = {row.pk: verdicts[row.pk].reason for row in group}
            moved = _guarded_update(
                ids=list(reasons),
                to=target,
                values={},
                per_row={"eligibility_reason": reasons, "evaluated_criteria_version": versions},
            )
            metadata = {
                pk: {"evaluation": verdicts[pk].as_dict(), "criteriaVersion": versions[pk]}
                for pk in moved
            }
            moves.append(_Move(target, dict.fromkeys(moved, S.CANDIDATE), reasons, metadata))
        _write_history(moves, actor=actor)
    for row in candidates:
        pk = row.pk
        move = next((m for m in moves[-2:] if pk in m.previous), None)
        if move is None:
            results[pk] = (BulkResult(pk, False, CHANGED_MEANWHILE), None)
        else:
            results[pk] = (BulkResult(pk, True, f"{move.to}: {verdicts[pk].reason}"), verdicts[pk])
    return results
