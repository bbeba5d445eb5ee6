"""Program instances in the Django admin. Superusers see every workspace's instances, other
staff only their workspaces' (WorkspaceScopedAdminMixin). Every write goes through
instances.services, so events, criteria versions and the archived read-only rule hold here too."""

from django import forms
from django.contrib import admin, messages
from django.utils.html import format_html_join

from accounts.admin_mixins import WorkspaceScopedAdminMixin
from config.errors import DomainError
from instances.eligibility import RULE_KEYS, validate_criteria
from instances.formconfig import form_config_validate
from instances.models import ProgramInstance
from instances.services import (
    instance_create,
    instance_delete,
    instance_set_status,
    instance_update,
    program_accepts_instances,
)
from programs.models import Program

EDITABLE = [
    "program",
    "workspace",
    "name",
    "slug",
    "description",
    "logo_url",
    "eligibility_criteria",
    "custom_terms",
    "form_config",
    "start_date",
    "end_date",
    "metadata",
    "auto_evaluate",
]


class ProgramInstanceAdminForm(forms.ModelForm):
    class Meta:
        model = ProgramInstance
        fields = EDITABLE
        help_texts = {
            "eligibility_criteria": "JSON: a quoted string for people, or an object of rules ("
            + ", ".join(RULE_KEYS)
            + '), e.g. {"regions": ["NY"], "minimumCapacity": 5}.',
            "form_config": 'JSON, e.g. {"fields": [{"name": "phone", "required": true}], '
            '"brandColor": "#0b6bcb", "notifications": {"customer": true, "staff": false}}.',
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "slug" in self.fields:
            self.fields["slug"].required = False
            self.fields["slug"].help_text = "Leave empty to generate it from the name."

    def _domain_clean(self, name, validator):
        value = self.cleaned_data.get(name)
        try:
            return validator(value)
        except DomainError as exc:
            raise forms.ValidationError(exc.message) from None

    def clean_eligibility_criteria(self):
        return self._domain_clean("eligibility_criteria", validate_criteria)

    def clean_form_config(self):
        return self._domain_clean("form_config", form_config_validate)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end <= start:
            self.add_error("end_date", "The end date must be after the start date.")
        program, workspace = cleaned.get("program"), cleaned.get("workspace")
        if (
            program
            and workspace
            and not Program.objects.for_workspace(workspace).filter(pk=program.pk).exists()
        ):
            self.add_error("program", "This program is private to another organization.")
        if program and self.instance._state.adding:
            try:
                program_accepts_instances(program=program)  # the service's rule, as a form error
            except DomainError as exc:
                self.add_error("program", exc.message)
        return cleaned


@admin.register(ProgramInstance)
class ProgramInstanceAdmin(WorkspaceScopedAdminMixin, admin.ModelAdmin):
    form = ProgramInstanceAdminForm

    @admin.display(description="Terms versions")
    def terms_history(self, obj):
        """Every version of the terms, kept forever (written by the instance service only)."""
        rows = obj.terms_versions.order_by("-version") if obj and obj.pk else []
        return (
            format_html_join(
                "",
                "<p><strong>v{}</strong> {} <code>sha256 {}</code><br>{}</p>",
                ((t.version, t.created_at, t.sha256, t.text) for t in rows),
            )
            or "—"
        )

    list_display = [
        "name",
        "slug",
        "program",
        "workspace",
        "status",
        "start_date",
        "end_date",
        "criteria_version",
        "created_at",
    ]
    # Related filters list only values of the rows this user may see (tenancy: no other
    # organization's private program or name in the sidebar).
    list_filter = [
        "status",
        "program__type",
        ("program", admin.RelatedOnlyFieldListFilter),
        ("workspace", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["name", "slug", "description", "program__name", "program__slug"]
    list_select_related = ["program", "workspace__organization"]
    date_hierarchy = "created_at"
    actions = ["activate", "deactivate", "archive"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return EDITABLE
        return [
            *EDITABLE,
            "status",
            "criteria_version",
            "terms_version",
            "terms_history",
            "id",
            "created_at",
            "updated_at",
        ]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        base = [
            "status",
            "criteria_version",
            "terms_version",
            "terms_history",
            "id",
            "created_at",
            "updated_at",
            "program",
        ]
        if obj.is_read_only:
            # Archived instances are read-only; restore one with the activate action.
            return list(dict.fromkeys([*EDITABLE, *base]))
        return [*base, "slug", "workspace"]

    def save_model(self, request, obj, form, change):
        data = {
            key: form.cleaned_data[key]
            for key in EDITABLE
            if key in form.cleaned_data and key not in ("program", "workspace")
        }
        if not data.get("slug"):
            data.pop("slug", None)
        if change:
            saved = instance_update(instance=obj, data=data, actor=request.user)
        else:
            saved = instance_create(
                workspace=form.cleaned_data["workspace"],
                program=form.cleaned_data["program"],
                data=data,
                actor=request.user,
            )
        # The admin goes on with `obj` (log entry, redirect): make it the saved instance.
        for field in ProgramInstance._meta.concrete_fields:
            obj.__dict__[field.attname] = getattr(saved, field.attname)
        obj._state.adding = False

    def delete_model(self, request, obj):
        try:
            instance_delete(instance=obj, actor=request.user)
        except DomainError as exc:
            self.message_user(request, exc.message, messages.ERROR)

    def delete_queryset(self, request, queryset):
        for instance in queryset:
            self.delete_model(request, instance)

    def _set_status(self, request, queryset, status):
        done = 0
        for instance in queryset:
            try:
                instance_set_status(instance=instance, status=status, actor=request.user)
                done += 1
            except DomainError as exc:
                self.message_user(request, f"{instance}: {exc.message}", messages.ERROR)
        self.message_user(request, f"{done} instance(s) now {status}.", messages.SUCCESS)

    @admin.action(description="Activate (or restore) selected instances")
    def activate(self, request, queryset):
        self._set_status(request, queryset, ProgramInstance.Status.ACTIVE)

    @admin.action(description="Deactivate selected instances")
    def deactivate(self, request, queryset):
        self._set_status(request, queryset, ProgramInstance.Status.INACTIVE)

    @admin.action(description="Archive selected instances (read-only)")
    def archive(self, request, queryset):
        self._set_status(request, queryset, ProgramInstance.Status.ARCHIVED)
