from django.db import models

from accounts.querysets import WorkspaceOwnedQuerySet


class EventQuerySet(WorkspaceOwnedQuerySet):
    pass


class WebhookEndpointQuerySet(WorkspaceOwnedQuerySet):
    def enabled(self):
        return self.filter(enabled=True)


class WebhookDeliveryQuerySet(WorkspaceOwnedQuerySet):
    def stale(self, now):
        """Pending deliveries nobody is working on although they are due: a worker died holding
        the lease, or the task that should have sent them was lost."""
        return self.filter(status="pending", next_attempt_at__lte=now).filter(
            models.Q(locked_until__isnull=True) | models.Q(locked_until__lt=now)
        )


class WebhookAttemptQuerySet(WorkspaceOwnedQuerySet):
    workspace_field = "delivery__workspace"
