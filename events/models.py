"""Event: the outbox. Written in the same transaction as the change it describes."""

from django.db import models

from config.ids import CuidField
from events.querysets import EventQuerySet


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
    workspace = models.ForeignKey(
        "accounts.Workspace", on_delete=models.CASCADE, related_name="events"
    )
    type = models.CharField(max_length=64, choices=Type.choices)
    data = models.JSONField(help_text="{object: <as the API returns it>, previousStatus?}")
    enrollment_id = models.CharField(max_length=25, blank=True, db_index=True)
    program_instance_id = models.CharField(max_length=25, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["workspace", "-created_at"]),
            models.Index(fields=["workspace", "type", "-created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.type} {self.id}"
