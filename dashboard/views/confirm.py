"""Confirmation steps for irreversible actions that a browser dialog cannot describe well:
bulk approve / reject (up to 500 rows). The step page says what will happen and to how many
rows (how many can move now, how many will be refused and why), and posts the same form again
with `confirmed=1`. Works without JavaScript."""

from collections import Counter

from enrollments.models import EnrollmentStatus

# Bulk actions that cannot be undone (no lifecycle move leads back).
CONFIRM_BULK = {
    EnrollmentStatus.APPROVED: (
        "Approve",
        "Approved enrollments start taking part now and the customers are told. "
        "An approval cannot be undone (only an unenrolment ends it).",
    ),
    EnrollmentStatus.REJECTED: (
        "Reject",
        "Rejected enrollments are closed and the customers are told, with your reason. "
        "A rejection cannot be undone.",
    ),
}


def needs_bulk_confirmation(request, action: str) -> bool:
    return action in CONFIRM_BULK and request.POST.get("confirmed") != "1"


def bulk_preview(*, action: str, ids: list[str], found: dict) -> dict:
    """What the bulk action would do to each selected row, counted."""
    movable, refused = 0, Counter()
    for enrollment_id in ids:
        enrollment = found.get(enrollment_id)
        if enrollment is None:
            refused["not found in this workspace"] += 1
        elif enrollment.program_instance.is_read_only:
            refused["in an archived instance"] += 1
        elif action not in enrollment.allowed_transitions:
            refused[f"{enrollment.get_status_display().lower()} now"] += 1
        else:
            movable += 1
    verb, consequence = CONFIRM_BULK[action]
    return {
        "verb": verb,
        "consequence": consequence,
        "selected": len(ids),
        "movable": movable,
        "refused": sorted(refused.items()),
    }
