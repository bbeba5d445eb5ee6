"""The bulk actions' services: a request's checks, the set-based engine
(`enrollments.services.bulk`, `bulk_evaluate`) and the audit record of the run.

Apart from `lifecycle` so that the one-row path and the engine do not import each other: the
engine reads the one-row rules (`lifecycle`), these entry points read both."""

from accounts.tenancy import Tenant
from audit.services import audit_bulk_run
from enrollments.services._common import BulkResult
from enrollments.services.bulk import bulk_transition
from enrollments.services.bulk_evaluate import bulk_evaluate
from enrollments.services.lifecycle import require_reason, transition_request_refusal_check
from enrollments.transitions import transition_to


def enrollment_bulk_transition(
    *, enrollments, to: str, actor: Tenant | None, reason: str = ""
) -> list[BulkResult]:
    """`enrollment_transition` for each enrollment (a list, or a QuerySet walked by id chunks);
    returns one BulkResult per row. Set-based: see enrollments.services.bulk."""
    transition_request_refusal_check(to=to, actor=actor, start_date=None, metadata=None)
    # Refused as a whole: every row would be refused for the same missing reason.
    require_reason(transition_to(to), reason)
    results = bulk_transition(enrollments=enrollments, to=to, actor=actor, reason=reason or "")
    audit_bulk_run(
        actor=actor,
        action="enrollments.bulkTransition",
        enrollments=enrollments,
        results=results,
        details={"to": to},
    )
    return results


def enrollment_bulk_evaluate(*, enrollments, actor: Tenant | None) -> list[BulkResult]:
    """`enrollment_evaluate` for each enrollment, set-based (enrollments.services.bulk)."""
    results = bulk_evaluate(enrollments=enrollments, actor=actor)
    audit_bulk_run(
        actor=actor, action="enrollments.bulkEvaluate", enrollments=enrollments, results=results
    )
    return results
