"""Dashboard-only state: a member's saved, named filters of the enrollments list."""

from django.conf import settings
from django.db import models

from accounts.querysets import WorkspaceOwnedQuerySet
from config.ids import CuidField


class SavedFilterQuerySet(WorkspaceOwnedQuerySet):
    pass


class SavedFilter(models.Model):
    """A named query string of the enrollments list (filters, sort, page size, columns), kept
    per user and workspace: "My NY submissions", "Needs a serial number"."""

    id = CuidField()
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_filters"
    )
    workspace = models.ForeignKey(
        "accounts.Workspace", on_delete=models.CASCADE, related_name="saved_filters"
    )
    name = models.CharField(max_length=80)
    query = models.CharField(max_length=2000, help_text="The list's query string, without '?'.")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SavedFilterQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "workspace", "name"], name="saved_filter_name_unique_per_user"
            )
        ]

    def __str__(self) -> str:
        return self.name
