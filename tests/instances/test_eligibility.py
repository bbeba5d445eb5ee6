"""The pure eligibility module: validation on write and evaluation of each rule."""

from decimal import Decimal

import pytest

from config.errors import DomainValidationError
from instances.eligibility import RULE_KEYS, EligibilitySubject, evaluate, validate_criteria


# --- validation ---------------------------------------------------------------------------------
@pytest.mark.parametrize("value", [None, "", "Must own a battery installed after 2025."])
def test_strings_and_none_are_accepted_as_given(value):
    assert validate_criteria(value) == value


def test_rules_are_normalised():
    clean = validate_criteria(
        {
            "regions": [" ny", "NJ", "ny"],
            "postalCodes": ["10001", "112*", "10002-1234"],
            "deviceTypes": ["Battery"],
            "manufacturers": ["Tesla", "tesla"],
            "minimumCapacity": 5.0,
            "maximumCapacity": 40,
            "excludeProgramSlugs": ["CA-DSGS"],
            "requireReferenceId": True,
        }
    )
    assert clean == {
        "regions": ["NY", "NJ"],
        "postalCodes": ["10001", "112*", "10002-1234"],
        "deviceTypes": ["battery"],
        "manufacturers": ["tesla"],
        "minimumCapacity": 5.0,
        "maximumCapacity": 40,
        "excludeProgramSlugs": ["ca-dsgs"],
        "requireReferenceId": True,
    }


@pytest.mark.parametrize(
    ("criteria", "expected_in_message"),
    [
        ({"colour": ["red"]}, "Unknown eligibility rule(s): colour"),
        ({"regions": "NY"}, "regions must be a list"),
        ({"regions": ["NY", 3]}, "regions must be a list"),
        ({"regions": ["ZZ"]}, "Unknown US state code(s) in eligibilityCriteria.regions: ZZ"),
        ({"regions": []}, "regions is empty"),
        ({"postalCodes": ["ABCDE"]}, "Invalid postal code(s)"),
        ({"postalCodes": ["*"]}, "Invalid postal code(s)"),
        ({"deviceTypes": [""]}, "deviceTypes must be a list of non-empty strings"),
        ({"manufacturers": [None]}, "manufacturers must be a list"),
        ({"minimumCapacity": "5"}, "minimumCapacity must be a number"),
        ({"minimumCapacity": -1}, "minimumCapacity must be a number of 0 or more"),
        ({"maximumCapacity": True}, "maximumCapacity must be a number"),
        ({"maximumCapacity": float("inf")}, "maximumCapacity must be a number"),
        ({"minimumCapacity": 10, "maximumCapacity": 5}, "larger than maximumCapacity"),
        ({"excludeProgramSlugs": "ca-dsgs"}, "excludeProgramSlugs must be a list"),
        ({"requireReferenceId": "yes"}, "requireReferenceId must be true or false"),
        (["regions"], "must be a string or an object"),
        (42, "must be a string or an object"),
    ],
)
def test_invalid_rules_are_400_naming_the_problem(criteria, expected_in_message):
    with pytest.raises(DomainValidationError) as exc:
        validate_criteria(criteria)
    assert expected_in_message in exc.value.message
    assert exc.value.status == 400
    assert exc.value.details


def test_unknown_rule_lists_the_supported_ones():
    with pytest.raises(DomainValidationError) as exc:
        validate_criteria({"region": ["NY"]})
    for key in RULE_KEYS:
        assert key in exc.value.message


# --- evaluation ---------------------------------------------------------------------------------
def _rule(result, name):
    return next(r for r in result.rules if r.rule == name)


EVALUATION_CASES = [
    # rule, expected, passing subject, failing subject, missing-data subject
    ("regions", ["NY", "NJ"], {"state": "ny"}, {"state": "CA"}, {}),
    ("postalCodes", ["10001"], {"postal_code": "10001-1234"}, {"postal_code": "10002"}, {}),
    ("postalCodes", ["112*"], {"postal_code": "11215"}, {"postal_code": "11315"}, {}),
    ("deviceTypes", ["battery"], {"device_type": "Battery"}, {"device_type": "thermostat"}, {}),
    (
        "manufacturers",
        ["tesla", "enphase"],
        {"manufacturers": ("Tesla", "lg")},
        {"manufacturers": ("lg",)},
        {},
    ),
    ("minimumCapacity", 5, {"capacity": Decimal("5")}, {"capacity": 4.99}, {}),
    ("maximumCapacity", 40, {"capacity": 40}, {"capacity": Decimal("40.5")}, {}),
]


@pytest.mark.parametrize(("rule", "expected", "passing", "failing", "missing"), EVALUATION_CASES)
def test_each_rule_passes_fails_and_handles_missing_data(rule, expected, passing, failing, missing):
    criteria = {rule: expected}
    ok = evaluate(criteria=criteria, subject=EligibilitySubject(**passing))
    assert ok.eligible is True
    assert _rule(ok, rule).passed is True
    assert ok.reason.startswith("Meets all rules")

    bad = evaluate(criteria=criteria, subject=EligibilitySubject(**failing))
    assert bad.eligible is False
    assert _rule(bad, rule).passed is False
    assert bad.reason == _rule(bad, rule).detail

    none = evaluate(criteria=criteria, subject=EligibilitySubject(**missing))
    assert none.eligible is False
    assert "No " in none.reason  # says which data is missing


def test_postal_code_patterns():
    def ok(code, pattern):
        return evaluate(
            criteria={"postalCodes": [pattern]}, subject=EligibilitySubject(postal_code=code)
        ).eligible

    assert ok("10001", "10001")
    assert ok("10001-9999", "10001")
    assert ok("10002-1234", "10002-1234")
    assert not ok("10002-1235", "10002-1234")
    assert not ok("10002", "10002-1234")
    assert ok("11201", "11*")
    assert not ok("21201", "11*")


def test_exclude_program_slugs():
    criteria = {"excludeProgramSlugs": ["ca-dsgs"]}
    free = evaluate(criteria=criteria, subject=EligibilitySubject())
    assert free.eligible
    assert free.rules[0].detail == "Not enrolled in an excluded program."
    taken = evaluate(
        criteria=criteria,
        subject=EligibilitySubject(enrolled_program_slugs=frozenset({"CA-DSGS", "other"})),
    )
    assert not taken.eligible
    assert taken.reason == "Already enrolled in ca-dsgs."


def test_require_reference_id():
    required = {"requireReferenceId": True}
    assert evaluate(criteria=required, subject=EligibilitySubject(reference_id="AC-1")).eligible
    missing = evaluate(criteria=required, subject=EligibilitySubject(reference_id="  "))
    assert not missing.eligible
    assert missing.reason == "A reference id is required."
    optional = evaluate(criteria={"requireReferenceId": False}, subject=EligibilitySubject())
    assert optional.eligible


def test_every_rule_is_reported_and_the_first_failure_is_the_reason():
    criteria = {
        "requireReferenceId": True,
        "regions": ["NY"],
        "deviceTypes": ["battery"],
        "minimumCapacity": 5,
    }
    result = evaluate(
        criteria=criteria,
        subject=EligibilitySubject(state="CA", device_type="battery", capacity=2),
    )
    assert [r.rule for r in result.rules] == [
        "regions",
        "deviceTypes",
        "minimumCapacity",
        "requireReferenceId",
    ]
    assert [r.passed for r in result.rules] == [False, True, False, False]
    assert result.reason == "State CA is outside NY."
    assert result.as_dict() == {
        "eligible": False,
        "reason": "State CA is outside NY.",
        "rules": [r.as_dict() for r in result.rules],
    }
    assert set(result.as_dict()["rules"][0]) == {"rule", "passed", "detail"}


@pytest.mark.parametrize("criteria", [None, {}, ""])
def test_no_rules_means_eligible(criteria):
    result = evaluate(criteria=criteria, subject=EligibilitySubject())
    assert result.eligible and result.rules == []


def test_text_criteria_are_for_people():
    result = evaluate(criteria="Own a battery.", subject=EligibilitySubject())
    assert result.eligible
    assert "Own a battery." in result.reason


def test_unparseable_capacity_counts_as_missing():
    result = evaluate(
        criteria={"minimumCapacity": 1}, subject=EligibilitySubject(capacity=float("nan"))
    )
    assert not result.eligible
    assert result.reason == "No device capacity given."
