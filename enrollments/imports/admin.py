"""Staff start and inspect imports in the admin, limited to their workspaces (the admin's
tenancy mixin); starting one calls the import service like every other door."""

from django import forms
from django.contrib import admin
from django.utils.html import format_html_join

from accounts.admin_mixins import WorkspaceScopedAdminMixin
from config.errors import DomainError
from enrollments.imports.columns import errors_in_words
from enrollments.imports.models import Import
from enrollments.imports.service import import_preview, import_start

FAILED_SHOWN = 50


class ImportStartForm(forms.ModelForm):
    file = forms.FileField(help_text="A .csv or .xlsx file; the first row names the columns.")

    class Meta:
        model = Import
        fields = ["program_instance", "dry_run", "evaluate", "notify_eligible"]

    def clean(self):
        cleaned = super().clean()
        instance, upload = cleaned.get("program_instance"), cleaned.get("file")
        if instance is not None:
            block = instance.enrollment_block_reason()
            if block:
                self.add_error("program_instance", block)
        if upload is not None:
            self.content = upload.read()
            try:
                import_preview(file_name=upload.name, content=self.content)
            except DomainError as exc:
                self.add_error("file", exc.message)
        return cleaned


@admin.register(Import)
class ImportAdmin(WorkspaceScopedAdminMixin, admin.ModelAdmin):
    list_display = [
        "created_at",
        "file_name",
        "program_instance",
        "status",
        "dry_run",
        "total_rows",
        "processed_rows",
        "created",
        "updated",
        "failed",
        "actor_label",
    ]
    list_filter = ["status", "dry_run"]
    search_fields = ["id", "file_name", "program_instance__name"]
    list_select_related = ["program_instance"]
    show_full_result_count = False
    readonly_fields = [
        f.name for f in Import._meta.fields if f.name not in ("source", "workspace")
    ] + ["failed_rows"]
    exclude = ["source"]

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = ImportStartForm
        return super().get_form(request, obj, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else []

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["program_instance", "file", "dry_run", "evaluate", "notify_eligible"]
        return self.readonly_fields

    def has_change_permission(self, request, obj=None):
        return False if obj is not None else super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        from enrollments.admin import admin_actor

        instance = form.cleaned_data["program_instance"]
        imp = import_start(
            workspace=instance.workspace,
            instance=instance,
            actor=admin_actor(request, instance.workspace),
            file_name=form.cleaned_data["file"].name,
            content=form.content,
            dry_run=form.cleaned_data["dry_run"],
            evaluate=form.cleaned_data["evaluate"],
            notify_eligible=form.cleaned_data["notify_eligible"],
        )
        obj.pk, obj._state.adding = imp.pk, False

    @admin.display(description="Rows with problems (first 50)")
    def failed_rows(self, obj):
        rows = obj.rows.filter(result="failed").order_by("row_number")[:FAILED_SHOWN]
        return (
            format_html_join(
                "\n",
                "<p>Row {}: {}</p>",
                (
                    (
                        row.row_number,
                        errors_in_words(row.errors),
                    )
                    for row in rows
                ),
            )
            or "—"
        )
