"""The program catalog in the Django admin. Superusers (platform staff) create and edit
programs, through programs.services so the states index and visibility rules hold; other staff
see the programs their workspaces can see, read-only."""

from django import forms
from django.contrib import admin

from accounts.admin_mixins import admin_workspaces
from config.errors import DomainError
from programs.models import Program
from programs.services import (
    ProgramData,
    program_create,
    program_foreign_instance_orgs,
    program_states_normalize,
    program_update,
)


class ProgramAdminForm(forms.ModelForm):
    states = forms.CharField(
        required=False,
        help_text="US two-letter codes separated by commas, e.g. CA, NV.",
    )

    class Meta:
        model = Program
        fields = [
            "name",
            "slug",
            "description",
            "type",
            "states",
            "active",
            "visibility",
            "organization",
            "year",
            "end_time",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # CUID primary keys exist before saving: `adding` tells a new program apart.
        editing = not self.instance._state.adding
        if editing:
            self.initial["states"] = ", ".join(self.instance.states or [])
        slug = self.fields.get("slug")
        if slug is not None and editing:
            slug.disabled = True
            slug.help_text = "Stable once set: it addresses public pages."
        elif slug is not None:
            slug.required = False
            slug.help_text = "Leave empty to generate it from the name."

    def clean_states(self):
        raw = self.cleaned_data.get("states") or ""
        codes = [part for part in raw.replace(";", ",").split(",") if part.strip()]
        try:
            return program_states_normalize(codes)
        except DomainError as exc:
            raise forms.ValidationError(exc.message) from None

    def clean(self):
        cleaned = super().clean()
        visibility = cleaned.get("visibility")
        if visibility == Program.Visibility.PRIVATE and not cleaned.get("organization"):
            self.add_error("organization", "A private program needs its organization.")
        if visibility == Program.Visibility.PUBLIC and cleaned.get("organization"):
            self.add_error("organization", "Public programs belong to no organization.")
        if visibility == Program.Visibility.PRIVATE and cleaned.get("organization"):
            names = program_foreign_instance_orgs(
                program=self.instance, organization_id=cleaned["organization"].pk
            )
            if names:
                self.add_error(
                    "visibility",
                    f"Other organizations run instances of this program: {', '.join(names)}.",
                )
        return cleaned


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin):
    form = ProgramAdminForm
    list_display = [
        "name",
        "slug",
        "type",
        "visibility",
        "organization",
        "state_list",
        "year",
        "active",
        "updated_at",
    ]
    list_filter = ["type", "visibility", "active", "year", "state_rows__state"]
    search_fields = ["name", "slug", "description", "organization__name"]
    list_select_related = ["organization"]
    readonly_fields = ["id", "created_at", "updated_at"]
    ordering = ["name"]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        # Tenancy guard: another organization's private programs stay invisible.
        return queryset.for_workspaces(admin_workspaces(request.user))

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return request.user.is_staff

    @admin.display(description="states")
    def state_list(self, obj):
        return ", ".join(obj.states or [])

    def save_model(self, request, obj, form, change):
        cleaned = form.cleaned_data
        data = ProgramData(
            name=cleaned["name"],
            description=cleaned.get("description") or "",
            type=cleaned.get("type") or "",
            states=cleaned.get("states") or [],
            active=cleaned.get("active", True),
            visibility=cleaned["visibility"],
            organization=cleaned.get("organization"),
            year=cleaned.get("year"),
            end_time=cleaned.get("end_time"),
            **({} if change else {"slug": cleaned.get("slug") or None}),
        )
        saved = (
            program_update(program=obj, data=data, actor=request.user)
            if change
            else program_create(data=data, actor=request.user)
        )
        # The admin goes on with `obj` (log entry, redirect): make it the saved program.
        for field in Program._meta.concrete_fields:
            setattr(obj, field.attname, getattr(saved, field.attname))
        obj._state.adding = False
