"""Words for people: what the dashboard shows instead of API names (scopes, event types,
field names like `firstName`), and the rewriting of service messages that name API fields."""

import re

from accounts import scopes as s

SCOPE_DESCRIPTIONS = {
    s.PROGRAMS_READ: "See the program catalogue",
    s.PROGRAMS_ADMIN: "Create and edit programs (platform staff)",
    s.INSTANCES_READ: "See program instances and their rules",
    s.INSTANCES_WRITE: "Create, edit, pause and archive program instances",
    s.ENROLLMENTS_READ: "See enrollments and their history",
    s.ENROLLMENTS_WRITE: "Create and edit enrollments, evaluate and submit them",
    s.ENROLLMENTS_REVIEW: "Approve or reject submitted enrollments",
    s.CUSTOMERS_READ: "See customers and leads",
    s.CUSTOMERS_WRITE: "Create and edit customers and leads",
    s.WEBHOOKS_MANAGE: "Set up webhooks and see their deliveries",
    s.EVENTS_READ: "Read the event log",
    s.API_KEYS_MANAGE: "Create and revoke API keys",
}

EVENT_LABELS = {
    "enrollment.created": "Enrollment created",
    "enrollment.updated": "Details edited",
    "enrollment.deleted": "Enrollment deleted",
    "enrollment.status_changed": "Status change announced to webhooks",
    "programInstance.created": "Instance created",
    "programInstance.updated": "Instance changed",
    "programInstance.deleted": "Instance deleted",
    "webhook.test": "Webhook test",
}

# API field names (camelCase) → words, for messages the services write for API clients.
FIELD_WORDS = {
    "firstName": "first name",
    "lastName": "last name",
    "email": "email",
    "phone": "phone",
    "streetOne": "street",
    "streetTwo": "street (line 2)",
    "postalCode": "postal code",
    "deviceType": "device type",
    "deviceCapacity": "device capacity",
    "manufacturerSlugs": "manufacturers",
    "serialNumber": "serial number",
    "referenceId": "reference id",
    "referenceDescription": "reference description",
    "programInstanceId": "program instance",
    "customerId": "customer",
    "leadId": "lead",
    "enrollmentId": "enrollment",
    "startDate": "start date",
    "endDate": "end date",
    "logoUrl": "logo address",
    "customTerms": "terms",
    "formConfig": "enrollment form",
    "eligibilityCriteria": "eligibility rules",
    "regions": "states",
    "postalCodes": "postal codes",
    "deviceTypes": "device types",
    "manufacturers": "manufacturers",
    "minimumCapacity": "minimum capacity",
    "maximumCapacity": "maximum capacity",
    "excludeProgramSlugs": "programs that exclude",
    "requireReferenceId": "reference id required",
    "identificationType": "how the customer is identified",
    "address": "address",
}
_NAME = re.compile(r"\b(?:[a-z]+[A-Z][A-Za-z]*)(?:\.[a-z]+[A-Z]?[A-Za-z]*)*\b")


def plain(message: str) -> str:
    """Replace API names in a service message with words: `eligibilityCriteria.regions` →
    "states", "Must not exceed maximumCapacity." → "Must not exceed maximum capacity."."""

    def word(match: re.Match) -> str:
        parts = match.group(0).split(".")
        known = [FIELD_WORDS.get(p) for p in parts]
        if all(known):
            return known[-1] if len(known) > 1 else known[0]
        return match.group(0)

    text = _NAME.sub(word, str(message))
    return re.sub(
        r"^Invalid: (.+)$",
        r"“\1” is not a postal code: use 5 digits (10001), ZIP+4 (10001-1234) or a prefix (100*).",
        text,
    )


def scope_words(scope: str | None) -> str:
    return SCOPE_DESCRIPTIONS.get(scope or "", "do this")


def event_words(event_type: str) -> str:
    return EVENT_LABELS.get(event_type, event_type.replace(".", " ").replace("_", " ").capitalize())


def field_words(name: str) -> str:
    """`firstName` → "First name" (a form field's name as a label)."""
    words = FIELD_WORDS.get(name, name)
    return words[:1].upper() + words[1:]
