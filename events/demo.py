"""Demo data for `make run`: one example webhook endpoint, disabled so it sends nothing until
you point it at a receiver of yours (e.g. `python -m http.server`) and enable it. Idempotent."""

from config.errors import DomainError
from events.models import WebhookEndpoint
from events.webhooks import webhook_create, webhook_update

DEMO_WEBHOOK_URL = "http://localhost:9999/webhooks/gridprograms"


def seed(context) -> None:
    workspace = context.workspace
    if WebhookEndpoint.objects.for_workspace(workspace).filter(url=DEMO_WEBHOOK_URL).exists():
        return
    try:
        endpoint, _ = webhook_create(
            workspace=workspace,
            url=DEMO_WEBHOOK_URL,
            event_types=["enrollment.status_changed"],
            description="Example receiver (disabled): change the URL, then enable it.",
            actor="demo",
        )
    except DomainError:
        return  # private networks not allowed here (not `make run`): no example endpoint
    webhook_update(endpoint=endpoint, enabled=False, actor="the demo set-up")
