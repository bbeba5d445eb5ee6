"""Recording events. Services call `event_record` inside their own transaction.atomic()."""

from django.db import transaction

from events.models import Event


def event_record(
    *,
    workspace,
    type: str,
    obj: dict,
    previous_status: str | None = None,
    enrollment_id: str = "",
    program_instance_id: str = "",
) -> Event:
    """Write one outbox row. Must run inside the caller's transaction, so that the event exists
    if and only if the change does."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("event_record must be called inside the change's transaction")
    data = {"object": obj}
    if previous_status is not None:
        data["previousStatus"] = previous_status
    return Event.objects.create(
        workspace=workspace,
        type=type,
        data=data,
        enrollment_id=enrollment_id,
        program_instance_id=program_instance_id,
    )
