"""The audit log: who did what to which management object, with the fields it changed.

Append-only. Rows are written by `audit.services.audit_record`, called by the services inside the
change's own transaction (so an entry exists if and only if the change does). Nothing in the
application may change or delete a row: `save()` on an existing row, `delete()`, and the
queryset's `update()` / `delete()` raise `AuditLogImmutable`. The only way rows leave is the
retention command (`manage.py prune_audit_log`), which deletes by age with `prune()`.
"""

from django.db import models
from django.utils import timezone

from accounts.querysets import WorkspaceOwnedQuerySet
from config.ids import CuidField
from config.request_context import current_idempotency_key


class AuditLogImmutable(Exception):
    """Raised when code tries to change or delete an audit entry."""

    def __init__(self, what: str = "changed or deleted") -> None:
        super().__init__(f"Audit entries are append-only and cannot be {what}.")


class AuditEntryQuerySet(WorkspaceOwnedQuerySet):
    def update(self, **kwargs):
        raise AuditLogImmutable("updated")

    def delete(self):
        raise AuditLogImmutable("deleted")

    def prune(self, *, before) -> int:
        """Delete the entries older than `before` (retention only). Returns how many.

        `_raw_delete` is a single DELETE ... WHERE at < before, bypassing the guard above on
        purpose: retention is the one sanctioned way for entries to go.
        """
        return self.filter(at__lt=before)._raw_delete(self.db)


class AuditEntry(models.Model):
    class ActorType(models.TextChoices):
        USER = "user", "User"
        API_KEY = "apiKey", "API key"
        SYSTEM = "system", "System"
        PUBLIC = "public", "Public page"

    id = CuidField()
    at = models.DateTimeField(default=timezone.now, editable=False)
    # Null for platform-wide changes made outside any workspace (a superuser editing the program
    # catalog in the admin); those are visible to superusers in the admin only.
    workspace = models.ForeignKey(
        "accounts.Workspace",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="audit_entries",
    )
    actor_type = models.CharField(max_length=10, choices=ActorType.choices)
    actor_id = models.CharField(max_length=25, blank=True)
    actor_name = models.CharField(max_length=200, blank=True)
    action = models.CharField(max_length=64)
    object_type = models.CharField(max_length=40)
    object_id = models.CharField(max_length=25, blank=True)
    object_repr = models.CharField(max_length=200, blank=True)
    changes = models.JSONField(default=dict, blank=True, help_text="{field: [before, after]}")
    details = models.JSONField(default=dict, blank=True, help_text="e.g. a bulk run's counts")
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    # The Idempotency-Key of the API request that made the change ("" otherwise), so the log
    # ties a write to the client's retry-safe request (and to the rows it created).
    idempotency_key = models.CharField(
        max_length=255,
        blank=True,
        editable=False,
        default=current_idempotency_key,
        help_text="The Idempotency-Key of the API request that made the change.",
    )

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = "audit entry"
        verbose_name_plural = "audit log"
        # One index per filter of GET /auditLog and the Activity page, each ending in the list's
        # order so a page is read in index order; `at` alone serves retention.
        indexes = [
            models.Index(fields=["workspace", "-at", "-id"], name="audit_ws_at_idx"),
            models.Index(
                fields=["workspace", "object_type", "object_id", "-at"], name="audit_ws_object_idx"
            ),
            models.Index(fields=["workspace", "actor_id", "-at"], name="audit_ws_actor_idx"),
            models.Index(fields=["workspace", "action", "-at"], name="audit_ws_action_idx"),
            models.Index(fields=["at"], name="audit_at_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.object_type} {self.object_id} by {self.actor_name}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AuditLogImmutable("changed")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditLogImmutable("deleted")

    @property
    def actor(self) -> dict:
        return {"type": self.actor_type, "id": self.actor_id, "name": self.actor_name}
