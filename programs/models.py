"""Program: a general offering (e.g. California DSGS) that workspaces deploy as instances."""

from django.db import models

from config.ids import CuidField
from config.versioning import VersionedModel
from programs.querysets import ProgramQuerySet


class Program(VersionedModel):
    class Type(models.TextChoices):
        DEMAND_RESPONSE = "demand_response", "Demand response"
        GRID_SERVICES = "grid_services", "Grid services"
        REBATE = "rebate", "Rebate"
        ENERGY_EFFICIENCY = "energy_efficiency", "Energy efficiency"
        VPP = "vpp", "Virtual power plant"
        TIME_OF_USE = "time_of_use", "Time-of-use rate"

    class Visibility(models.TextChoices):
        PUBLIC = "public", "Public"
        PRIVATE = "private", "Private"

    id = CuidField()
    slug = models.SlugField(max_length=120, unique=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    type = models.CharField(max_length=32, choices=Type.choices, blank=True, db_index=True)
    states = models.JSONField(
        default=list,
        blank=True,
        help_text="US two-letter codes, upper-cased. Mirrored into ProgramState for filtering.",
    )
    active = models.BooleanField(default=True, db_index=True)
    visibility = models.CharField(
        max_length=16, choices=Visibility.choices, default=Visibility.PUBLIC, db_index=True
    )
    organization = models.ForeignKey(
        "accounts.Organization",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="private_programs",
        help_text="Required for private programs: the only organization that sees it.",
    )
    year = models.PositiveIntegerField(null=True, blank=True, db_index=True)
    end_time = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ProgramQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        indexes = [
            # The visibility rule (public, or private to the caller's organization).
            models.Index(fields=["visibility", "organization"], name="program_visibility_org_idx"),
            models.Index(fields=["name", "id"], name="program_name_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(visibility="public") | models.Q(organization__isnull=False),
                name="private_program_has_organization",
            )
        ]

    def __str__(self) -> str:
        return self.name


class ProgramState(models.Model):
    """One row per (program, state) so that `GET /programs?state=NY` is an indexed lookup on
    every database (SQLite has no JSON `contains`). `Program.states` stays the source of truth
    for responses; `program_states_sync` keeps these rows equal to it inside the same write."""

    id = CuidField()
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="state_rows")
    state = models.CharField(max_length=2)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["program", "state"], name="program_state_unique")
        ]
        indexes = [models.Index(fields=["state", "program"], name="program_state_lookup_idx")]

    def __str__(self) -> str:
        return f"{self.program_id}:{self.state}"
