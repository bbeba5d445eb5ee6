"""The enrollment page's eligibility checklist: every rule of the instance, run by the real
evaluator (`instances.eligibility.evaluate`) on the enrollment's data as it is now, with the
value seen and what the rule needs, in words. Also says whether the stored verdict is stale
and, when "Evaluate again" is not offered, why not."""

from dataclasses import dataclass

from enrollments.models import EnrollmentStatus
from enrollments.selectors import enrollment_eligibility_subject
from instances.eligibility import evaluate

RULE_LABELS = {
    "regions": "State",
    "postalCodes": "Postal code",
    "deviceTypes": "Device type",
    "manufacturers": "Manufacturer",
    "minimumCapacity": "Minimum capacity",
    "maximumCapacity": "Maximum capacity",
    "excludeProgramSlugs": "Not already in another program",
    "requireReferenceId": "Reference id",
}


@dataclass(frozen=True)
class ChecklistRow:
    rule: str
    label: str
    passed: bool
    seen: str
    needed: str
    detail: str


def _listed(values) -> str:
    values = list(values)
    if len(values) <= 1:
        return "".join(values)
    return ", ".join(values[:-1]) + " or " + values[-1]


def _number(value) -> str:
    """8.000 → "8", 13.50 → "13.5"."""
    from decimal import Decimal

    text = format(Decimal(str(value)).normalize(), "f")
    return text


def _seen_and_needed(rule: str, expected, subject) -> tuple[str, str]:
    none = "nothing given"
    if rule == "regions":
        return subject.state or none, f"one of {_listed(expected)}"
    if rule == "postalCodes":
        return subject.postal_code or none, f"one of {_listed(expected)}"
    if rule == "deviceTypes":
        return subject.device_type or none, _listed(expected)
    if rule == "manufacturers":
        return ", ".join(subject.manufacturers) or none, f"one of {_listed(expected)}"
    if rule in ("minimumCapacity", "maximumCapacity"):
        seen = none if subject.capacity is None else f"{_number(subject.capacity)} kWh"
        word = "at least" if rule == "minimumCapacity" else "at most"
        return seen, f"{word} {_number(expected)} kWh"
    if rule == "excludeProgramSlugs":
        enrolled = sorted(subject.enrolled_program_slugs)
        return ", ".join(enrolled) or "no other program", f"not in {_listed(expected)}"
    if rule == "requireReferenceId":
        return subject.reference_id or none, "a reference id" if expected else "nothing"
    return "", ""


def eligibility_context(enrollment, *, can_write: bool) -> dict:
    """Template context: `checklist` (rows), `check_reason` (the evaluator's summary),
    `verdict_stale` (a sentence, or ""), `evaluate_blocked` (why "Evaluate again" is not
    offered, or "" when it is)."""
    instance = enrollment.program_instance
    criteria = instance.eligibility_criteria
    subject = enrollment_eligibility_subject(enrollment=enrollment)
    result = evaluate(criteria=criteria, subject=subject)
    rows = []
    for rule_result in result.rules:
        seen, needed = _seen_and_needed(rule_result.rule, criteria[rule_result.rule], subject)
        rows.append(
            ChecklistRow(
                rule=rule_result.rule,
                label=RULE_LABELS.get(rule_result.rule, rule_result.rule),
                passed=rule_result.passed,
                seen=seen,
                needed=needed,
                detail=rule_result.detail,
            )
        )
    status = enrollment.status
    stale = ""
    if status in (EnrollmentStatus.ELIGIBLE, EnrollmentStatus.INELIGIBLE):
        verdict_now = EnrollmentStatus.ELIGIBLE if result.eligible else EnrollmentStatus.INELIGIBLE
        if enrollment.evaluated_criteria_version not in (None, instance.criteria_version):
            stale = (
                "The instance's rules changed since this verdict was given; "
                f"under today's rules it would be {verdict_now}."
            )
        elif verdict_now != status:
            stale = (
                f"The stored verdict ({status}) no longer matches this enrollment's data: "
                f"checked now, it would be {verdict_now}."
            )
    return {
        "checklist": rows,
        "check_reason": result.reason,
        "check_eligible": result.eligible,
        "verdict_stale": stale,
        "evaluate_blocked": _evaluate_blocked(enrollment, can_write=can_write),
    }


def _evaluate_blocked(enrollment, *, can_write: bool) -> str:
    """Why "Evaluate again" is not offered ("" when the lifecycle and the role allow it)."""
    status = enrollment.status
    if enrollment.program_instance.is_read_only:
        return "The instance is archived, so its enrollments are read-only."
    if status == EnrollmentStatus.CANDIDATE or (
        status == EnrollmentStatus.INELIGIBLE
        and EnrollmentStatus.CANDIDATE in enrollment.allowed_transitions
    ):
        return "" if can_write else "Your role can look but not evaluate (operators and above can)."
    if status == EnrollmentStatus.INELIGIBLE:
        return (
            "An ineligible verdict is looked at again only after the instance's eligibility "
            "rules change; ask someone who manages the instance to adjust the rules if they "
            "should let this enrollment in."
        )
    return (
        f"Eligibility is checked before submission; this enrollment is already "
        f"{enrollment.get_status_display().lower()}, so the checklist is for information."
    )
