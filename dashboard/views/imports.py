"""Import candidates from the dashboard: upload → dry run (in the worker) → report with the
column mapping to adjust → "Import" (in the worker) with a live progress bar → report as CSV.

Every step calls enrollments.imports.service, the same service as the API, admin and CLI.
"""

import csv

from django.contrib import messages
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect
from django.views import View
from django.views.generic import TemplateView

from accounts import scopes as scope_names
from config.errors import DomainError
from dashboard.exports import neutralise
from dashboard.mixins import WorkspaceViewMixin
from enrollments.imports.columns import FIELDS, IGNORE, META, errors_in_words
from enrollments.imports.models import Import
from enrollments.imports.service import import_cancel, import_repeat, import_start
from instances.models import ProgramInstance

REPORT_ROWS_SHOWN = 200
TARGET_CHOICES = [(name, label) for name, (label, _) in FIELDS.items()] + [
    (META, "Keep in metadata"),
    (IGNORE, "Leave out"),
]


class ImportMixin(WorkspaceViewMixin):
    read_scope = scope_names.ENROLLMENTS_READ
    write_scope = scope_names.ENROLLMENTS_WRITE

    def get_import(self) -> Import:
        return self.scoped_get(
            self.scoped(Import).select_related("program_instance"), pk=self.kwargs["pk"]
        )


class ImportUploadView(WorkspaceViewMixin, TemplateView):
    """`instances/<pk>/import/`: the upload form; a file starts a dry run."""

    template_name = "dashboard/imports/upload.html"
    read_scope = scope_names.ENROLLMENTS_WRITE
    write_scope = scope_names.ENROLLMENTS_WRITE

    def instance(self) -> ProgramInstance:
        return self.scoped_get(
            self.scoped(ProgramInstance).select_related("program"), pk=self.kwargs["pk"]
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        instance = self.instance()
        context.update(
            instance=instance,
            recent=self.scoped(Import).filter(program_instance=instance)[:10],
        )
        return context

    def post(self, request, pk):
        instance = self.instance()
        upload = request.FILES.get("file")
        if upload is None:
            messages.error(request, "Choose a .csv or .xlsx file to upload.")
            return redirect("dashboard:import-upload", pk=instance.pk)
        try:
            imp = import_start(
                workspace=self.workspace,
                instance=instance,
                actor=self.tenant,
                file_name=upload.name,
                content=upload.read(),
                dry_run=True,
                evaluate=request.POST.get("evaluate", "on") == "on",
                notify_eligible=request.POST.get("notify_eligible") == "on",
            )
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("dashboard:import-upload", pk=instance.pk)
        return redirect("dashboard:import-detail", pk=imp.pk)


class ImportDetailView(ImportMixin, TemplateView):
    """The import: progress while it runs, then its counts, its report and (after a dry run)
    the column mapping and the "Import" button."""

    template_name = "dashboard/imports/detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        imp = self.get_import()
        rows = list(imp.rows.order_by("row_number")[:REPORT_ROWS_SHOWN])
        for row in rows:
            row.problems = errors_in_words(row.errors)
        context.update(
            imp=imp,
            rows=rows,
            more_rows=max(imp.processed_rows - len(rows), 0),
            mapping=[(column, target) for column, target in imp.mapping.items()],
            choices=TARGET_CHOICES,
            can_write=self.tenant.has_scope(scope_names.ENROLLMENTS_WRITE),
        )
        return context


class ImportProgressView(ImportMixin, TemplateView):
    """htmx polls this fragment; once the import has finished the page reloads whole."""

    template_name = "dashboard/imports/_progress.html"

    def get(self, request, *args, **kwargs):
        imp = self.get_import()
        if imp.is_finished and request.headers.get("HX-Request"):
            response = HttpResponse(status=204)
            response["HX-Refresh"] = "true"
            return response
        return self.render_to_response({"imp": imp})


class ImportActionView(ImportMixin, View):
    """POST `action`: `check` (dry run again with the mapping), `run` (import for real) or
    `cancel`."""

    http_method_names = ["post"]

    def post(self, request, pk):
        imp = self.get_import()
        action = request.POST.get("action")
        try:
            if action == "cancel":
                import_cancel(imp=imp, actor=self.tenant)
                messages.success(request, "The import stops after the rows it is working on.")
                return redirect("dashboard:import-detail", pk=imp.pk)
            if action not in ("check", "run"):
                messages.error(request, "Unknown action.")
                return redirect("dashboard:import-detail", pk=imp.pk)
            mapping = {
                column: request.POST.get(f"map-{i}", target)
                for i, (column, target) in enumerate(imp.mapping.items())
            }
            mapping = {c: (META if t.startswith("meta.") else t) for c, t in mapping.items()}
            new = import_repeat(
                imp=imp, actor=self.tenant, dry_run=action == "check", mapping=mapping
            )
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("dashboard:import-detail", pk=imp.pk)
        return redirect("dashboard:import-detail", pk=new.pk)


class _Echo:
    def write(self, value):
        return value


class ImportReportView(ImportMixin, View):
    """The report as CSV (streamed; cells a spreadsheet would run as formulas neutralised)."""

    def get(self, request, pk):
        imp = self.get_import()
        writer = csv.writer(_Echo())

        def lines():
            yield writer.writerow(["Row", "Result", "Enrollment", "Eligible", "Reason", "Errors"])
            for row in imp.rows.order_by("row_number").iterator(chunk_size=2000):
                eligible = "" if row.eligible is None else ("yes" if row.eligible else "no")
                yield writer.writerow(
                    [
                        neutralise(v)
                        for v in (
                            row.row_number,
                            row.get_result_display(),
                            row.enrollment_id,
                            eligible,
                            row.reason,
                            errors_in_words(row.errors),
                        )
                    ]
                )

        response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="import-{imp.pk}-report.csv"'
        return response
