"""Reads shared by the API, the admin and the dashboard. Always scoped to one workspace.

event_list(*, workspace, type=None, enrollment_id=None, created_after=None) -> QuerySet[Event]
webhook_list(*, workspace) -> QuerySet[WebhookEndpoint]
webhook_get(*, workspace, webhook_id) -> WebhookEndpoint          # NotFoundError
delivery_list(*, endpoint, status=None) -> QuerySet[WebhookDelivery]
    # newest first, attempts prefetched (oldest first): constant queries per page
delivery_get(*, endpoint, delivery_id) -> WebhookDelivery         # NotFoundError
webhook_health(*, endpoint) -> dict  # {pending, succeeded, failed, cancelled, lastSuccessAt}
"""

from django.db.models import Count, Prefetch, Q, QuerySet

from config.errors import NotFoundError
from events.models import Event, WebhookAttempt, WebhookDelivery, WebhookEndpoint


def event_list(
    *, workspace, type: str | None = None, enrollment_id: str | None = None, created_after=None
) -> QuerySet[Event]:
    events = Event.objects.for_workspace(workspace)
    if type:
        events = events.filter(type=type)
    if enrollment_id:
        events = events.filter(enrollment_id=enrollment_id)
    if created_after is not None:
        events = events.filter(created_at__gt=created_after)
    return events


def webhook_list(*, workspace) -> QuerySet[WebhookEndpoint]:
    return WebhookEndpoint.objects.for_workspace(workspace)


def webhook_get(*, workspace, webhook_id: str) -> WebhookEndpoint:
    endpoint = webhook_list(workspace=workspace).filter(pk=webhook_id).first()
    if endpoint is None:
        raise NotFoundError("No such webhook.")
    return endpoint


def delivery_list(*, endpoint: WebhookEndpoint, status: str | None = None):
    deliveries = (
        WebhookDelivery.objects.for_workspace(endpoint.workspace_id)
        .filter(endpoint=endpoint)
        .prefetch_related(
            Prefetch("attempts", queryset=WebhookAttempt.objects.order_by("attempted_at", "id"))
        )
    )
    if status:
        deliveries = deliveries.filter(status=status)
    return deliveries


def delivery_get(*, endpoint: WebhookEndpoint, delivery_id: str) -> WebhookDelivery:
    delivery = delivery_list(endpoint=endpoint).filter(pk=delivery_id).first()
    if delivery is None:
        raise NotFoundError("No such delivery for this webhook.")
    return delivery


def webhook_health(*, endpoint: WebhookEndpoint) -> dict:
    counts = (
        WebhookDelivery.objects.for_workspace(endpoint.workspace_id)
        .filter(endpoint=endpoint)
        .aggregate(
            **{
                status: Count("id", filter=Q(status=status))
                for status in WebhookDelivery.Status.values
            }
        )
    )
    return {**counts, "lastSuccessAt": endpoint.last_success_at}
