"""Plain words for customers, in their language: statuses, why a page is closed, why they are
not eligible. The decisions come from the services (block codes, evaluation rule results);
this module only phrases them."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

STATUS_WORDS = {
    "candidate": gettext_lazy("Started"),
    "eligible": gettext_lazy("Eligible, not yet submitted"),
    "ineligible": gettext_lazy("Not eligible"),
    "submitted": gettext_lazy("Received, awaiting review"),
    "approved": gettext_lazy("Approved"),
    "rejected": gettext_lazy("Not approved"),
    "unenrolled": gettext_lazy("Left the program"),
}

CLOSED_WORDS = {
    "program_inactive": gettext_lazy("This program is not taking enrollments at the moment."),
    "program_ended": gettext_lazy("This program has ended."),
    "instance_inactive": gettext_lazy("Enrollment is paused for now. Please come back later."),
    "instance_archived": gettext_lazy("Enrollment in this program has closed."),
    "not_started": gettext_lazy("Enrollment has not opened yet."),
    "ended": gettext_lazy("Enrollment has closed."),
}

RULE_WORDS = {
    "regions": gettext_lazy("This program is not offered in your state."),
    "postalCodes": gettext_lazy("This program is not offered at your ZIP code."),
    "deviceTypes": gettext_lazy("This program does not accept your type of device."),
    "manufacturers": gettext_lazy("This program does not accept devices from this manufacturer."),
    "minimumCapacity": gettext_lazy("Your device's capacity is below what this program needs."),
    "maximumCapacity": gettext_lazy("Your device's capacity is above what this program allows."),
    "excludeProgramSlugs": gettext_lazy(
        "You are already enrolled in a program that cannot be combined with this one."
    ),
    "requireReferenceId": gettext_lazy("This program needs your utility account number."),
}


def status_words(status: str) -> str:
    return str(STATUS_WORDS.get(status, status))


def closed_words(code: str) -> str:
    return str(CLOSED_WORDS.get(code, _("Enrollment is closed.")))


def ineligible_words(rules, fallback: str) -> str:
    """The first failed rule of the evaluation, in words (or the service's reason)."""
    for rule in rules:
        passed = rule.get("passed") if isinstance(rule, dict) else rule.passed
        name = rule.get("rule") if isinstance(rule, dict) else rule.rule
        if not passed and name in RULE_WORDS:
            return str(RULE_WORDS[name])
    return fallback


def history_words(change) -> str:
    """One history row as a sentence: "Received, awaiting review" etc."""
    return status_words(change.to_status)
