"""Eligibility rules: validation on write and a pure evaluation for one person or device.

`eligibilityCriteria` is either a string (requirements for people to read; nothing to check by
machine) or an object of the rule keys below. Evaluation never touches the database: callers
gather the subject (address, device, current enrollments) and get back the verdict, one
human-readable reason and the result of each rule.
"""

import math
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from config.errors import DomainValidationError
from config.states import US_STATES

RULE_KEYS = (
    "regions",
    "postalCodes",
    "deviceTypes",
    "manufacturers",
    "minimumCapacity",
    "maximumCapacity",
    "excludeProgramSlugs",
    "requireReferenceId",
)


@dataclass(frozen=True)
class EligibilitySubject:
    state: str = ""
    postal_code: str = ""
    device_type: str = ""
    manufacturers: tuple[str, ...] = ()
    capacity: Decimal | float | int | None = None
    reference_id: str = ""
    enrolled_program_slugs: frozenset[str] = frozenset()


@dataclass(frozen=True)
class RuleResult:
    rule: str
    passed: bool
    detail: str

    def as_dict(self) -> dict:
        return {"rule": self.rule, "passed": self.passed, "detail": self.detail}


@dataclass(frozen=True)
class EligibilityResult:
    eligible: bool
    reason: str
    rules: list[RuleResult] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "eligible": self.eligible,
            "reason": self.reason,
            "rules": [r.as_dict() for r in self.rules],
        }


# --- validation -------------------------------------------------------------------------------
# A ZIP code (5 digits, optional +4) or a prefix ending in `*` ("100*" = every ZIP from 100).
POSTAL_CODE_RE = re.compile(r"^(?:\d{5}(?:-\d{4})?|\d{1,4}\*)$")
_CAMEL = re.compile(r"(?<!^)(?=[A-Z])")


def _field(rule: str) -> str:
    """The domain's name of a rule's field in error details (`eligibility_criteria.postal_codes`;
    the API camelizes it, the dashboard's criteria form has a field of that name)."""
    return "eligibility_criteria." + _CAMEL.sub("_", rule).lower()


def _string_list(key: str, value: Any, *, upper: bool = False, lower: bool = False) -> list[str]:
    """A non-empty list of non-empty strings, stripped, case-folded and de-duplicated (order
    kept). An empty list is refused: it would make nobody eligible; omit the rule instead."""
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise DomainValidationError(
            f"eligibilityCriteria.{key} must be a list of non-empty strings.",
            details={_field(key): ["Must be a list of non-empty strings."]},
        )
    if not value:
        raise DomainValidationError(
            f"eligibilityCriteria.{key} is empty, which would make nobody eligible; "
            "omit the rule instead.",
            details={_field(key): ["Must not be empty."]},
        )
    items: list[str] = []
    for raw in value:
        item = raw.strip()
        item = item.upper() if upper else item.lower() if lower else item
        if item not in items:
            items.append(item)
    return items


def _number(key: str, value: Any) -> float | int:
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or value < 0
    ):
        raise DomainValidationError(
            f"eligibilityCriteria.{key} must be a number of 0 or more (kWh).",
            details={_field(key): ["Must be a number of 0 or more."]},
        )
    return value


def validate_criteria(value: Any) -> Any:
    """Return the criteria normalised (state codes upper-cased), or raise a 400 naming the
    problem. None, a string or an object of known rule keys are accepted."""
    if value is None or isinstance(value, str):
        return value
    if not isinstance(value, dict):
        raise DomainValidationError(
            "eligibilityCriteria must be a string or an object of rules.",
            details={"eligibility_criteria": ["Must be a string or an object."]},
        )
    unknown = sorted(set(value) - set(RULE_KEYS))
    if unknown:
        raise DomainValidationError(
            f"Unknown eligibility rule(s): {', '.join(unknown)}. "
            f"Supported rules: {', '.join(RULE_KEYS)}.",
            details={"eligibility_criteria": [f"Unknown rule: {key}" for key in unknown]},
        )
    clean: dict[str, Any] = {}
    for key, rule_value in value.items():
        if key == "regions":
            codes = _string_list(key, rule_value, upper=True)
            bad = [c for c in codes if c not in US_STATES]
            if bad:
                raise DomainValidationError(
                    f"Unknown US state code(s) in eligibilityCriteria.regions: {', '.join(bad)}.",
                    details={_field("regions"): [f"Unknown state: {c}" for c in bad]},
                )
            clean[key] = codes
        elif key == "postalCodes":
            codes = _string_list(key, rule_value)
            bad = [c for c in codes if not POSTAL_CODE_RE.match(c)]
            if bad:
                raise DomainValidationError(
                    f"Invalid postal code(s) in eligibilityCriteria.postalCodes: {', '.join(bad)}. "
                    "Use 5-digit ZIP codes (10001), ZIP+4 (10001-1234) or a prefix (100*).",
                    details={_field("postalCodes"): [f"Invalid: {c}" for c in bad]},
                )
            clean[key] = codes
        elif key == "excludeProgramSlugs" or key in ("deviceTypes", "manufacturers"):
            clean[key] = _string_list(key, rule_value, lower=True)
        elif key in ("minimumCapacity", "maximumCapacity"):
            clean[key] = _number(key, rule_value)
        elif key == "requireReferenceId":
            if not isinstance(rule_value, bool):
                raise DomainValidationError(
                    "eligibilityCriteria.requireReferenceId must be true or false.",
                    details={_field("requireReferenceId"): ["Must be a boolean."]},
                )
            clean[key] = rule_value
    low, high = clean.get("minimumCapacity"), clean.get("maximumCapacity")
    if low is not None and high is not None and low > high:
        raise DomainValidationError(
            "eligibilityCriteria.minimumCapacity is larger than maximumCapacity.",
            details={_field("minimumCapacity"): ["Must not exceed maximumCapacity."]},
        )
    return clean


# --- evaluation -------------------------------------------------------------------------------
def _capacity(subject: EligibilitySubject) -> Decimal | None:
    if subject.capacity is None:
        return None
    try:
        value = Decimal(str(subject.capacity))
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def _postal_match(code: str, pattern: str) -> bool:
    """`10001` matches 10001 and 10001-1234; `10001-1234` only itself; `100*` any 100xx."""
    if pattern.endswith("*"):
        return code.startswith(pattern[:-1])
    if "-" in pattern:
        return code == pattern
    return code.split("-", 1)[0] == pattern


def _check(rule: str, expected: Any, subject: EligibilitySubject) -> RuleResult:
    if rule == "regions":
        state = (subject.state or "").strip().upper()
        if not state:
            return RuleResult(rule, False, "No state given in the address.")
        ok = state in expected
        return RuleResult(
            rule, ok, f"State {state} is {'in' if ok else 'outside'} {', '.join(expected)}."
        )
    if rule == "postalCodes":
        code = (subject.postal_code or "").strip()
        if not code:
            return RuleResult(rule, False, "No postal code given.")
        ok = any(_postal_match(code, pattern) for pattern in expected)
        return RuleResult(rule, ok, f"Postal code {code} is {'' if ok else 'not '}served.")
    if rule == "deviceTypes":
        device = (subject.device_type or "").strip().lower()
        if not device:
            return RuleResult(rule, False, f"No device type given; needs {', '.join(expected)}.")
        ok = device in expected
        return RuleResult(rule, ok, f"Device type {device} is {'' if ok else 'not '}accepted.")
    if rule == "manufacturers":
        have = {m.strip().lower() for m in subject.manufacturers if m and m.strip()}
        if not have:
            return RuleResult(rule, False, f"No manufacturer given; needs {', '.join(expected)}.")
        matched = sorted(have & set(expected))
        if matched:
            return RuleResult(rule, True, f"Manufacturer {', '.join(matched)} is accepted.")
        return RuleResult(rule, False, f"Needs a device from {', '.join(expected)}.")
    if rule in ("minimumCapacity", "maximumCapacity"):
        capacity = _capacity(subject)
        if capacity is None:
            return RuleResult(rule, False, "No device capacity given.")
        limit = Decimal(str(expected))
        ok = capacity >= limit if rule == "minimumCapacity" else capacity <= limit
        word = "at least" if rule == "minimumCapacity" else "at most"
        return RuleResult(rule, ok, f"Capacity {capacity} kWh; needs {word} {limit} kWh.")
    if rule == "excludeProgramSlugs":
        enrolled = {slug.lower() for slug in subject.enrolled_program_slugs}
        clash = sorted(enrolled & set(expected))
        if clash:
            return RuleResult(rule, False, f"Already enrolled in {', '.join(clash)}.")
        return RuleResult(rule, True, "Not enrolled in an excluded program.")
    if rule == "requireReferenceId":
        if not expected:
            return RuleResult(rule, True, "A reference id is not required.")
        ok = bool((subject.reference_id or "").strip())
        return RuleResult(rule, ok, "Reference id given." if ok else "A reference id is required.")
    raise ValueError(f"unknown rule {rule}")  # validate_criteria keeps this unreachable


def _program_states_check(states, subject: EligibilitySubject) -> RuleResult:
    state = (subject.state or "").strip().upper()
    listed = ", ".join(states)
    if not state:
        return RuleResult("programStates", False, f"No state given; the program runs in {listed}.")
    ok = state in states
    where = "is one of" if ok else "is outside"
    return RuleResult(
        "programStates", ok, f"State {state} {where} the program's states ({listed})."
    )


def evaluate(*, criteria: Any, subject: EligibilitySubject, program_states=()) -> EligibilityResult:
    """Check every rule; the reason is the first failure, or a summary of what qualified.

    `program_states` (the parent program's `states`; empty = anywhere) bound every instance:
    an address outside them is ineligible whatever the instance's own criteria say."""
    states = [str(code).strip().upper() for code in program_states or () if str(code).strip()]
    if states:
        bound = _program_states_check(states, subject)
        if not bound.passed:
            return EligibilityResult(eligible=False, reason=bound.detail, rules=[bound])
    if isinstance(criteria, str) and criteria.strip():
        return EligibilityResult(
            eligible=True,
            reason="No machine-checked rules apply; the requirements are text for people to "
            "check: " + criteria.strip(),
            rules=[],
        )
    if not isinstance(criteria, dict) or not criteria:
        return EligibilityResult(
            eligible=True, reason="No machine-checked eligibility rules apply.", rules=[]
        )
    results = [_check(rule, criteria[rule], subject) for rule in RULE_KEYS if rule in criteria]
    if states:
        results.insert(0, bound)
    failures = [r for r in results if not r.passed]
    if failures:
        return EligibilityResult(eligible=False, reason=failures[0].detail, rules=results)
    return EligibilityResult(
        eligible=True,
        reason="Meets all rules: " + " ".join(r.detail for r in results),
        rules=results,
    )


def evaluate_for_instance(*, instance, subject: EligibilitySubject) -> EligibilityResult:
    """The instance's criteria within its program's states: what every door evaluates (the
    lifecycle service and the dry run). Needs `instance.program` loaded."""
    return evaluate(
        criteria=instance.eligibility_criteria,
        subject=subject,
        program_states=instance.program.states,
    )
