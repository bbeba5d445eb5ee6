"""The enrollment lifecycle as ONE declarative table: every door reads it.

Each row is one move the contract allows: its source and target statuses, the django-fsm method
of `Enrollment` that performs it, the scope the caller needs, whether a reason is required (and
how the dashboard asks for one), who is emailed (the customer, the workspace staff) with which
subject and template, and the words people see (the button label, the past tense for
confirmations). The model's `@transition` decorators are generated from these rows
(`fsm_arguments`), the services check scope and reason here, the API's `allowedTransitions` and
409 `details.allowed` come from the model (whose graph is this table), the dashboard's buttons,
bulk actions, review queue and reason fields, the admin actions and the email notifications all
read it. `tests/enrollments/test_transition_table.py` walks every row through every door.

Reading API (all pure functions over the table; none touches the database):

    TABLE: tuple[Transition, ...]
    transition_for(source, target) -> Transition | None    # the row of one move
    transition_to(target) -> Transition | None             # the policy of moving to `target`
    targets_from(status) -> tuple[str, ...]                 # the contract's targets of a status
    allowed_moves(enrollment, scopes=None) -> list[Transition]  # possible now and permitted
    allowed_targets(enrollment, scopes=None) -> list[str]       # the same, as statuses
    bulk_moves(scopes=None) -> list[Transition]             # offered as bulk actions
    fsm_arguments(method) -> dict                           # source/target of a model method
    Transition.reason_missing(reason) -> bool               # the reason rule of one row

`scopes=None` means the system (everything permitted). Rows that share a target share its policy
(scope, reason, notifications, words; a test pins it), so a caller that knows only the target,
such as a bulk action over rows in different statuses, may ask `transition_to(target)`.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from accounts import scopes as scope_names
from enrollments.statuses import EnrollmentStatus as S

WRITE = scope_names.ENROLLMENTS_WRITE
REVIEW = scope_names.ENROLLMENTS_REVIEW


@dataclass(frozen=True)
class Transition:
    source: str
    target: str
    method: str  # the @transition method of Enrollment
    scope: str  # what the actor needs (an API key scope or a membership role's scope)
    label: str  # the button / action text: "Approve"
    done: str  # what happened, for confirmations: "Approved"
    reason_required: bool = False  # refused (400, field `reason`) without a non-blank reason
    reason_prompt: str = ""  # the dashboard shows a reason box with this label ("" = none)
    notify_customer: bool = False
    customer_subject: str = ""  # format(program=...)
    customer_template: str = "enrollment_status_customer"
    notify_staff: bool = False
    staff_subject: str = ""  # format(name=..., program=...)
    staff_template: str = "enrollment_submitted_staff"
    bulk: bool = False  # offered as a bulk action (dashboard list, admin)
    tone: str = ""  # "approve" | "danger" | "": how the button looks

    @property
    def is_review(self) -> bool:
        return self.scope == REVIEW

    @property
    def reason_asked(self) -> bool:
        return self.reason_required or bool(self.reason_prompt)

    def reason_missing(self, reason: str | None) -> bool:
        """True when this move requires a reason and `reason` is blank (the service then
        answers 400 naming `reason`; a set-based bulk path must refuse the same way)."""
        return self.reason_required and not (reason or "").strip()


TABLE: tuple[Transition, ...] = (
    Transition(
        S.CANDIDATE,
        S.ELIGIBLE,
        "mark_eligible",
        WRITE,
        label="Mark eligible",
        done="Marked eligible",
    ),
    Transition(
        S.CANDIDATE,
        S.INELIGIBLE,
        "mark_ineligible",
        WRITE,
        label="Mark ineligible",
        done="Marked ineligible",
        reason_prompt="Reason it is ineligible",
        tone="danger",
    ),
    Transition(
        S.INELIGIBLE,
        S.CANDIDATE,
        "reopen",
        WRITE,
        label="Back to candidate",
        done="Back to candidate",
    ),
    Transition(
        S.REJECTED,
        S.CANDIDATE,
        "reopen",
        WRITE,
        label="Back to candidate",
        done="Back to candidate",
    ),
    Transition(
        S.ELIGIBLE,
        S.SUBMITTED,
        "submit",
        WRITE,
        label="Submit",
        done="Submitted",
        notify_customer=True,
        customer_subject="We received your enrollment in {program}",
        notify_staff=True,
        staff_subject="New enrollment to review: {name} in {program}",
        bulk=True,
    ),
    Transition(
        S.SUBMITTED,
        S.APPROVED,
        "approve",
        REVIEW,
        label="Approve",
        done="Approved",
        notify_customer=True,
        customer_subject="You're enrolled in {program}",
        bulk=True,
        tone="approve",
    ),
    Transition(
        S.SUBMITTED,
        S.REJECTED,
        "reject",
        REVIEW,
        label="Reject",
        done="Rejected",
        reason_required=True,
        reason_prompt="Reason to reject (the customer reads it)",
        notify_customer=True,
        customer_subject="Your enrollment in {program} was not approved",
        bulk=True,
        tone="danger",
    ),
    Transition(
        S.APPROVED,
        S.UNENROLLED,
        "unenroll",
        WRITE,
        label="Unenroll",
        done="Unenrolled",
        reason_prompt="Reason to unenroll (the customer reads it)",
        notify_customer=True,
        customer_subject="You have been unenrolled from {program}",
        tone="danger",
    ),
)

_BY_PAIR = {(row.source, row.target): row for row in TABLE}
_BY_TARGET: dict[str, Transition] = {}
for _row in TABLE:
    _BY_TARGET.setdefault(_row.target, _row)


def transition_for(source: str, target: str) -> Transition | None:
    """The row of the move `source → target`, or None when the contract has no such move."""
    return _BY_PAIR.get((str(source), str(target)))


def transition_to(target: str) -> Transition | None:
    """The policy of moving to `target` (every row with that target shares it)."""
    return _BY_TARGET.get(str(target))


def targets_from(status: str) -> tuple[str, ...]:
    """The contract's targets of `status`, in table order (conditions not applied)."""
    return tuple(row.target for row in TABLE if row.source == str(status))


def _permitted(row: Transition, scopes: Iterable[str] | None) -> bool:
    return scopes is None or row.scope in scopes


def allowed_moves(enrollment, scopes: Iterable[str] | None = None) -> list[Transition]:
    """The moves possible now (django-fsm sources and conditions, which need the enrollment's
    `program_instance` loaded) that `scopes` permit; None = the system, everything."""
    scopes = None if scopes is None else frozenset(scopes)
    return [
        row
        for target in enrollment.allowed_transitions
        if (row := transition_for(enrollment.status, target)) and _permitted(row, scopes)
    ]


def allowed_targets(enrollment, scopes: Iterable[str] | None = None) -> list[str]:
    return [row.target for row in allowed_moves(enrollment, scopes)]


def bulk_moves(scopes: Iterable[str] | None = None) -> list[Transition]:
    """One row per target offered as a bulk action, that `scopes` permit."""
    scopes = None if scopes is None else frozenset(scopes)
    seen: dict[str, Transition] = {}
    for row in TABLE:
        if row.bulk and _permitted(row, scopes):
            seen.setdefault(row.target, row)
    return list(seen.values())


def fsm_arguments(method: str) -> dict:
    """`source` and `target` for the model's `@transition(field=status, **...)` of `method`."""
    rows = [row for row in TABLE if row.method == method]
    targets = {row.target for row in rows}
    if len(targets) != 1:
        raise LookupError(f"{method}: expected one target in the transition table, got {targets}")
    return {"source": [row.source for row in rows], "target": rows[0].target}


# --- what the other modules used to declare, now derived (kept for their importers) ---------
TRANSITIONS: dict[str, tuple[str, ...]] = {status: targets_from(status) for status in S.values}
REVIEW_TARGETS = frozenset(row.target for row in TABLE if row.is_review)
REASON_REQUIRED_TARGETS = frozenset(row.target for row in TABLE if row.reason_required)
CUSTOMER_NOTIFIED_STATUSES = frozenset(row.target for row in TABLE if row.notify_customer)
STAFF_NOTIFIED_STATUSES = frozenset(row.target for row in TABLE if row.notify_staff)
TRANSITION_METHODS: dict[str, str] = {row.target: row.method for row in TABLE}
