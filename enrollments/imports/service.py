"""The import service: every door (API, dashboard, admin, CLI) calls these.

    import_preview(*, file_name, content, mapping=None) -> Preview   (checks the file; no write)
    import_start(*, workspace, instance, actor, file_name="", content=None, rows=None,
                 dry_run=False, evaluate=True, notify_eligible=False, mapping=None,
                 enqueue=True) -> Import
                 (queued; a 400/409 before anything is written)
    import_run(*, import_id, progress=None) -> Import      (the worker; chunk by chunk)
    import_cancel(*, imp, actor) -> Import                 (stops between chunks)
    import_repeat(*, imp, actor, dry_run, mapping=None, notify_eligible=None) -> Import
                 (a dry run's file again)

`notify_eligible`: in a real run, each row that became eligible in this import (a candidate
the chunk's evaluation made eligible) gets the self-enrollment invitation
(`enrollment_invite_many`, once per chunk); `Import.invited` counts the invitations sent. The
audit log records `import.started`, `import.cancelled` and, when the run finishes,
`enrollments.imported` with the counts.

A file is checked whole before anything is written (`ImportFileError`, a 400). The run reads
the file again as a stream, `IMPORT_CHUNK_SIZE` rows per transaction: each chunk's enrollments,
history, events and report rows commit together, then `processed_rows` moves on and a cancel
request is looked at.
"""

import json
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts import scopes as scope_names
from accounts.tenancy import Tenant
from audit.services import audit_record
from config.api.serializers import to_camel
from config.bulk_insert import insert_rows
from config.errors import ConflictError, NotFoundError
from enrollments.imports.columns import (
    FIELDS,
    json_row_cells,
    match_columns,
    metadata_columns,
)
from enrollments.imports.models import Import, ImportRow
from enrollments.imports.parsing import ImportFileError, Table, open_table
from enrollments.imports.reader import validated_chunks
from enrollments.imports.rows import process_chunk, report_rows
from enrollments.imports.storage import load_source, store_source
from enrollments.services._common import _require_scope
from enrollments.services.invitations import enrollment_invite_many

logger = logging.getLogger("gridprograms.imports")


@dataclass
class Preview:
    header: list[str]
    mapping: dict[str, str]
    metadata_columns: list[str]
    total_rows: int
    file_format: str


class _JsonTable:
    """`{"rows": [...]}` of the API, read like a file: the header is every key seen."""

    def __init__(self, rows: list[dict]):
        self.cells = [json_row_cells(row) for row in rows]
        self.header = list(dict.fromkeys(k for row in self.cells for k in row))
        self.total_rows = len(rows)
        self.file_format = Import.Format.JSON

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        for number, row in enumerate(self.cells, start=1):
            yield number, [row.get(column, "") for column in self.header]


def _json_table(rows) -> _JsonTable:
    if not isinstance(rows, list) or not rows:
        raise ImportFileError("rows must be a non-empty list of objects.")
    bad = next((i for i, row in enumerate(rows, start=1) if not isinstance(row, dict)), None)
    if bad:
        raise ImportFileError(f"rows[{bad}] is not an object; each row is {{field: value}}.")
    if len(rows) > settings.IMPORT_MAX_ROWS:
        raise ImportFileError(
            f"There are more than {settings.IMPORT_MAX_ROWS:,} rows; send them in parts."
        )
    return _JsonTable(rows)


def _table(*, file_name: str, content: bytes | None, rows) -> Table | _JsonTable:
    if rows is not None:
        return _json_table(rows)
    if content is None:
        raise ImportFileError("Send a file (a .csv or .xlsx) or rows.")
    return open_table(file_name=file_name, content=content)


def _checked_mapping(header: list[str], overrides: dict | None) -> dict[str, str]:
    mapping = match_columns(header, overrides)
    if not any(target in FIELDS for target in mapping.values()):
        raise ImportFileError(
            "No column matches an enrollment field. The first row must name the columns, e.g. "
            "First name, Last name, Email, Street, City, State, ZIP."
        )
    return mapping


def import_preview(*, file_name: str, content: bytes, mapping: dict | None = None) -> Preview:
    table = open_table(file_name=file_name, content=content)
    matched = _checked_mapping(table.header, mapping)
    return Preview(
        header=table.header,
        mapping=matched,
        metadata_columns=metadata_columns(matched),
        total_rows=table.total_rows,
        file_format=table.file_format,
    )


def import_start(
    *,
    workspace,
    instance,
    actor: Tenant | None,
    file_name: str = "",
    content: bytes | None = None,
    rows: list | None = None,
    dry_run: bool = False,
    evaluate: bool = True,
    notify_eligible: bool = False,
    mapping: dict | None = None,
    enqueue: bool = True,
) -> Import:
    """Check everything, record the import (queued) and hand it to the worker (`enqueue`;
    the CLI runs it itself with `import_run`)."""
    from enrollments.imports.tasks import import_run_task
    from events import tasks

    _require_scope(actor, scope_names.ENROLLMENTS_WRITE)
    if instance.workspace_id != workspace.pk:
        raise NotFoundError("No such program instance.")
    block = instance.enrollment_block_reason()
    if block:
        raise ConflictError(block, details={"programInstanceId": instance.pk})
    table = _table(file_name=file_name, content=content, rows=rows)
    matched = _checked_mapping(table.header, mapping)
    source = json.dumps(rows).encode() if rows is not None else content
    with transaction.atomic():
        imp = Import.objects.create(  # the file: store_source, below
            workspace=workspace,
            program_instance=instance,
            dry_run=dry_run,
            evaluate=evaluate,
            notify_eligible=notify_eligible,
            file_name=(file_name or "")[:255],
            file_format=table.file_format,
            mapping=matched,
            metadata_columns=metadata_columns(matched),
            total_rows=table.total_rows,
            created_by=actor.user if actor else None,
            created_by_api_key=actor.api_key if actor else None,
            actor_label=(actor.actor_label if actor else "system")[:200],
        )
        store_source(imp.pk, source)
        audit_record(
            workspace=workspace,
            actor=actor,
            action="import.started",
            object_type="import",
            object_id=imp.pk,
            details={
                "programInstanceId": instance.pk,
                "fileName": imp.file_name,
                "totalRows": imp.total_rows,
                "dryRun": dry_run,
                "evaluate": evaluate,
                "notifyEligible": notify_eligible,
            },
        )
        if enqueue:
            tasks.enqueue(import_run_task, imp.pk)
    return imp


def import_cancel(*, imp: Import, actor: Tenant | None) -> Import:
    """A queued import stops now; a running one after its current chunk (what it wrote stays,
    and the report says so). A finished import is a 409."""
    _require_scope(actor, scope_names.ENROLLMENTS_WRITE)
    with transaction.atomic():
        locked = Import.objects.select_for_update().get(pk=imp.pk)
        if locked.is_finished:
            raise ConflictError(f"This import is already {locked.status}.")
        locked.cancel_requested = True
        if locked.status == Import.Status.QUEUED:
            locked.status, locked.finished_at, locked.source = (
                Import.Status.CANCELLED,
                timezone.now(),
                None,
            )
        locked.save()
        audit_record(
            workspace=locked.workspace_id,
            actor=actor,
            action="import.cancelled",
            object_type="import",
            object_id=locked.pk,
            details={"status": locked.status, "processedRows": locked.processed_rows},
        )
    return locked


def _actor_of(imp: Import) -> Tenant:
    return Tenant(
        workspace=imp.workspace,
        scopes=frozenset({scope_names.ENROLLMENTS_WRITE}),
        user=imp.created_by,
        api_key=imp.created_by_api_key,
    )


def _claim(import_id: str) -> Import | None:
    with transaction.atomic():
        imp = (
            Import.objects.select_for_update()
            .select_related("workspace", "program_instance__program")
            .filter(pk=import_id)
            .first()
        )
        if imp is None or imp.status != Import.Status.QUEUED:
            return None  # a second delivery of the task, or cancelled meanwhile
        imp.status, imp.started_at = Import.Status.RUNNING, timezone.now()
        imp.save(update_fields=["status", "started_at"])
    return imp


def _source_table(imp):
    """The import's table again from its stored file (`imp`: an Import, or anything with the
    import's file_name, file_format and source bytes: the reader process's copy)."""
    content = (load_source(imp.pk) if isinstance(imp, Import) else imp.source) or b""
    if imp.file_format == Import.Format.JSON:
        return _JsonTable(json.loads(content))
    return open_table(file_name=imp.file_name, content=content)


COUNTS = ("processed_rows", "created", "updated", "unchanged", "failed", "eligible")
COUNTS += ("ineligible", "invited")


def _finish(imp: Import, status: str, error: str = "") -> None:
    """A dry run keeps its file, so that the dashboard's "Import" runs exactly what it checked.
    The audit entry (`enrollments.imported`, with the counts) names who started the import."""
    changes = {"status": status, "finished_at": timezone.now(), "error": error[:2000]}
    if not imp.dry_run:
        changes["source"] = None
    with transaction.atomic():
        Import.objects.filter(pk=imp.pk).update(**changes)
        counts = Import.objects.values(*COUNTS).get(pk=imp.pk)
        audit_record(
            workspace=imp.workspace_id,
            actor=_actor_of(imp),
            action="enrollments.imported",
            object_type="import",
            object_id=imp.pk,
            details={
                "status": status,
                "dryRun": imp.dry_run,
                "programInstanceId": imp.program_instance_id,
                **{to_camel(name): n for name, n in counts.items()},
            },
        )


def import_repeat(
    *,
    imp: Import,
    actor: Tenant | None,
    dry_run: bool,
    mapping: dict | None = None,
    notify_eligible: bool | None = None,
) -> Import:
    """A new import of a finished dry run's file (the dashboard: "Check again" with another
    column mapping, or "Import" for real)."""
    content = load_source(imp.pk) if imp.dry_run else None
    if content is None:
        raise ConflictError("Only a dry run's file can be imported again; upload the file.")
    is_json = imp.file_format == Import.Format.JSON
    return import_start(
        workspace=imp.workspace,
        instance=imp.program_instance,
        actor=actor,
        file_name=imp.file_name,
        content=None if is_json else content,
        rows=json.loads(content) if is_json else None,
        dry_run=dry_run,
        evaluate=imp.evaluate,
        notify_eligible=imp.notify_eligible if notify_eligible is None else notify_eligible,
        mapping=mapping if mapping is not None else imp.mapping,
    )


def _invite(imp: Import, rows, actor: Tenant) -> int:
    """The chunk's newly eligible rows get the self-enrollment invitation (real runs with
    `notify_eligible` only): one read for the chunk plus one task row per invitation. Rows that
    were already eligible are not evaluated again, so they are not invited again."""
    if imp.dry_run or not imp.notify_eligible:
        return 0
    newly = [
        row.enrollment
        for row in rows
        if row.eligible is True
        and row.enrollment is not None
        and row.result in (ImportRow.Result.CREATED, ImportRow.Result.UPDATED)
    ]
    if not newly:
        return 0
    return sum(result.ok for result in enrollment_invite_many(enrollments=newly, actor=actor))


def _run_chunk(imp: Import, validated: list, actor: Tenant) -> None:
    """One chunk: its enrollments, history, events, report rows and the import's counts."""
    rows = process_chunk(imp=imp, instance=imp.program_instance, rows=validated, actor=actor)
    insert_rows(ImportRow, report_rows(imp, rows))
    invited = _invite(imp, rows, actor)
    counts = {name: 0 for name in ImportRow.Result.values}
    for row in rows:
        counts[row.result] += 1
    Import.objects.filter(pk=imp.pk).update(
        processed_rows=F("processed_rows") + len(rows),
        eligible=F("eligible") + sum(r.eligible is True for r in rows),
        ineligible=F("ineligible") + sum(r.eligible is False for r in rows),
        invited=F("invited") + invited,
        **{name: F(name) + n for name, n in counts.items()},
    )


def import_run(*, import_id: str, progress: Callable[[int, int], None] | None = None) -> Import:
    """Run a queued import chunk by chunk (idempotent: a second call does nothing)."""
    imp = _claim(import_id)
    if imp is None:
        return Import.objects.get(pk=import_id)
    try:
        actor = _actor_of(imp)
        for rows in validated_chunks(imp):
            if Import.objects.filter(pk=imp.pk, cancel_requested=True).exists():
                _finish(imp, Import.Status.CANCELLED)
                return Import.objects.get(pk=imp.pk)
            with transaction.atomic():
                _run_chunk(imp, rows, actor)
            if progress:
                done = Import.objects.values_list("processed_rows", flat=True).get(pk=imp.pk)
                progress(done, imp.total_rows)
    except Exception as exc:
        logger.exception("Import %s failed", imp.pk)
        _finish(imp, Import.Status.FAILED, f"{type(exc).__name__}: {exc}")
        raise
    _finish(imp, Import.Status.COMPLETED)
    return Import.objects.get(pk=imp.pk)
