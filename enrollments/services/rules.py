"""The rules a new or changed enrollment must meet before it is written: one implementation for
one row (`enrollment_create`, `enrollment_update`) and for a chunk (the importer).

A rule added later (a capacity, a budget, a document) is added here once and every door has
it. Each rule reads the database once for the whole list, so a chunk of 500 rows costs the
same few queries as one row. The uniqueness rules are also database constraints
(`Enrollment.Meta.constraints`): this check gives the plain answer before the write; the
constraint holds when two writers race, and `refusal_after_conflict` turns its violation back
into the same answer.
"""

from collections import defaultdict
from collections.abc import Iterable

from django.db.models.functions import Upper

from config.errors import ConflictError, DomainError
from enrollments.models import Enrollment
from enrollments.statuses import CLOSED_STATUSES, ENROLLED_STATUSES


def serial_key(serial: str | None) -> str:
    """The serial number as the database compares it (the unique index is on UPPER)."""
    return (serial or "").strip().upper()


def duplicate_refusal(email: str, holder_pk: str, holder_status: str) -> ConflictError:
    return ConflictError(
        f"{email} already has an open enrollment in this program instance "
        f"({holder_pk}, {holder_status}).",
        details={"enrollment_id": holder_pk, "status": holder_status},
    )


def serial_refusal(serial: str, holder_pk: str) -> ConflictError:
    return ConflictError(
        f"The device with serial number {serial} is already enrolled in this program "
        "instance by another customer.",
        details={"enrollment_id": holder_pk, "serial_number": serial},
    )


def excluded_refusal(email: str, clash: list[str]) -> ConflictError:
    return ConflictError(
        f"{email} is enrolled in {', '.join(clash)}, which this program instance excludes "
        "(its eligibility criteria exclude customers of those programs).",
        details={"exclude_program_slugs": clash},
    )


def _excluded_slugs(instance) -> set[str]:
    criteria = instance.eligibility_criteria
    if not isinstance(criteria, dict):
        return set()
    return set(criteria.get("excludeProgramSlugs") or [])


def enrolled_program_slugs_many(
    *, customer_ids: Iterable[str], exclude_pks: Iterable[str] = ()
) -> dict[str, set[str]]:
    """customer id -> program and instance slugs the customer takes part in or applied to
    (submitted or approved), in one query, for `excludeProgramSlugs` (which may name either)."""
    rows = (
        Enrollment.objects.filter(customer_id__in=list(customer_ids), status__in=ENROLLED_STATUSES)
        .exclude(pk__in=list(exclude_pks))
        .values_list("customer_id", "program_instance__program__slug", "program_instance__slug")
    )
    slugs: dict[str, set[str]] = defaultdict(set)
    for customer_id, program_slug, instance_slug in rows:
        slugs[customer_id] |= {program_slug, instance_slug}
    return slugs


def _open_rows(instance):
    return Enrollment.objects.filter(program_instance=instance).exclude(status__in=CLOSED_STATUSES)


def enrollment_rules_check(*, instance, enrollments: list[Enrollment]) -> dict[str, DomainError]:
    """enrollment pk -> why it may not be written, for the rows of `instance` that break a
    rule (the first rule each breaks). `instance` may be its pk when every row is saved
    (only the serial numbers are checked then). Rows not yet saved are new enrollments: the instance
    must be open, their customer must have no open enrollment here and none in an excluded
    program. Every row's serial number must not be another open enrollment's here. (The
    fields an instance's form requires are the lifecycle's guard of `submitted`, where the
    rule is about the data's completeness, not its creation.) The rows themselves count: a
    list holding one device twice refuses the second."""
    refusals: dict[str, DomainError] = {}
    new = [e for e in enrollments if e._state.adding]
    if new:
        block = instance.enrollment_block_reason()
        if block:
            error = ConflictError(block, details={"program_instance_id": instance.pk})
            refusals.update((e.pk, error) for e in new)
            new = []
    _check_duplicates(instance, new, refusals)
    _check_excluded_programs(instance, [e for e in new if e.pk not in refusals], refusals)
    _check_serial_numbers(instance, [e for e in enrollments if e.pk not in refusals], refusals)
    return refusals


def _check_duplicates(instance, new: list[Enrollment], refusals: dict) -> None:
    if not new:
        return
    holders = {
        customer_id: (pk, status)
        for customer_id, pk, status in _open_rows(instance)
        .filter(customer_id__in=list({e.customer_id for e in new}))
        .values_list("customer_id", "pk", "status")
    }
    for enrollment in new:
        holder = holders.get(enrollment.customer_id)
        if holder is not None:
            refusals[enrollment.pk] = duplicate_refusal(enrollment.email, *holder)
        else:
            holders[enrollment.customer_id] = (enrollment.pk, enrollment.status)


def _check_excluded_programs(instance, new: list[Enrollment], refusals: dict) -> None:
    if not new:
        return
    excluded = _excluded_slugs(instance)
    if not excluded:
        return
    enrolled = enrolled_program_slugs_many(customer_ids={e.customer_id for e in new})
    for enrollment in new:
        clash = sorted(enrolled.get(enrollment.customer_id, set()) & excluded)
        if clash:
            refusals[enrollment.pk] = excluded_refusal(enrollment.email, clash)


def _check_serial_numbers(instance, rows: list[Enrollment], refusals: dict) -> None:
    keyed = [(serial_key(e.serial_number), e) for e in rows if serial_key(e.serial_number)]
    if not keyed:
        return
    holders = dict(
        _open_rows(instance)
        .annotate(serial_key=Upper("serial_number"))
        .filter(serial_key__in=list({key for key, _ in keyed}))
        .exclude(pk__in=[e.pk for _, e in keyed if not e._state.adding])
        .values_list("serial_key", "pk")
    )
    for key, enrollment in keyed:
        holder = holders.get(key)
        if holder is not None and holder != enrollment.pk:
            refusals[enrollment.pk] = serial_refusal(enrollment.serial_number, holder)
        else:
            holders[key] = enrollment.pk


def refusal_after_conflict(instance, enrollment: Enrollment) -> DomainError | None:
    """After a unique violation on writing `enrollment` (a simultaneous writer won): the
    rule it now breaks, in the words of the check, or None if it breaks none (then the
    violation was something else and the caller re-raises it)."""
    return enrollment_rules_check(instance=instance, enrollments=[enrollment]).get(enrollment.pk)
