"""Eligibility rules: validation on write and a pure evaluation for one person or device.

`eligibilityCriteria` is either a string (requirements for people to read; nothing to check by
machine) or an object of the rule keys below. Evaluation never touches the database: callers
gather the subject (address, device, current enrollments) and get back the verdict, one
human-readable reason and the result of each rule.
"""

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
    capacity: Decimal | None = None
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
def _string_list(key: str, value: Any, *, upper: bool = False, lower: bool = False) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise DomainValidationError(
            f"eligibilityCriteria.{key} must be a list of non-empty strings.",
            details={f"eligibilityCriteria.{key}": ["Must be a list of non-empty strings."]},
        )
    items = [v.strip() for v in value]
    if upper:
        items = [v.upper() for v in items]
    if lower:
        items = [v.lower() for v in items]
    return items


def _number(key: str, value: Any) -> float | int:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise DomainValidationError(
            f"eligibilityCriteria.{key} must be a number of 0 or more.",
            details={f"eligibilityCriteria.{key}": ["Must be a number of 0 or more."]},
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
            details={"eligibilityCriteria": ["Must be a string or an object."]},
        )
    unknown = sorted(set(value) - set(RULE_KEYS))
    if unknown:
        raise DomainValidationError(
            f"Unknown eligibility rule(s): {', '.join(unknown)}. "
            f"Supported rules: {', '.join(RULE_KEYS)}.",
            details={"eligibilityCriteria": [f"Unknown rule: {key}" for key in unknown]},
        )
    clean: dict[str, Any] = {}
    for key, rule_value in value.items():
        if key == "regions":
            codes = _string_list(key, rule_value, upper=True)
            bad = [c for c in codes if c not in US_STATES]
            if bad:
                raise DomainValidationError(
                    f"Unknown US state code(s) in eligibilityCriteria.regions: {', '.join(bad)}.",
                    details={"eligibilityCriteria.regions": [f"Unknown state: {c}" for c in bad]},
                )
            clean[key] = codes
        elif key in ("postalCodes", "excludeProgramSlugs"):
            clean[key] = _string_list(key, rule_value)
        elif key in ("deviceTypes", "manufacturers"):
            clean[key] = _string_list(key, rule_value, lower=True)
        elif key in ("minimumCapacity", "maximumCapacity"):
            clean[key] = _number(key, rule_value)
        elif key == "requireReferenceId":
            if not isinstance(rule_value, bool):
                raise DomainValidationError(
                    "eligibilityCriteria.requireReferenceId must be true or false.",
                    details={"eligibilityCriteria.requireReferenceId": ["Must be a boolean."]},
                )
            clean[key] = rule_value
    low, high = clean.get("minimumCapacity"), clean.get("maximumCapacity")
    if low is not None and high is not None and low > high:
        raise DomainValidationError(
            "eligibilityCriteria.minimumCapacity is larger than maximumCapacity.",
            details={"eligibilityCriteria.minimumCapacity": ["Must not exceed maximumCapacity."]},
        )
    return clean


# --- evaluation -------------------------------------------------------------------------------
def _capacity(subject: EligibilitySubject) -> Decimal | None:
    if subject.capacity is None:
        return None
    try:
        return Decimal(str(subject.capacity))
    except InvalidOperation:
        return None


def _check(rule: str, expected: Any, subject: EligibilitySubject) -> RuleResult:
    if rule == "regions":
        state = (subject.state or "").upper()
        if not state:
            return RuleResult(rule, False, "No state given in the address.")
        ok = state in expected
        return RuleResult(
            rule, ok, f"State {state} is {'in' if ok else 'outside'} {', '.join(expected)}."
        )
    if rule == "postalCodes":
        code = (subject.postal_code or "").strip()
        ok = any(code == p or (p.endswith("*") and code.startswith(p[:-1])) for p in expected)
        if not code:
            return RuleResult(rule, False, "No postal code given.")
        return RuleResult(rule, ok, f"Postal code {code} is {'' if ok else 'not '}served.")
    if rule == "deviceTypes":
        device = (subject.device_type or "").lower()
        if not device:
            return RuleResult(rule, False, f"No device type given; needs {', '.join(expected)}.")
        ok = device in expected
        return RuleResult(rule, ok, f"Device type {device} is {'' if ok else 'not '}accepted.")
    if rule == "manufacturers":
        have = {m.lower() for m in subject.manufacturers}
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
        clash = sorted(subject.enrolled_program_slugs & set(expected))
        if clash:
            return RuleResult(rule, False, f"Already enrolled in {', '.join(clash)}.")
        return RuleResult(rule, True, "Not enrolled in an excluded program.")
    if rule == "requireReferenceId":
        if not expected:
            return RuleResult(rule, True, "A reference id is not required.")
        ok = bool((subject.reference_id or "").strip())
        return RuleResult(rule, ok, "Reference id given." if ok else "A reference id is required.")
    raise ValueError(f"unknown rule {rule}")  # validate_criteria keeps this unreachable


def evaluate(*, criteria: Any, subject: EligibilitySubject) -> EligibilityResult:
    """Check every rule; the reason is the first failure, or a summary of what qualified."""
    if not isinstance(criteria, dict) or not criteria:
        return EligibilityResult(
            eligible=True, reason="No machine-checked eligibility rules apply.", rules=[]
        )
    results = [_check(rule, criteria[rule], subject) for rule in RULE_KEYS if rule in criteria]
    failures = [r for r in results if not r.passed]
    if failures:
        return EligibilityResult(eligible=False, reason=failures[0].detail, rules=results)
    return EligibilityResult(
        eligible=True,
        reason="Meets all rules: " + " ".join(r.detail for r in results),
        rules=results,
    )
