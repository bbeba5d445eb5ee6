"""One chunk of an import: validate the rows, match them to the instance's enrollments, write
the new and changed ones with bulk SQL, evaluate them set-based, and return the report rows.

A row is checked as `enrollment_create` checks one: its cells by the enrollment's input spec
(`enrollments.inputs.clean_input`), then the new and changed enrollments of the chunk by the
one rules check (`enrollments.services.rules.enrollment_rules_check`: open instance,
duplicates, excluded programs, serial numbers), once per chunk. Only the writes differ: bulk
INSERT/UPDATE per chunk, with the database's unique constraints as the last word.
"""

from dataclasses import dataclass, field

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext

from config.bulk_insert import build_objects, insert_objects, insert_rows
from config.errors import DomainValidationError
from config.ids import new_id
from enrollments.imports.columns import body_of, domain_data, report_errors
from enrollments.imports.models import Import, ImportRow
from enrollments.inputs.spec import (
    ADDRESS_FIELDS,
    DETAIL_FIELDS,
    PERSON_FIELDS,
    clean_input,
    missing_person_fields,
)
from enrollments.models import (
    CLOSED_STATUSES,
    Customer,
    Enrollment,
    EnrollmentSource,
    EnrollmentStatus,
)
from enrollments.services import bulk_evaluate
from enrollments.services._common import (
    _payloads,
    _refuse_status_fields,
    enrollment_sync_terms,
)
from enrollments.services.bulk_writes import payload_as
from enrollments.services.rules import enrollment_rules_check
from events.services import event_record_many

FIELDS = (*PERSON_FIELDS, *ADDRESS_FIELDS, *DETAIL_FIELDS)
R = ImportRow.Result


@dataclass
class _Row:
    number: int
    clean: dict | None = None
    errors: list[dict] = field(default_factory=list)
    result: str = R.FAILED
    enrollment: Enrollment | None = None
    eligible: bool | None = None
    reason: str = ""

    @property
    def key(self) -> tuple[str, str]:
        ref = self.clean.get("reference_id")
        return ("ref", ref) if ref else ("email", self.clean["email"])


def validate(number: int, body: dict) -> _Row:
    """One row checked as `enrollment_create` checks its data: the input spec (every refusal
    at once, with the person fields every enrollment needs)."""
    row = _Row(number)
    data = domain_data(body)
    details: dict = {}
    try:
        _refuse_status_fields(data)
        clean = clean_input(data)
    except DomainValidationError as exc:
        details, clean = dict(exc.details), None
    given = clean if clean is not None else data
    required = str(gettext("Every row needs the person's first name, last name and email."))
    for name in missing_person_fields(given):
        details.setdefault(name, [required])
    if details:
        row.errors = report_errors(details)
        return row
    row.clean = clean
    return row


def _apply(enrollment: Enrollment, clean: dict) -> list[str]:
    """Set the row's given values on the enrollment; the names of those that changed.
    Metadata is merged (a file's columns add or change keys, never drop others)."""
    changed = []
    for name in FIELDS:
        if name not in clean or (name == "reference_id" and not clean[name]):
            continue
        value = clean[name]
        if name == "metadata":
            value = {**(enrollment.metadata or {}), **value}
        if getattr(enrollment, name) != value:
            setattr(enrollment, name, value)
            changed.append(name)
    return changed


def validate_chunk(*, header, mapping, records) -> list[_Row]:
    """Rows `records` [(number, cells)] validated: pure Python, no database, so the import
    runs it for the next chunk in a second thread while this chunk's SQL runs."""
    return [validate(number, body_of(header, cells, mapping)) for number, cells in records]


def process_chunk(*, imp: Import, instance, rows: list[_Row], actor) -> list[_Row]:
    """Validated rows of `imp` (`validate_chunk`) matched, written and evaluated; writes
    nothing on a dry run. Runs inside the caller's transaction (the chunk and its report
    commit together)."""
    valid = [row for row in rows if row.clean is not None]
    refs = {r.clean["reference_id"] for r in valid if r.clean.get("reference_id")}
    emails = {r.clean["email"] for r in valid if not r.clean.get("reference_id")}
    # By workspace + reference, then workspace + email (their indexes), not by instance: an
    # instance with 100,000 enrollments would be scanned once per chunk. Two queries, not an
    # OR of both lists, which the planner answered with a scan of the table.
    mine = Enrollment.objects.filter(workspace_id=imp.workspace_id).exclude(
        status__in=CLOSED_STATUSES
    )
    existing = sorted(
        {
            e.pk: e
            for e in (
                *(mine.filter(reference_id__in_array=refs) if refs else ()),
                *(mine.filter(email__in_array=emails) if emails else ()),
            )
        }.values(),
        key=lambda e: e.created_at,
    )
    index: dict[tuple[str, str], Enrollment] = {}
    for enrollment in existing:
        if enrollment.program_instance_id != instance.pk:
            continue
        enrollment.program_instance = instance
        if enrollment.reference_id in refs:
            index.setdefault(("ref", enrollment.reference_id), enrollment)
        if enrollment.email in emails:
            index.setdefault(("email", enrollment.email), enrollment)
    new: dict[str, Enrollment] = {}
    dirty: dict[str, tuple[Enrollment, set[str]]] = {}
    firsts: dict = {}  # each unmatched person's first row in the file makes the enrollment
    for row in valid:
        if row.key not in index:
            firsts.setdefault(row.key, row)
    made = dict(
        zip(
            firsts,
            build_objects(
                Enrollment,
                [{k: row.clean[k] for k in FIELDS if k in row.clean} for row in firsts.values()],
                workspace_id=imp.workspace_id,
                program_instance=instance,
                identification_type="customerInfo",
                source=EnrollmentSource.IMPORT,
            ),
            strict=True,
        )
    )
    for row in valid:
        target = index.get(row.key)
        if target is None:
            target = made[row.key]
            index[row.key] = new[target.pk] = target
            row.result, row.enrollment = R.CREATED, target
            continue
        changed = _apply(target, row.clean)
        row.enrollment = target
        if target.pk in new:
            row.result = R.UPDATED if changed else R.UNCHANGED
        elif changed:
            row.result = R.UPDATED
            dirty.setdefault(target.pk, (target, set()))[1].update(changed)
        else:
            row.result = R.UNCHANGED
    if not imp.dry_run:
        _write(imp=imp, instance=instance, new=new, dirty=dirty, rows=valid, actor=actor)
    if imp.evaluate:
        _evaluate(imp=imp, instance=instance, rows=valid, actor=actor)
    return rows


def _customers(workspace_id: str, enrollments: list[Enrollment]) -> tuple[dict, set[str]]:
    """email -> the workspace's customer id, creating the missing customers (bulk; a
    concurrent import's customer with the same email is reused), and the emails whose
    customer this chunk created."""
    emails = {e.email for e in enrollments}
    found = dict(
        Customer.objects.filter(workspace_id=workspace_id, email__in_array=emails).values_list(
            "email", "id"
        )
    )
    people: dict[str, dict] = {}
    for e in enrollments:
        if e.email not in found and e.email not in people:
            people[e.email] = {
                "id": new_id(),
                "workspace_id": workspace_id,
                **{k: getattr(e, k) for k in (*PERSON_FIELDS, *ADDRESS_FIELDS)},
            }
    written = insert_rows(Customer, list(people.values()), ignore_conflicts=True)
    made = {email for email, row in people.items() if row["id"] in written}
    found.update((email, people[email]["id"]) for email in made)
    taken = [email for email in people if email not in made]
    if taken:  # a concurrent import made them meanwhile
        found.update(
            Customer.objects.filter(workspace_id=workspace_id, email__in_array=taken).values_list(
                "email", "id"
            )
        )
    return found, made


def _write(*, imp, instance, new, dirty, rows, actor) -> None:
    customers, _made = _customers(imp.workspace_id, list(new.values()))
    for enrollment in new.values():
        enrollment.customer_id = customers[enrollment.email]
    # The one rules check, for the chunk's new rows and the changed rows whose device changed.
    reserialed = [e for e, changed in dirty.values() if "serial_number" in changed]
    refusals = enrollment_rules_check(instance=instance, enrollments=[*new.values(), *reserialed])
    # A duplicate may be this row's own person, enrolled by a concurrent import meanwhile.
    enrolled = [new[pk] for pk, e in refusals.items() if pk in new and "status" in e.details]
    refused: dict[str, dict | str] = {
        pk: _refusal_item(e) for pk, e in refusals.items() if pk not in {x.pk for x in enrolled}
    }
    if enrolled:
        _refuse_lost(instance, enrolled, new, refused)
    for enrollment in reserialed:
        if enrollment.pk in refused:  # left as it is: the row fails, nothing of it is written
            del dirty[enrollment.pk]
    candidates = [e for pk, e in new.items() if pk not in refused]
    # A real run with `evaluate` decides the new rows before their INSERT, so each is written
    # once, already decided; their created events show them as created (candidates).
    moves, verdicts = bulk_evaluate.evaluate_new(rows=candidates) if imp.evaluate else ([], {})
    inserted = insert_objects(candidates, ignore_conflicts=True)
    lost = [e for e in candidates if e.pk not in inserted]
    if lost:  # a concurrent writer enrolled the customer or the device first
        _refuse_lost(instance, lost, new, refused)
    created = [e for e in candidates if e.pk in inserted]
    now = timezone.now()
    for enrollment, _ in dirty.values():
        enrollment.updated_at, enrollment.version = now, F("version") + 1  # the API's ETag
    if dirty:
        names = {n for _, changed in dirty.values() for n in changed} | {"updated_at", "version"}
        Enrollment.objects.bulk_update([e for e, _ in dirty.values()], sorted(names))
    enrollment_sync_terms(enrollments=created, replace=False)
    retagged = [e for e, c in dirty.values() if {"tags", "manufacturer_slugs"} & c]
    if retagged:
        enrollment_sync_terms(enrollments=retagged)
    for row in rows:
        refusal = refused.get(row.enrollment.pk) if row.enrollment else None
        if isinstance(refusal, str):  # "same:<pk>": the person's enrollment written meanwhile
            row.result, row.enrollment = R.UNCHANGED, new[row.enrollment.pk]
        elif refusal:
            row.result, row.enrollment = R.FAILED, None
            row.errors = [refusal]
    changed = [e for e, _ in dirty.values()]
    payloads = dict(zip([e.pk for e in created], _payloads(created), strict=True))
    as_created = {
        pk: payload_as(payload, status=EnrollmentStatus.CANDIDATE, reason="")
        if pk in verdicts
        else payload
        for pk, payload in payloads.items()
    }
    items = [
        {"type": "enrollment.created", "obj": as_created[e.pk], "enrollment_id": e.pk}
        for e in created
    ]
    items += [
        {"type": "enrollment.updated", "obj": payload, "enrollment_id": e.pk}
        for e, payload in zip(changed, _payloads(changed), strict=True)
    ]
    for item in items:
        item["program_instance_id"] = instance.pk
    event_record_many(workspace=imp.workspace_id, items=items)
    bulk_evaluate.write_moves(moves, {e.pk: e for e in created}, actor=actor, payloads=payloads)
    for row in rows:  # every report row of an inserted enrollment (a file may name it twice)
        decided = row.result in (R.CREATED, R.UPDATED) and row.enrollment is not None
        verdict = verdicts.get(row.enrollment.pk) if decided else None
        if verdict is not None and row.enrollment.pk in inserted:
            row.eligible, row.reason = verdict.eligible, verdict.reason


def _refuse_lost(instance, lost: list[Enrollment], new: dict, refused: dict) -> None:
    """Rows the INSERT skipped on a unique constraint, or the rules check refused as
    duplicates: the same person's enrollment written meanwhile (the row then reports it,
    unchanged), or the rules check's answer now."""
    holders = {
        e.customer_id: e
        for e in Enrollment.objects.filter(
            program_instance=instance, customer_id__in={x.customer_id for x in lost}
        ).exclude(status__in=CLOSED_STATUSES)
    }
    for enrollment in lost:
        holder = holders.get(enrollment.customer_id)
        same = holder and (
            holder.reference_id == enrollment.reference_id
            or (not enrollment.reference_id and holder.email == enrollment.email)
        )
        if same:
            refused[enrollment.pk] = f"same:{holder.pk}"
            new[enrollment.pk] = holder
            continue
        error = enrollment_rules_check(instance=instance, enrollments=[enrollment]).get(
            enrollment.pk
        )
        refused[enrollment.pk] = (
            _refusal_item(error)
            if error
            else {"field": "", "message": gettext("A simultaneous change won; import it again.")}
        )


def _refusal_item(error) -> dict:
    """A rules check refusal as a report error: the field it is about, its words, and the
    enrollment it names (`enrollmentId`, as the API's 409 `details.enrollmentId`)."""
    details = error.details or {}
    item = {
        "field": "serialNumber" if "serial_number" in details else "",
        "message": error.message,
        "code": error.code,
    }
    if details.get("enrollment_id"):
        item["enrollmentId"] = details["enrollment_id"]
    return item


def _evaluate(*, imp, instance, rows, actor) -> None:
    """Created and updated candidates: set-based evaluation (real run; the created rows were
    decided before their INSERT, in `_write`) or the verdict alone (dry run: the same rules,
    nothing written)."""
    targets = {}
    wanted_results = (R.CREATED, R.UPDATED) if imp.dry_run else (R.UPDATED,)
    for row in rows:
        enrollment = row.enrollment
        wanted = row.result in wanted_results and enrollment is not None
        if wanted and enrollment.status == EnrollmentStatus.CANDIDATE:
            targets[enrollment.pk] = enrollment
    if not targets:
        return
    if imp.dry_run:
        from enrollments.selectors import enrollment_eligibility_subject_many
        from instances.eligibility import evaluate_for_instance

        subjects = enrollment_eligibility_subject_many(enrollments=list(targets.values()))
        verdicts = {  # the real run's rules: the criteria within the program's states
            pk: evaluate_for_instance(instance=instance, subject=subjects[pk]) for pk in targets
        }
    else:
        outcome = bulk_evaluate.evaluate_chunk(ids=list(targets), actor=actor)
        verdicts = {pk: verdict for pk, (result, verdict) in outcome.items() if result.ok}
    for row in rows:
        verdict = verdicts.get(row.enrollment.pk) if row.enrollment else None
        if verdict is not None and row.result in (R.CREATED, R.UPDATED):
            row.eligible, row.reason = verdict.eligible, verdict.reason


def report_rows(imp: Import, rows: list[_Row]) -> list[dict]:
    """The chunk's report rows ({ImportRow field: value}, for `insert_rows`)."""
    return [
        {
            "import_run_id": imp.pk,
            "row_number": row.number,
            "result": row.result,
            "enrollment_id": (
                row.enrollment.pk
                if row.enrollment and not (imp.dry_run and row.result == R.CREATED)
                else ""
            ),
            "errors": row.errors,
            "eligible": row.eligible,
            "reason": row.reason,
        }
        for row in rows
    ]
