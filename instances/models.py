"""ProgramInstance: one workspace's deployment of a program (branding, rules, form, dates)."""

from django.db import models
from django.utils import timezone
from django_fsm import FSMField, FSMModelMixin, transition

from config.ids import CuidField
from config.versioning import VersionedModel
from instances.querysets import ProgramInstanceQuerySet


class ProgramInstance(FSMModelMixin, VersionedModel):
    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        INACTIVE = "inactive", "Inactive"
        ARCHIVED = "archived", "Archived"

    id = CuidField()
    program = models.ForeignKey(
        "programs.Program", on_delete=models.PROTECT, related_name="instances"
    )
    workspace = models.ForeignKey(
        "accounts.Workspace", on_delete=models.PROTECT, related_name="program_instances"
    )
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    slug = models.SlugField(max_length=120, unique=True)
    logo_url = models.URLField(max_length=500, blank=True)
    eligibility_criteria = models.JSONField(
        null=True, blank=True, help_text="A string for people, or an object of rules."
    )
    criteria_version = models.PositiveIntegerField(
        default=1, help_text="Bumped whenever eligibility_criteria changes."
    )
    custom_terms = models.TextField(blank=True)
    terms_version = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="Current version of custom_terms (TermsVersion); null: none.",
    )
    form_config = models.JSONField(default=dict, blank=True)
    start_date = models.DateTimeField(null=True, blank=True)
    end_date = models.DateTimeField(null=True, blank=True)
    # Protected: only the transitions below (called by instances.services) change the status.
    status = FSMField(max_length=16, choices=Status.choices, default=Status.ACTIVE, protected=True)
    metadata = models.JSONField(default=dict, blank=True)
    auto_evaluate = models.BooleanField(
        default=False,
        help_text="Evaluate eligibility as soon as an enrollment is created (the spec's "
        "automated evaluation).",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ProgramInstanceQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["workspace", "status"]),
            models.Index(fields=["workspace", "-created_at"]),
            models.Index(fields=["workspace", "start_date", "end_date"]),
            models.Index(fields=["workspace", "program"], name="instance_ws_program_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(start_date__isnull=True)
                | models.Q(end_date__isnull=True)
                | models.Q(end_date__gt=models.F("start_date")),
                name="instance_end_after_start",
            )
        ]

    def __str__(self) -> str:
        return self.name

    # --- lifecycle (call through instances.services.instance_set_status) ------------------
    @transition(field=status, source=[Status.INACTIVE, Status.ARCHIVED], target=Status.ACTIVE)
    def activate(self):
        """Open for enrollments (also restores an archived instance)."""

    @transition(field=status, source=[Status.ACTIVE, Status.ARCHIVED], target=Status.INACTIVE)
    def deactivate(self):
        """Paused: visible, editable, but takes no new enrollments."""

    @transition(field=status, source=[Status.ACTIVE, Status.INACTIVE], target=Status.ARCHIVED)
    def archive(self):
        """Read-only: kept for its enrollments' history."""

    @property
    def is_read_only(self) -> bool:
        return self.status == self.Status.ARCHIVED

    def enrollment_block_reason(self, now=None) -> str | None:
        """Why this instance cannot take a new enrollment now, or None if it can.

        Checks the parent program (active, not ended), then the instance's status and dates.
        Callers should have `program` loaded (select_related) to avoid a query."""
        block = self.enrollment_block(now)
        return block[1] if block else None

    def enrollment_block(self, now=None) -> tuple[str, str] | None:
        """`(code, message)` of `enrollment_block_reason`: the code (program_inactive,
        program_ended, instance_inactive, instance_archived, not_started, ended) lets the public
        page say why in the customer's language, from this one rule."""
        now = now or timezone.now()
        if not self.program.active:
            return (
                "program_inactive",
                f"The program {self.program.name} is not accepting enrollments.",
            )
        if self.program.end_time and now > self.program.end_time:
            return (
                "program_ended",
                f"The program {self.program.name} ended on {self.program.end_time:%Y-%m-%d}.",
            )
        if self.status != self.Status.ACTIVE:
            return (
                f"instance_{self.status}",
                f"The program instance is {self.status}; enrollments need an active instance.",
            )
        if self.start_date and now < self.start_date:
            return "not_started", f"The program instance opens on {self.start_date:%Y-%m-%d}."
        if self.end_date and now > self.end_date:
            return "ended", f"The program instance closed on {self.end_date:%Y-%m-%d}."
        return None


class TermsVersion(models.Model):
    """One version of an instance's `customTerms`, kept forever: a customer's consent names the
    version and its SHA-256, so what they accepted can be shown years later even after the
    operator rewrote the terms. Written only by `instances.services` when the text changes."""

    id = CuidField()
    program_instance = models.ForeignKey(
        ProgramInstance, on_delete=models.CASCADE, related_name="terms_versions"
    )
    version = models.PositiveIntegerField()
    text = models.TextField()
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["program_instance", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["program_instance", "version"], name="terms_version_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.program_instance_id} terms v{self.version}"
