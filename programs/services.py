"""Writes on the program catalog. The API, the admin and the demo all create and edit programs
here, so the state index rows, slug rules and visibility rules hold whatever the entry point."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction

from accounts.models import Organization
from audit.actors import actor_workspace
from audit.services import audit_object, audit_snapshot
from config.errors import ConflictError, DomainValidationError
from config.slugs import save_with_unique_slug, slug_check_unchanged
from config.states import US_STATES
from programs.models import Program, ProgramState

_UNSET: Any = object()
# What the audit log diffs of a program. Programs belong to no workspace: the entry goes to the
# actor's workspace (an API key's or a dashboard member's), or none (a superuser in the admin).
AUDITED_FIELDS = (
    "name", "slug", "description", "type", "states", "active", "visibility", "organization",
    "year", "end_time",
)  # fmt: skip
YEAR_RANGE = (1900, 2200)


@dataclass(frozen=True)
class ProgramData:
    """The writable fields of a program. `_UNSET` (the default) leaves a field as it is."""

    name: str = _UNSET
    slug: str | None = _UNSET
    description: str = _UNSET
    type: str = _UNSET
    states: list[str] = _UNSET
    active: bool = _UNSET
    visibility: str = _UNSET
    organization: Organization | None = _UNSET
    year: int | None = _UNSET
    end_time: datetime | None = _UNSET

    def given(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v is not _UNSET}


def program_states_normalize(states: Any) -> list[str]:
    """Upper-case, de-duplicate (keeping order) and validate US two-letter codes."""
    if not isinstance(states, list | tuple) or not all(isinstance(s, str) for s in states):
        raise DomainValidationError(
            'states must be a list of US two-letter codes, e.g. ["NY", "NJ"].',
            details={"states": ["Must be a list of strings."]},
        )
    if any(not s.strip() for s in states):
        raise DomainValidationError(
            "states must not contain blank codes.", details={"states": ["Blank state code."]}
        )
    codes: list[str] = []
    for raw in states:
        code = raw.strip().upper()
        if code not in codes:
            codes.append(code)
    bad = [c for c in codes if c not in US_STATES]
    if bad:
        raise DomainValidationError(
            f"Unknown US state code(s): {', '.join(bad)}. Use two-letter USPS codes such as CA.",
            details={"states": [f"Unknown state: {c}" for c in bad]},
        )
    return codes


def program_organization_resolve(*, reference: str) -> Organization:
    """An organization by id or by slug. The spec's example sends `organizationId:
    "org_123456"`, a human-readable reference, so both forms are accepted."""
    organization = (
        Organization.objects.filter(pk=reference).first()
        or Organization.objects.filter(slug=reference).first()
    )
    if organization is None:
        raise DomainValidationError(
            f"No organization has the id or slug '{reference}'.",
            details={"organization_id": [f"Unknown organization: {reference}"]},
        )
    return organization


def _validate(fields: dict[str, Any]) -> dict[str, Any]:
    if "name" in fields:
        name = (fields["name"] or "").strip()
        if not name:
            raise DomainValidationError(
                "name must not be blank.", details={"name": ["This field may not be blank."]}
            )
        fields["name"] = name
    if "type" in fields and fields["type"] not in ("", *Program.Type.values):
        raise DomainValidationError(
            f"type must be one of {', '.join(Program.Type.values)}.",
            details={"type": [f"Unknown type: {fields['type']}"]},
        )
    if "visibility" in fields and fields["visibility"] not in Program.Visibility.values:
        raise DomainValidationError(
            "visibility must be public or private.",
            details={"visibility": [f"Unknown visibility: {fields['visibility']}"]},
        )
    if "states" in fields:
        fields["states"] = program_states_normalize(fields["states"])
    year = fields.get("year")
    if year is not None and not (YEAR_RANGE[0] <= year <= YEAR_RANGE[1]):
        raise DomainValidationError(
            f"year must be between {YEAR_RANGE[0]} and {YEAR_RANGE[1]}.",
            details={"year": ["Out of range."]},
        )
    return fields


def _check_visibility(program: Program) -> None:
    if program.visibility == Program.Visibility.PRIVATE and program.organization_id is None:
        raise DomainValidationError(
            "A private program needs organizationId: the organization that may see it.",
            details={"organization_id": ["Required for private programs."]},
        )


def program_states_sync(*, program: Program) -> None:
    """Make the ProgramState rows equal to `program.states` (the filter index)."""
    wanted = set(program.states or [])
    have = set(ProgramState.objects.filter(program=program).values_list("state", flat=True))
    if have - wanted:
        ProgramState.objects.filter(program=program, state__in=have - wanted).delete()
    if wanted - have:
        ProgramState.objects.bulk_create(
            [ProgramState(program=program, state=s) for s in sorted(wanted - have)]
        )


@transaction.atomic
def program_create(*, data: ProgramData, actor: Any = None) -> Program:
    fields = _validate(data.given())
    if not fields.get("name"):
        raise DomainValidationError(
            "name is required.", details={"name": ["This field is required."]}
        )
    wanted_slug = fields.pop("slug", None)
    is_public = fields.get("visibility", Program.Visibility.PUBLIC) == Program.Visibility.PUBLIC
    if is_public and fields.get("organization") is not None:
        raise DomainValidationError(
            "Only private programs belong to an organization; drop organizationId or set "
            "visibility to private.",
            details={"organization_id": ["Only allowed for private programs."]},
        )

    def build(slug: str) -> Program:
        program = Program(slug=slug, **fields)
        _check_visibility(program)
        return program

    program = save_with_unique_slug(
        Program, build, name=fields["name"], wanted=wanted_slug, fallback="program"
    )
    program_states_sync(program=program)
    audit_object(
        program,
        actor=actor,
        action="program.created",
        fields=AUDITED_FIELDS,
        workspace=actor_workspace(actor),
    )
    return program


def program_foreign_instance_orgs(*, program: Program, organization_id: str | None) -> list[str]:
    """Names of other organizations that run instances of this program."""
    if program.pk is None:
        return []
    foreign = (
        program.instances.exclude(workspace__organization_id=organization_id)
        .values_list("workspace__organization__name", flat=True)
        .distinct()
    )
    return sorted(foreign)


@transaction.atomic
def program_update(*, program: Program, data: ProgramData, actor: Any = None) -> Program:
    """Apply the given fields to the locked row. Making a program private is refused while
    other organizations run instances of it (they would lose sight of their own program)."""
    program = Program.objects.select_for_update().get(pk=program.pk)
    before = audit_snapshot(program, AUDITED_FIELDS)
    fields = _validate(data.given())
    slug_check_unchanged(program.slug, fields.pop("slug", None))
    for key, value in fields.items():
        setattr(program, key, value)
    if program.visibility == Program.Visibility.PUBLIC and fields.get("organization"):
        raise DomainValidationError(
            "Only private programs belong to an organization; drop organizationId or set "
            "visibility to private.",
            details={"organization_id": ["Only allowed for private programs."]},
        )
    if program.visibility == Program.Visibility.PUBLIC:
        # Public programs have no owner; switching to public drops it.
        program.organization = None
    _check_visibility(program)
    if program.visibility == Program.Visibility.PRIVATE:
        names = program_foreign_instance_orgs(
            program=program, organization_id=program.organization_id
        )
        if names:
            raise ConflictError(
                "Other organizations run instances of this program, so it cannot be private to "
                f"one organization: {', '.join(names)}.",
                details={"visibility": [f"Used by: {', '.join(names)}"]},
            )
    program.save()
    program_states_sync(program=program)
    audit_object(
        program,
        actor=actor,
        action="program.updated",
        fields=AUDITED_FIELDS,
        before=before,
        workspace=actor_workspace(actor),
    )
    return program
