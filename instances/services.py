"""Writes on program instances. The API, the admin, the dashboard and the demo call these.

Each write runs in one transaction that also records the outbox event
(`programInstance.created|updated|deleted`) carrying the instance exactly as the API returns it.
Rules enforced here, whatever the entry point:

- the program must be visible to the instance's workspace (public, or private to its org);
- eligibility criteria and formConfig are validated; `criteria_version` goes up by one whenever
  the criteria change (enrollments remember the version they were evaluated against);
- `endDate` after `startDate`;
- an archived instance is read-only: the only accepted change is a status change that restores
  it (to `active` or `inactive`);
- the status changes only through the FSM transitions, in `instance_set_status`;
- an instance with enrollments cannot be deleted (archive it instead).
"""

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, ProtectedError, RestrictedError
from django.utils import timezone
from django_fsm import can_proceed

from audit.services import audit_object, audit_snapshot
from config.errors import ConflictError, DomainValidationError, InvalidTransitionError
from config.slugs import save_with_unique_slug, slug_check_unchanged
from events.services import event_record
from instances.eligibility import validate_criteria
from instances.formconfig import form_config_validate
from instances.models import ProgramInstance
from instances.payloads import instance_payload
from instances.terms import terms_version_record
from programs.models import Program

EDITABLE_FIELDS = (
    "name",
    "description",
    "slug",
    "logo_url",
    "eligibility_criteria",
    "custom_terms",
    "form_config",
    "start_date",
    "end_date",
    "metadata",
    "auto_evaluate",
)
# What the audit log diffs of an instance.
AUDITED_FIELDS = (*EDITABLE_FIELDS, "status", "program")
STATUS_TRANSITIONS = {
    ProgramInstance.Status.ACTIVE: "activate",
    ProgramInstance.Status.INACTIVE: "deactivate",
    ProgramInstance.Status.ARCHIVED: "archive",
}


def instance_as_dict(*, instance: ProgramInstance) -> dict:
    """The instance as the API returns it (the event payload): the domain's payload."""
    return instance_payload(instance)


def _record(instance: ProgramInstance, type_: str, obj: dict | None = None, actor=None) -> None:
    event_record(
        workspace=instance.workspace,
        type=type_,
        obj=obj if obj is not None else instance_as_dict(instance=instance),
        program_instance_id=instance.pk,
        actor=actor,
    )


def _reject_nul(value: Any, path: str) -> None:
    """PostgreSQL cannot store NUL characters in text or jsonb; refuse them with a 400."""
    if isinstance(value, str):
        if "\x00" in value:
            raise DomainValidationError(
                f"{path} contains a NUL character, which cannot be stored.",
                details={path: ["Contains a NUL character."]},
            )
    elif isinstance(value, dict):
        for key, item in value.items():
            _reject_nul(key, path)
            _reject_nul(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _reject_nul(item, f"{path}[{index}]")


JSON_FIELD_NAMES = {
    "eligibility_criteria": "eligibilityCriteria",
    "form_config": "formConfig",
    "metadata": "metadata",
}


def _validate(fields: dict[str, Any]) -> dict[str, Any]:
    unknown = sorted(set(fields) - set(EDITABLE_FIELDS) - {"status"})
    if unknown:
        raise DomainValidationError(f"Unknown instance field(s): {', '.join(unknown)}.")
    if "name" in fields:
        name = (fields["name"] or "").strip()
        if not name:
            raise DomainValidationError(
                "name (or title) must not be blank.",
                details={"name": ["This field may not be blank."]},
            )
        fields["name"] = name
    for key, label in JSON_FIELD_NAMES.items():
        if key in fields:
            _reject_nul(fields[key], label)
    if "eligibility_criteria" in fields:
        fields["eligibility_criteria"] = validate_criteria(fields["eligibility_criteria"])
    if "form_config" in fields:
        fields["form_config"] = form_config_validate(fields["form_config"])
    if "metadata" in fields:
        if fields["metadata"] is None:
            fields["metadata"] = {}
        if not isinstance(fields["metadata"], dict):
            raise DomainValidationError(
                "metadata (customFields) must be an object.",
                details={"metadata": ["Must be an object."]},
            )
    for key in ("description", "custom_terms", "logo_url"):
        if key in fields and fields[key] is None:
            fields[key] = ""
    return fields


def _check_dates(start, end) -> None:
    if start is not None and end is not None and end <= start:
        raise DomainValidationError(
            "The end date must be after the start date.",
            details={"end_date": ["Must be after the start date."]},
        )


def _check_program_visible(*, workspace, program: Program) -> None:
    # Tenancy guard: an instance may only deploy a program its workspace can see.
    if not Program.objects.for_workspace(workspace).filter(pk=program.pk).exists():
        raise DomainValidationError(
            "No such program.", details={"program_slug": ["No such program."]}
        )


def program_accepts_instances(*, program: Program, now=None) -> None:
    """A program that is inactive or past its `endTime` gets no new instances (409 with the
    reason). The service checks it; the admin's form calls it too, to show it as a form error."""
    now = now or timezone.now()
    if not program.active:
        raise ConflictError(
            f"The program {program.name} is inactive, so it cannot get new instances.",
            details={"program_slug": program.slug},
        )
    if program.end_time and now > program.end_time:
        raise ConflictError(
            f"The program {program.name} ended on {program.end_time:%Y-%m-%d}, so it cannot get "
            "new instances.",
            details={"program_slug": program.slug},
        )


@transaction.atomic
def instance_create(
    *, workspace, program: Program, data: dict[str, Any], actor: Any = None
) -> ProgramInstance:
    fields = _validate(dict(data))
    _check_program_visible(workspace=workspace, program=program)
    program_accepts_instances(program=program)
    if not fields.get("name"):
        raise DomainValidationError(
            "name (or title) is required.", details={"name": ["This field is required."]}
        )
    status = fields.pop("status", ProgramInstance.Status.ACTIVE)
    if status not in (ProgramInstance.Status.ACTIVE, ProgramInstance.Status.INACTIVE):
        raise DomainValidationError(
            "A new instance starts active or inactive; archive it once it is done.",
            details={"status": ["Must be active or inactive."]},
        )
    _check_dates(fields.get("start_date"), fields.get("end_date"))
    wanted_slug = fields.pop("slug", None) or None
    instance = save_with_unique_slug(
        ProgramInstance,
        lambda slug: ProgramInstance(
            workspace=workspace, program=program, slug=slug, status=status, **fields
        ),
        name=fields["name"],
        wanted=wanted_slug,
        fallback="instance",
    )
    if instance.custom_terms:
        terms_version_record(instance=instance)
        instance.save(update_fields=["terms_version"])
    _record(instance, "programInstance.created", actor=actor)
    audit_object(instance, actor=actor, action="programInstance.created", fields=AUDITED_FIELDS)
    return instance


def _locked(instance: ProgramInstance) -> ProgramInstance:
    """Re-read the row under a lock, so concurrent writers apply one after the other."""
    return (
        ProgramInstance.objects.select_for_update(of=("self",))
        .select_related("program", "workspace")
        .get(pk=instance.pk)
    )


@transaction.atomic
def instance_update(
    *, instance: ProgramInstance, data: dict[str, Any], actor: Any = None
) -> ProgramInstance:
    """Apply the given fields (and a `status` change, through the FSM).

    Values equal to the current ones are not changes, so sending back a GET body is harmless;
    on an archived instance any real change other than restoring the status is a 409.
    """
    instance = _locked(instance)
    before = audit_snapshot(instance, AUDITED_FIELDS)
    fields = _validate(dict(data))
    slug_check_unchanged(instance.slug, fields.pop("slug", None))
    status = fields.pop("status", None)
    changes = {k: v for k, v in fields.items() if getattr(instance, k) != v}
    if instance.is_read_only and changes:
        raise ConflictError(
            "This program instance is archived and read-only. Restore it first with "
            'PATCH {"status": "inactive"} (or "active"), then edit it.',
            details={"status": ["archived"], "fields": sorted(changes)},
        )
    _check_dates(
        changes.get("start_date", instance.start_date), changes.get("end_date", instance.end_date)
    )
    if status is not None and status != instance.status:
        _transition(instance, status)
    elif not changes:
        return instance
    criteria_changed = "eligibility_criteria" in changes
    for key, value in changes.items():
        setattr(instance, key, value)
    if criteria_changed:
        instance.criteria_version = F("criteria_version") + 1
    if "custom_terms" in changes:
        terms_version_record(instance=instance)
    instance.save()
    if criteria_changed:
        instance.refresh_from_db(fields=["criteria_version"])
    _record(instance, "programInstance.updated", actor=actor)
    audit_object(
        instance,
        actor=actor,
        action="programInstance.updated",
        fields=AUDITED_FIELDS,
        before=before,
    )
    return instance


def _transition(instance: ProgramInstance, status: str) -> None:
    method = STATUS_TRANSITIONS.get(status)
    allowed = [t.target for t in instance.get_available_status_transitions() if t.target != status]
    if method is None:
        raise DomainValidationError(
            f"Unknown status {status!r}; use active, inactive or archived.",
            details={"status": [f"Unknown status: {status}"]},
        )
    transition = getattr(instance, method)
    if not can_proceed(transition):
        raise InvalidTransitionError(
            f"A program instance cannot go from {instance.status} to {status}.",
            details={"allowed": sorted(str(a) for a in allowed)},
        )
    transition()


@transaction.atomic
def instance_set_status(
    *, instance: ProgramInstance, status: str, actor: Any = None
) -> ProgramInstance:
    """activate / deactivate / archive (and restore an archived instance). Setting the
    current status again changes nothing and records no event."""
    instance = _locked(instance)
    if status == instance.status:
        return instance
    before = {"status": instance.status}
    _transition(instance, status)
    instance.save()
    _record(instance, "programInstance.updated", actor=actor)
    audit_object(
        instance,
        actor=actor,
        action="programInstance.statusChanged",
        fields=["status"],
        before=before,
    )
    return instance


@transaction.atomic
def instance_delete(*, instance: ProgramInstance, actor: Any = None) -> None:
    """Delete an instance that has no enrollments; otherwise a 409 that suggests archiving.

    Three guards, because an enrollment may be created concurrently: the count under the row
    lock, Django's PROTECT collector (ProtectedError), and the database's foreign key
    (IntegrityError)."""
    instance = _locked(instance)
    count = _enrollment_count(instance)
    if count:
        raise _delete_conflict(count)
    payload = instance_as_dict(instance=instance)
    audit_object(instance, actor=actor, action="programInstance.deleted", fields=AUDITED_FIELDS)
    try:
        with transaction.atomic():
            instance.delete()
    except (ProtectedError, RestrictedError, IntegrityError):
        raise _delete_conflict(_enrollment_count(instance) or None) from None
    instance.pk = payload["id"]
    _record(instance, "programInstance.deleted", payload, actor=actor)


def _enrollment_count(instance: ProgramInstance) -> int:
    related = {rel.get_accessor_name() for rel in ProgramInstance._meta.related_objects}
    if "enrollments" not in related:
        return 0
    return instance.enrollments.count()


def _delete_conflict(count: int | None) -> ConflictError:
    what = f"{count} enrollment(s)" if count else "enrollments"
    return ConflictError(
        f"This program instance has {what}, so it cannot be deleted (no enrollment is ever "
        'lost). Archive it instead: PATCH {"status": "archived"}.',
        details={"enrollments": count, "suggestion": "archive"},
    )
