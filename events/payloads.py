"""The JSON an event has in the API and in webhook bodies (one shape for both)."""

from rest_framework.fields import DateTimeField

from events.models import TEST_EVENT_TYPE, Event, WebhookDelivery

_datetime = DateTimeField()


def iso(value) -> str | None:
    return _datetime.to_representation(value) if value is not None else None


def event_payload(event: Event) -> dict:
    """`{id, type, createdAt, workspaceId, actor: {type, id, name}, data: {object,
    previousStatus?}}`."""
    return {
        "id": event.pk,
        "type": event.type,
        "createdAt": iso(event.created_at),
        "workspaceId": event.workspace_id,
        "actor": event.actor or None,
        "data": event.data,
    }


def test_payload(*, delivery_id: str, workspace_id: str, endpoint_id: str, now) -> dict:
    return {
        "id": delivery_id,
        "type": TEST_EVENT_TYPE,
        "createdAt": iso(now),
        "workspaceId": workspace_id,
        "data": {
            "object": {"webhookId": endpoint_id},
            "message": "A test message from GridPrograms. No action is needed.",
        },
    }


def delivery_payload(delivery: WebhookDelivery) -> dict:
    if delivery.payload is not None:
        return delivery.payload
    payload = event_payload(delivery.event)
    if delivery.endpoint.redact_personal_data:
        from events.redaction import redact_event_payload

        return redact_event_payload(payload)
    return payload
