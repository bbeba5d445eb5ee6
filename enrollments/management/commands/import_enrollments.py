"""`manage.py import_enrollments FILE --instance SLUG [--dry-run] [--no-evaluate]
[--notify-eligible]`: the
import service from a terminal (run here, not by the worker), with a progress bar."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from config.errors import DomainError
from enrollments.imports.columns import errors_in_words
from enrollments.imports.service import import_run, import_start
from instances.models import ProgramInstance

BAR = 30


class Command(BaseCommand):
    help = "Import candidates (a .csv or .xlsx file) into a program instance."

    def add_arguments(self, parser):
        parser.add_argument("file", help="Path of the .csv or .xlsx file.")
        parser.add_argument("--instance", required=True, help="The program instance's slug.")
        parser.add_argument("--dry-run", action="store_true", help="Report only; write nothing.")
        parser.add_argument(
            "--no-evaluate", action="store_true", help="Leave the rows as candidates."
        )
        parser.add_argument(
            "--notify-eligible",
            action="store_true",
            help="Email the self-enrollment invitation to each row that becomes eligible.",
        )

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No file at {path}.")
        instance = (
            ProgramInstance.objects.select_related("workspace", "program")
            .filter(slug=options["instance"])
            .first()
        )
        if instance is None:
            raise CommandError(f"No program instance with the slug {options['instance']!r}.")
        try:
            imp = import_start(
                workspace=instance.workspace,
                instance=instance,
                actor=None,
                file_name=path.name,
                content=path.read_bytes(),
                dry_run=options["dry_run"],
                evaluate=not options["no_evaluate"],
                notify_eligible=options["notify_eligible"],
                enqueue=False,
            )
        except DomainError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(f"{imp.total_rows} rows in {path.name} → {instance.name}")
        if imp.metadata_columns:
            columns = ", ".join(imp.metadata_columns)
            self.stdout.write(f"Kept in each enrollment's metadata (no field matched): {columns}")
        tty = sys.stdout.isatty() and self.stdout._out is sys.stdout
        imp = import_run(import_id=imp.pk, progress=self._bar if tty else None)
        if tty:
            self.stdout.write("")
        self._summary(imp)

    def _bar(self, done: int, total: int) -> None:
        filled = BAR * done // total if total else BAR
        percent = 100 * done // total if total else 100
        self.stdout.write(
            f"\r[{'#' * filled}{'.' * (BAR - filled)}] {percent:3d}% {done}/{total} rows",
            ending="",
        )
        self.stdout.flush()

    def _summary(self, imp) -> None:
        prefix = "Dry run (nothing written): " if imp.dry_run else ""
        self.stdout.write(
            f"{prefix}{imp.status}: {imp.created} created, {imp.updated} updated, "
            f"{imp.unchanged} unchanged, {imp.failed} failed; "
            f"{imp.eligible} eligible, {imp.ineligible} ineligible."
            + (f" {imp.invited} invited." if imp.notify_eligible and not imp.dry_run else "")
        )
        for row in imp.rows.filter(result="failed").order_by("row_number")[:50]:
            self.stdout.write(f"  row {row.row_number}: {errors_in_words(row.errors)}")
        if imp.failed > 50:
            self.stdout.write(f"  … and {imp.failed - 50} more (see the import's report).")
        self.stdout.write(f"Import {imp.pk}")
        if imp.status != "completed":
            raise CommandError(f"The import {imp.status}: {imp.error}")
