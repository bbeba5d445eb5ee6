"""Reads shared by the API, the admin and the dashboard. Always scoped to one workspace.

delivery_list(*, endpoint, status=None) -> QuerySet[WebhookDelivery]
    # newest first, attempts prefetched (oldest first): constant queries per page
delivery_get(*, endpoint, delivery_id) -> WebhookDelivery         # NotFoundError
"""

from django.db.models import Prefetch

from config.errors import NotFoundError
from events.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint


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
