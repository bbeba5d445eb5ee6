"""The audit log in words for people (the dashboard's Activity page): "Ada Lovelace changed the
program instance “Summer Peak”: Name from “Old” to “New”", never `programInstance.updated`."""

import re

from audit.models import AuditEntry

OBJECT_WORDS = {
    "programInstance": "program instance",
    "program": "program",
    "webhookEndpoint": "webhook",
    "apiKey": "API key",
    "member": "member",
    "workspace": "workspace settings",
    "enrollment": "enrollments",
}
VERB_WORDS = {
    "created": "created",
    "updated": "changed",
    "deleted": "deleted",
    "statusChanged": "changed the status of",
    "secretRotated": "rotated the signing secret of",
    "testSent": "sent a test message to",
    "deliveryRetried": "retried a delivery of",
    "revoked": "revoked",
    "added": "added",
    "invited": "invited",
    "roleChanged": "changed the role of",
    "removed": "removed",
    "bulkTransition": "moved in bulk",
    "bulkEvaluate": "evaluated in bulk",
}
FIELD_WORDS = {"eventTypes": "event types", "logoUrl": "logo URL", "url": "URL"}
# Relations are recorded by id (a fact that survives renames); an id means nothing to a person,
# and the object's own name already says who or what it is, so the page leaves them out.
RELATION_FIELDS = {"user", "program", "organization", "workspace"}
ACTOR_WORDS = {"apiKey": "API key", "system": "System", "public": "Public page", "user": ""}


def field_words(name: str) -> str:
    if name in FIELD_WORDS:
        return FIELD_WORDS[name]
    return re.sub(r"(?<!^)(?=[A-Z])", " ", name).lower()


def value_words(value) -> str:
    if value is None or value == "" or value == [] or value == {}:
        return "nothing"
    if value is True:
        return "yes"
    if value is False:
        return "no"
    if isinstance(value, list):
        return ", ".join(value_words(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{field_words(k)}: {value_words(v)}" for k, v in value.items())
    return str(value)


def action_words(entry: AuditEntry) -> str:
    kind, _, verb = entry.action.rpartition(".")
    thing = OBJECT_WORDS.get(entry.object_type or kind, field_words(entry.object_type or kind))
    verb_text = VERB_WORDS.get(verb, field_words(verb))
    name = f" “{entry.object_repr}”" if entry.object_repr else ""
    return f"{verb_text} the {thing}{name}" if kind != "enrollments" else f"{verb_text} {thing}"


def changes_words(entry: AuditEntry) -> list[str]:
    lines = []
    for field, pair in (entry.changes or {}).items():
        if field in RELATION_FIELDS:
            continue
        before, after = [*pair, None, None][:2] if isinstance(pair, list) else (None, pair)
        lines.append(
            f"{field_words(field).capitalize()}: {value_words(before)} → {value_words(after)}"
        )
    details = entry.details or {}
    if "requested" in details:
        lines.append(
            f"{details['succeeded']} of {details['requested']} done, {details['failed']} refused"
            + (f" (to {details['to']})" if details.get("to") else "")
        )
    return lines


def entry_rows(entries) -> list[dict]:
    return [
        {
            "entry": e,
            "who": e.actor_name or ACTOR_WORDS.get(e.actor_type, e.actor_type),
            "who_kind": ACTOR_WORDS.get(e.actor_type, ""),
            "what": action_words(e),
            "changes": changes_words(e),
        }
        for e in entries
    ]
