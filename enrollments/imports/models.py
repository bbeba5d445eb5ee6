"""An import of candidates (one uploaded file or JSON body) and its per-row report.

The file's bytes are kept on the `Import` row until it has run, so that the background worker
(possibly on another machine) reads exactly what was checked at upload; they are cleared when
the import finishes.
"""

from django.conf import settings
from django.db import models

from accounts.querysets import WorkspaceOwnedQuerySet
from config.ids import CuidField


class ImportManager(models.Manager.from_queryset(WorkspaceOwnedQuerySet)):
    """Imports without their stored file (`source`, up to IMPORT_MAX_BYTES each): lists,
    progress polls and the worker's claim read many rows and never the file, which
    `enrollments.imports.storage` reads and writes as bytes."""

    def get_queryset(self):
        return super().get_queryset().defer("source")


class Import(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        COMPLETED = "completed", "Completed"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    FINISHED = (Status.COMPLETED, Status.FAILED, Status.CANCELLED)

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "Excel"
        JSON = "json", "JSON rows"

    id = CuidField()
    workspace = models.ForeignKey(
        "accounts.Workspace", on_delete=models.CASCADE, related_name="imports"
    )
    program_instance = models.ForeignKey(
        "instances.ProgramInstance", on_delete=models.CASCADE, related_name="imports"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    dry_run = models.BooleanField(default=False)
    evaluate = models.BooleanField(default=True)
    notify_eligible = models.BooleanField(
        default=False,
        help_text="Email the self-enrollment invitation to each row that becomes eligible.",
    )
    file_name = models.CharField(max_length=255, blank=True)
    file_format = models.CharField(max_length=8, choices=Format.choices)
    source = models.BinaryField(null=True, blank=True, editable=False)
    mapping = models.JSONField(default=dict, blank=True, help_text="Column header → field.")
    metadata_columns = models.JSONField(
        default=list, blank=True, help_text="Columns stored in the enrollments' metadata."
    )
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    eligible = models.PositiveIntegerField(default=0)
    ineligible = models.PositiveIntegerField(default=0)
    invited = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    cancel_requested = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by_api_key = models.ForeignKey(
        "accounts.ApiKey", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=200, default="system")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = ImportManager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["workspace", "-created_at", "-id"], name="import_ws_created_idx")
        ]

    def __str__(self) -> str:
        return f"{self.file_name or 'rows'} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status in self.FINISHED

    @property
    def percent(self) -> int:
        return int(100 * self.processed_rows / self.total_rows) if self.total_rows else 100


class ImportRow(models.Model):
    """One row of the report: what happened to row `row_number` of the file (1 = the first
    row under the header)."""

    class Result(models.TextChoices):
        CREATED = "created", "Created"
        UPDATED = "updated", "Updated"
        UNCHANGED = "unchanged", "Unchanged"
        FAILED = "failed", "Failed"

    id = models.BigAutoField(primary_key=True)
    # No single-column index: import_row_idx starts with it.
    import_run = models.ForeignKey(
        Import, on_delete=models.CASCADE, related_name="rows", db_index=False
    )
    row_number = models.PositiveIntegerField()
    result = models.CharField(max_length=16, choices=Result.choices)
    enrollment_id = models.CharField(max_length=25, blank=True)
    errors = models.JSONField(default=list, blank=True, help_text="[{field, message}]")
    eligible = models.BooleanField(null=True, blank=True)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["row_number"]
        indexes = [
            models.Index(fields=["import_run", "result", "row_number"], name="import_row_idx")
        ]

    def __str__(self) -> str:
        return f"row {self.row_number}: {self.result}"
