"""The lifecycle table as the set-based path reads it (`enrollments.services.bulk` and
`bulk_writes`): allowed sources per target, the scope a target needs, and what a move writes
besides the status (mirroring the model's @transition methods). The one place the bulk path
reads `enrollments.transitions`."""

from datetime import datetime
from typing import Any

from django.utils import timezone

from accounts import scopes as scope_names
from enrollments import transitions
from enrollments.models import EnrollmentStatus

S = EnrollmentStatus


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
