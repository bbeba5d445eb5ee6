"""Writes of the events app. Keyword-only; errors are config.errors domain errors.

Recording events (called by other apps inside their own `transaction.atomic()`):

    event_record(*, workspace, type, obj, previous_status=None, enrollment_id="",
                 program_instance_id="", actor=None) -> Event
    event_record_many(*, workspace, items: list[dict]) -> list[str]     # bulk; the ids
    event_batch(*, workspace, items, keys=None) -> EventBatch           # the same, prepared
    event_batch_write(batch: EventBatch) -> None                        # ... and written

Webhook endpoints live in `events.webhooks` (API, dashboard and admin all call them there):

    webhook_create(*, workspace, url, event_types=None, description="", actor=None)
        -> (WebhookEndpoint, secret)          # the secret is shown once, at creation
    webhook_update(*, endpoint, url=None, event_types=None, description=None, enabled=None,
                   actor=None) -> WebhookEndpoint   # None = leave unchanged
    webhook_delete(*, endpoint, actor=None) -> None
    webhook_rotate_secret(*, endpoint, actor=None) -> (WebhookEndpoint, new_secret)
    webhook_send_test(*, endpoint, actor=None) -> WebhookDelivery
    delivery_retry(*, delivery, actor=None) -> WebhookDelivery
    delivery_requeue_stale(*, now=None, grace=timedelta(minutes=10), limit=1000) -> int

`actor` is whatever identifies the caller (anything `audit.actors.actor_of` accepts); events
store it as `{type, id, name}`, and every webhook endpoint write is recorded in the audit log
in its transaction.
"""

import json
from dataclasses import dataclass

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from audit.actors import actor_of
from config.bulk_insert import JsonText, PreparedRows, insert_prepared, insert_rows, prepare_rows
from config.ids import new_ids
from enrollments import transitions
from events import tasks
from events.models import Event, WebhookDelivery, WebhookEndpoint
from events.wakeup import notify_deliveries

# Who hears about which status: the enrollment transition table's notification columns.
CUSTOMER_NOTIFIED_STATUSES = transitions.CUSTOMER_NOTIFIED_STATUSES
STAFF_NOTIFIED_STATUSES = transitions.STAFF_NOTIFIED_STATUSES
EVENT_TYPES = frozenset(Event.Type.values)


# --- events -----------------------------------------------------------------------------------
def event_record(
    *,
    workspace,
    type: str,
    obj: dict,
    previous_status: str | None = None,
    enrollment_id: str = "",
    program_instance_id: str = "",
    actor=None,
) -> Event:
    """Write one outbox row and, in the same transaction, what it sets in motion.

    Must run inside the caller's transaction, so that the event (its webhook deliveries and its
    email notifications) exists if and only if the change does. `obj` is the changed object as
    the API returns it; `previous_status` is given for `enrollment.status_changed`; `actor` is
    who made the change (stored as `{type, id, name}`, None = the system).
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("event_record must be called inside the change's transaction")
    if type not in Event.Type.values:
        raise ValueError(f"Unknown event type {type!r}; known: {', '.join(Event.Type.values)}")
    data = {"object": obj}
    if previous_status is not None:
        data["previousStatus"] = previous_status
    event = Event.objects.create(
        workspace=workspace,
        type=type,
        data=data,
        enrollment_id=enrollment_id or "",
        program_instance_id=program_instance_id or "",
        actor=actor_of(actor),
    )
    _fan_out(event)
    if type == Event.Type.ENROLLMENT_STATUS_CHANGED and settings.NOTIFICATIONS_ENABLED:
        status = enrollment_status_of(obj)
        if status in CUSTOMER_NOTIFIED_STATUSES | STAFF_NOTIFIED_STATUSES:
            tasks.enqueue(tasks.enrollment_status_notify, event.pk)
    return event


def event_record_many(*, workspace, items: list[dict]) -> list[str]:
    """`event_record` for many changes of one workspace, with bulk SQL (bulk actions); returns
    the new events' ids, in the items' order.

    Each item has the keyword arguments of `event_record` but `workspace` (`type`, `obj`, and
    optionally `previous_status`, `enrollment_id`, `program_instance_id`, `actor`). One COPY
    (PostgreSQL) or INSERT for the events, one query for the endpoints, one for the deliveries,
    one for the notification tasks: constant per call. Items that share one `obj` (a status
    change's `enrollment.status_changed` and `enrollment.updated`) serialise it once. Same
    transaction rule as `event_record`. = `event_batch_write(event_batch(...))`.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("event_record_many must be called inside the change's transaction")
    batch = event_batch(workspace=workspace, items=items)
    event_batch_write(batch)
    return batch.ids


@dataclass
class EventBatch:
    """Events of one workspace, ready to write: the rows of their COPY (JSON already
    serialised) and which of them notify someone. Built without the database, so that the
    set-based lifecycle path can prepare a chunk's events while the previous chunk is being
    written (`config.pipeline`), then keep only those of the rows its UPDATE really moved."""

    workspace_id: str
    ids: list[str]
    types: list[str]
    notify: list[bool]
    keys: list  # the caller's key of each event (which change it belongs to)
    rows: PreparedRows  # the events' cells, converted for their COPY

    def only(self, keys: set) -> "EventBatch":
        keep = [key in keys for key in self.keys]

        def kept(values: list) -> list:
            return [value for value, k in zip(values, keep, strict=True) if k]

        return EventBatch(
            self.workspace_id,
            kept(self.ids),
            kept(self.types),
            kept(self.notify),
            kept(self.keys),
            self.rows.only(keep),
        )


def event_batch(*, workspace, items: list[dict], keys: list | None = None) -> EventBatch:
    """The rows `event_record_many` writes for `items` (see there), written by
    `event_batch_write`; `keys`: one per item, for `EventBatch.only`."""
    workspace_id = getattr(workspace, "pk", workspace)
    ids = new_ids(len(items))
    objects: dict[int, str] = {}  # id(obj) -> its JSON (shared payloads are dumped once)
    actors: dict[int, JsonText] = {}
    statuses: dict[str, str] = {}  # previous status -> its JSON member
    rows, notify = [], []
    notified = CUSTOMER_NOTIFIED_STATUSES | STAFF_NOTIFIED_STATUSES
    for event_id, item in zip(ids, items, strict=True):
        type = item["type"]
        if type not in EVENT_TYPES:
            raise ValueError(f"Unknown event type {type!r}; known: {', '.join(Event.Type.values)}")
        obj, actor = item["obj"], item.get("actor")
        if id(obj) not in objects:
            objects[id(obj)] = json.dumps(obj, cls=DjangoJSONEncoder)
        if id(actor) not in actors:
            actors[id(actor)] = JsonText(json.dumps(actor_of(actor)))
        data = '{"object": ' + objects[id(obj)]
        previous = item.get("previous_status")
        if previous is not None:
            if previous not in statuses:
                statuses[previous] = ', "previousStatus": ' + json.dumps(previous)
            data += statuses[previous]
        rows.append(
            {
                "id": event_id,
                "workspace_id": workspace_id,
                "type": type,
                "data": JsonText(data + "}"),
                "enrollment_id": item.get("enrollment_id") or "",
                "program_instance_id": item.get("program_instance_id") or "",
                "actor": actors[id(actor)],
            }
        )
        notify.append(
            type == Event.Type.ENROLLMENT_STATUS_CHANGED and enrollment_status_of(obj) in notified
        )
    return EventBatch(
        workspace_id,
        ids,
        [row["type"] for row in rows],
        notify,
        keys if keys is not None else ids,
        prepare_rows(Event, rows),
    )


def event_batch_write(batch: EventBatch) -> None:
    """Write a prepared batch: the events (one COPY), their webhook deliveries and their
    notification tasks. Inside the change's transaction, like `event_record`."""
    if not batch.ids:
        return
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("event_batch_write must be called inside the change's transaction")
    insert_prepared(batch.rows)
    _fan_out_many(batch.workspace_id, list(zip(batch.ids, batch.types, strict=True)))
    if settings.NOTIFICATIONS_ENABLED:
        _enqueue_many(
            tasks.enrollment_status_notify,
            [pk for pk, wanted in zip(batch.ids, batch.notify, strict=True) if wanted],
        )


def _enqueue_many(task_obj, ids: list[str]) -> None:
    """`tasks.enqueue(task_obj, id)` for each id; with the database backend the task rows are
    one COPY (`insert_rows`: what `DatabaseBackend.enqueue` writes, row for row, the model's
    defaults for the rest), so a bulk action's statements stay constant per chunk."""
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.models import DBTaskResult, get_date_max

    backend = task_obj.get_backend()
    if not ids:
        return
    if not isinstance(backend, DatabaseBackend) or len(ids) == 1:
        for pk in ids:
            tasks.enqueue(task_obj, pk)
        return
    backend.validate_task(task_obj)
    run_after = task_obj.run_after or get_date_max()
    insert_rows(
        DBTaskResult,
        [
            {
                "id": backend._get_id(),
                "args_kwargs": JsonText(json.dumps({"args": [pk], "kwargs": {}})),
                "priority": task_obj.priority,
                "task_path": task_obj.module_path,
                "queue_name": task_obj.queue_name,
                "run_after": run_after,
                "backend_name": backend.alias,
            }
            for pk in ids
        ],
    )


def enrollment_status_of(obj: dict) -> str | None:
    """The status in an enrollment's API representation (`eligibilityStatus` in the spec)."""
    for key in ("eligibilityStatus", "status"):
        if isinstance(obj.get(key), str):
            return obj[key]
    eligibility = obj.get("eligibility")
    if isinstance(eligibility, dict) and isinstance(eligibility.get("status"), str):
        return eligibility["status"]
    return None


def _fan_out(event: Event) -> None:
    """One delivery per enabled endpoint that wants this type (the engine sends them)."""
    _fan_out_many(event.workspace_id, [(event.pk, event.type)])


def _fan_out_many(workspace_id: str, events: list[tuple[str, str]]) -> None:
    """`_fan_out` for events (id, type) of one workspace: one endpoint query, one INSERT."""
    endpoints = list(
        WebhookEndpoint.objects.for_workspace(workspace_id).enabled().only("id", "event_types")
    )
    now = timezone.now()
    deliveries = [
        {
            "workspace_id": workspace_id,
            "endpoint_id": endpoint.pk,
            "event_id": event_id,
            "event_type": event_type,
            "next_attempt_at": now,
        }
        for event_id, event_type in events
        for endpoint in endpoints
        if endpoint.wants(event_type)
    ]
    if deliveries:
        # The rows are the queue: the delivery engine claims due rows (events.engine); NOTIFY
        # wakes it at commit on PostgreSQL. No task row per delivery.
        insert_rows(WebhookDelivery, deliveries)
        notify_deliveries()
