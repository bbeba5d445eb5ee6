"""Events (the outbox) and their webhook delivery.

- `Event`: written in the same transaction as the change it describes (see
  `events.services.event_record`). Immutable.
- `WebhookEndpoint`: a workspace's receiver URL, its event-type filter and signing secret(s).
- `WebhookDelivery`: one message to one endpoint (one per (event, endpoint), or a test ping). Its
  id is the Standard Webhooks `webhook-id`, so it never changes across attempts. The row is the
  source of truth for "is this still owed to the receiver"; background tasks only nudge it.
- `WebhookAttempt`: every HTTP attempt of a delivery, for the API, the admin and the dashboard.
"""

from datetime import datetime

from django.db import models

from config.ids import CuidField
from config.request_context import current_idempotency_key
from config.versioning import VersionedModel
from events.querysets import (
    EventQuerySet,
    WebhookAttemptQuerySet,
    WebhookDeliveryQuerySet,
    WebhookEndpointQuerySet,
)
from events.secretbox import EncryptedSecretField


class Event(models.Model):
    class Type(models.TextChoices):
        ENROLLMENT_CREATED = "enrollment.created"
        ENROLLMENT_UPDATED = "enrollment.updated"
        ENROLLMENT_STATUS_CHANGED = "enrollment.status_changed"
        ENROLLMENT_DELETED = "enrollment.deleted"
        INSTANCE_CREATED = "programInstance.created"
        INSTANCE_UPDATED = "programInstance.updated"
        INSTANCE_DELETED = "programInstance.deleted"

    id = CuidField()
    # No single-column index: event_ws_created_idx starts with it (docs/benchmarks.md).
    workspace = models.ForeignKey(
        "accounts.Workspace", on_delete=models.CASCADE, related_name="events", db_index=False
    )
    type = models.CharField(max_length=64, choices=Type.choices)
    data = models.JSONField(help_text="{object: <as the API returns it>, previousStatus?}")
    enrollment_id = models.CharField(max_length=25, blank=True, db_index=True)
    program_instance_id = models.CharField(max_length=25, blank=True, db_index=True)
    actor = models.JSONField(
        default=dict, blank=True, help_text="Who made the change: {type, id, name} (audit.actors)"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    idempotency_key = models.CharField(
        max_length=255,
        blank=True,
        editable=False,
        default=current_idempotency_key,
        help_text="The Idempotency-Key of the API request that created it.",
    )

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        # `-id` completes the list order: pages are read in index order, without a sort.
        indexes = [
            models.Index(fields=["workspace", "-created_at", "-id"], name="event_ws_created_idx"),
            models.Index(
                fields=["workspace", "type", "-created_at", "-id"], name="event_ws_type_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.type} {self.id}"


TEST_EVENT_TYPE = "webhook.test"


class WebhookEndpoint(VersionedModel):
    """Where a workspace wants its events POSTed.

    `event_types` empty means every type. The secret is encrypted at rest (events.secretbox:
    HMAC signing needs the secret itself, so it cannot be hashed); after a rotation the previous
    secret keeps signing (alongside the new one) until `previous_secret_expires_at`, so
    receivers can switch without dropping a message.
    """

    id = CuidField()
    workspace = models.ForeignKey(
        "accounts.Workspace", on_delete=models.CASCADE, related_name="webhook_endpoints"
    )
    url = models.URLField(max_length=2000)
    description = models.CharField(max_length=500, blank=True)
    event_types = models.JSONField(default=list, blank=True, help_text="Empty: every type.")
    secret = EncryptedSecretField(max_length=500, editable=False)
    previous_secret = EncryptedSecretField(max_length=500, blank=True, editable=False)
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True, editable=False)
    enabled = models.BooleanField(default=True)
    disabled_reason = models.CharField(max_length=300, blank=True)
    disabled_at = models.DateTimeField(null=True, blank=True)
    # Set when the endpoint was registered by a caller without customers:read: its deliveries
    # then carry events with personal fields redacted (docs/security.md, least privilege).
    redact_personal_data = models.BooleanField(default=False, editable=False)
    last_success_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = WebhookEndpointQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["workspace", "enabled"]),
            models.Index(fields=["workspace", "-created_at"]),
        ]

    def __str__(self) -> str:
        return self.url

    def wants(self, event_type: str) -> bool:
        return not self.event_types or event_type in self.event_types

    def signing_secrets(self, now: datetime) -> list[str]:
        """The current secret first, then the previous one while its grace period lasts."""
        secrets = [self.secret]
        if (
            self.previous_secret
            and self.previous_secret_expires_at
            and self.previous_secret_expires_at > now
        ):
            secrets.append(self.previous_secret)
        return secrets


class WebhookDelivery(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    id = CuidField(help_text="Sent as the `webhook-id` header; the same on every attempt.")
    # No single-column indexes on these three: the Meta indexes and the once-per-event
    # constraint start with each of them (docs/benchmarks.md).
    workspace = models.ForeignKey(
        "accounts.Workspace",
        on_delete=models.CASCADE,
        related_name="webhook_deliveries",
        db_index=False,
    )
    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries", db_index=False
    )
    event = models.ForeignKey(
        Event,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="deliveries",
        db_index=False,
    )
    event_type = models.CharField(max_length=64)
    payload = models.JSONField(
        null=True, blank=True, help_text="Only for test messages (which have no Event row)."
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    attempt_count = models.PositiveIntegerField(
        default=0, help_text="Attempts in the current retry series (a manual retry restarts it)."
    )
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    locked_until = models.DateTimeField(
        null=True, blank=True, help_text="Lease of the worker sending it now."
    )
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = WebhookDeliveryQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "webhook deliveries"
        indexes = [
            models.Index(fields=["endpoint", "-created_at"]),
            models.Index(fields=["workspace", "-created_at"]),
            models.Index(fields=["status", "next_attempt_at"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "endpoint"],
                condition=models.Q(event__isnull=False),
                name="webhook_delivery_once_per_event_endpoint",
            )
        ]

    def __str__(self) -> str:
        return f"{self.event_type} to {self.endpoint_id} ({self.status})"


class WebhookAttempt(models.Model):
    """One HTTP attempt: when, how it ended, how long it took, what the receiver said."""

    RESPONSE_BODY_LIMIT = 2000

    id = CuidField()
    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempts")
    attempted_at = models.DateTimeField()
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True)
    response_body = models.TextField(blank=True)
    succeeded = models.BooleanField(default=False)

    objects = WebhookAttemptQuerySet.as_manager()

    class Meta:
        ordering = ["attempted_at", "id"]
        indexes = [models.Index(fields=["delivery", "attempted_at"])]

    def __str__(self) -> str:
        return f"attempt of {self.delivery_id} at {self.attempted_at:%Y-%m-%d %H:%M:%S}"


class NotificationSent(models.Model):
    """One email sent (or being sent) for one reason to one recipient, so a retried task sends
    each email once. `key` is "<reason>:<kind>:<recipient>", e.g.
    "event:<event id>:customer:ann@example.com"; the row is claimed before sending and released
    if the send fails, so a retry sends exactly what was not sent yet."""

    id = CuidField()
    workspace = models.ForeignKey(
        "accounts.Workspace", on_delete=models.CASCADE, related_name="notifications_sent"
    )
    key = models.CharField(max_length=400, unique=True)
    kind = models.CharField(max_length=40)
    recipient = models.CharField(max_length=254)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-sent_at"]

    def __str__(self) -> str:
        return self.key


class WorkerHeartbeat(models.Model):
    """The last sign of life of each worker process, for `/readyz` and the metrics."""

    name = models.CharField(max_length=200, unique=True, help_text="kind@host:pid")
    beat_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} at {self.beat_at:%H:%M:%S}"
