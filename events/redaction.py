"""Least privilege on reads: personal data needs `customers:read` (docs/security.md).

A caller without that scope still sees every event, with the personal fields of its objects
(names, email, phone, postal address, device serial number) set to null and
`data.personalDataRedacted: true`, so integrations that only follow statuses keep working.
Ids stay: they are opaque and say nothing about the person.
"""

import copy

PERSONAL_KEYS = frozenset(
    {"firstName", "lastName", "email", "phone", "address", "serialNumber", "streetOne",
     "streetTwo", "city", "postalCode"}
)  # fmt: skip


def _scrub(value):
    if isinstance(value, dict):
        return {k: (None if k in PERSONAL_KEYS else _scrub(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub(v) for v in value]
    return value


def redact_event_data(data: dict) -> dict:
    """A copy of an event's `data` without personal fields (the stored event is unchanged)."""
    redacted = _scrub(copy.deepcopy(data or {}))
    redacted["personalDataRedacted"] = True
    return redacted


def redact_event_payload(payload: dict) -> dict:
    return {**payload, "data": redact_event_data(payload.get("data") or {})}
