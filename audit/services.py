"""Writing the audit log. Called by the other apps' services, inside their transaction.

    audit_record(*, workspace, actor, action, obj=None, object_type=None, object_id=None,
                 changes=None, ip_address=None, details=None) -> AuditEntry
    audit_changes(before: dict, after: dict) -> dict      # {field: [before, after]}
    audit_snapshot(obj, fields) -> dict                    # the "before" of a change
    audit_object(obj, *, actor, action, fields=(), before=None, workspace=None)
        -> AuditEntry | None                               # create / update / delete shorthand
    audit_bulk_run(*, actor, action, enrollments, results, details=None) -> AuditEntry | None
    audit_prune(*, now=None, days=None) -> int             # retention

Recorded from the services rather than from model signals, because signals miss bulk writes
(`bulk_create`, `update()`) and know neither the actor nor the request.
"""

import json
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from audit.actors import actor_of
from audit.context import current_ip_address
from audit.models import AuditEntry
from config.api.serializers import to_camel
from config.request_context import current_idempotency_key

# The object types as the API names them (`objectType`), by model label.
OBJECT_TYPES = {
    "instances.programinstance": "programInstance",
    "programs.program": "program",
    "events.webhookendpoint": "webhookEndpoint",
    "accounts.apikey": "apiKey",
    "accounts.membership": "member",
    "accounts.workspace": "workspace",
    "enrollments.enrollment": "enrollment",
    "enrollments.customer": "customer",
    "enrollments.lead": "lead",
}


# How an object is named in the log, where its str() is not what a person would say.
OBJECT_NAMES = {
    "accounts.membership": lambda m: m.user.email or m.user.get_username(),
    "accounts.apikey": lambda k: f"{k.name} ({k.prefix}…)",
    "accounts.workspace": lambda w: w.name,
}


def object_name_of(obj) -> str:
    name = OBJECT_NAMES.get(obj._meta.label_lower, str)(obj)
    return str(name)[:200]


def object_type_of(obj) -> str:
    label = obj._meta.label_lower
    return OBJECT_TYPES.get(label) or to_camel(obj._meta.model_name)


def _json(value: Any) -> Any:
    """Plain JSON types (dates as ISO strings, Decimals as strings, model instances as ids)."""
    if hasattr(value, "_meta") and hasattr(value, "pk"):
        value = value.pk
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def audit_snapshot(obj, fields) -> dict:
    """The values of `fields` on `obj` (foreign keys as ids), to diff against after a change."""
    return {name: _json(getattr(obj, name, None)) for name in fields}


def audit_changes(before: dict, after: dict) -> dict:
    """`{field: [before, after]}` for each field whose value differs, keys in the API's
    camelCase (`end_date` -> `endDate`). A field missing on one side counts as None."""
    changes = {}
    for name in dict.fromkeys([*before, *after]):
        old, new = _json(before.get(name)), _json(after.get(name))
        if old != new:
            changes[to_camel(name)] = [old, new]
    return changes


def audit_record(
    *,
    workspace,
    actor: Any,
    action: str,
    obj=None,
    object_type: str | None = None,
    object_id: str | None = None,
    changes: dict | None = None,
    ip_address: str | None = None,
    details: dict | None = None,
) -> AuditEntry:
    """Append one entry. Must run inside the change's transaction (raises otherwise), so that
    a rolled-back change leaves no entry and a recorded change always has one.

    `workspace`: a Workspace, its id, or None (platform-wide changes outside any workspace).
    `actor`: anything `audit.actors.actor_of` accepts. `obj`: the changed model instance (its
    type and id are taken from it unless given). `ip_address`: defaults to the current
    request's (see audit.context).
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_record must be called inside the change's transaction")
    who = actor_of(actor)
    if obj is not None:
        object_type = object_type or object_type_of(obj)
        object_id = object_id if object_id is not None else str(obj.pk or "")
    if not object_type:
        raise ValueError("audit_record needs obj or object_type")
    workspace_id = workspace if isinstance(workspace, str) or workspace is None else workspace.pk
    return AuditEntry.objects.create(
        workspace_id=workspace_id,
        actor_type=who["type"],
        actor_id=who["id"],
        actor_name=who["name"],
        action=action,
        object_type=object_type,
        object_id=object_id or "",
        object_repr=object_name_of(obj) if obj is not None else "",
        changes=_json(changes or {}),
        details=_json(details or {}),
        ip_address=ip_address or current_ip_address(),
        idempotency_key=current_idempotency_key(),
    )


def audit_object(
    obj, *, actor: Any, action: str, fields=(), before: dict | None = None, workspace=None
):
    """Record a write of `obj` by the verb that ends `action`: `.created`/`.added` (changes:
    every field from None), `.updated` (changes: `before` vs now; nothing recorded when nothing
    changed), `.deleted`/`.removed` (changes: every field to None), anything else (`before` vs
    now when `before` is given, else no changes). `fields`: what to diff (never secrets).
    `workspace` defaults to the object's."""
    now = audit_snapshot(obj, fields)
    verb = action.rsplit(".", 1)[-1]
    if verb in ("created", "added"):
        changes = audit_changes({}, now)
    elif verb == "updated":
        changes = audit_changes(before or {}, now)
        if not changes:
            return None
    elif verb in ("deleted", "removed"):
        changes = audit_changes(now, {})
    else:
        changes = audit_changes(before, now) if before is not None else {}
    if workspace is None:
        workspace = getattr(obj, "workspace_id", None)
    return audit_record(workspace=workspace, actor=actor, action=action, obj=obj, changes=changes)


def audit_bulk_run(
    *, actor: Any, action: str, enrollments, results, details: dict | None = None
) -> AuditEntry | None:
    """One entry per bulk run with its counts (`details.requested/succeeded/failed` and the
    ids that failed). A bulk run commits in chunks, so this entry is written in its own
    transaction once the run is over, in the actor's workspace (or the first row's)."""
    from audit.actors import actor_workspace

    # A bulk run may be a QuerySet of any size: only its first row is read, never the whole.
    first = next(iter(enrollments[:1] if isinstance(enrollments, QuerySet) else enrollments), None)
    if first is None:
        return None
    workspace = actor_workspace(actor) or first.workspace
    succeeded = [r for r in results if r.ok]
    counts = {
        "requested": len(results),
        "succeeded": len(succeeded),
        "failed": len(results) - len(succeeded),
        "failedIds": [r.enrollment_id for r in results if not r.ok][:100],
    }
    with transaction.atomic():
        return audit_record(
            workspace=workspace,
            actor=actor,
            action=action,
            object_type="enrollment",
            object_id="",
            details={**(details or {}), **counts},
        )


def audit_retention_days() -> int:
    return int(getattr(settings, "AUDIT_RETENTION_DAYS", 365))


def audit_prune(*, now=None, days: int | None = None) -> int:
    """Delete entries older than `days` (default: the AUDIT_RETENTION_DAYS setting). 0 keeps
    everything. Returns how many were deleted."""
    days = audit_retention_days() if days is None else days
    if days <= 0:
        return 0
    before = (now or timezone.now()) - timedelta(days=days)
    with transaction.atomic():
        return AuditEntry.objects.prune(before=before)
