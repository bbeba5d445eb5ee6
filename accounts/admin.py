from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db import transaction
from django.template.response import TemplateResponse

from accounts import scopes as scope_names
from accounts.admin_mixins import WorkspaceScopedAdminMixin, admin_workspaces
from accounts.models import ApiKey, Invitation, Membership, Organization, User, Workspace
from accounts.services import (
    api_key_create,
    api_key_revoke,
    member_add,
    workspaces_ensure_defaults,
)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "email", "first_name", "last_name", "is_staff", "is_active"]


class WorkspaceInline(admin.TabularInline):
    model = Workspace
    extra = 0
    fields = ["slug", "name", "environment"]


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "created_at"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [WorkspaceInline]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(workspaces__in=admin_workspaces(request.user)).distinct()

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if not change:
            # A new organization always gets its production and sandbox workspaces.
            workspaces_ensure_defaults(organization=form.instance)


@admin.register(Workspace)
class WorkspaceAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "organization", "environment", "created_at"]
    list_filter = ["environment", "organization"]
    search_fields = ["name", "slug", "organization__name"]
    list_select_related = ["organization"]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(pk__in=admin_workspaces(request.user))


@admin.register(Membership)
class MembershipAdmin(WorkspaceScopedAdminMixin, admin.ModelAdmin):
    list_display = ["user", "workspace", "role", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__email", "workspace__name"]
    list_select_related = ["user", "workspace__organization"]
    autocomplete_fields = ["user"]

    def has_add_permission(self, request):
        # Members join by accepting an invitation (see "Invitations"), never by being added.
        return False


class InvitationAdminForm(forms.ModelForm):
    class Meta:
        model = Invitation
        fields = ["workspace", "email", "role"]

    def clean(self):
        data = super().clean()
        workspace, email = data.get("workspace"), data.get("email")
        if workspace and email:
            members = Membership.objects.for_workspace(workspace)
            if members.filter(user__email__iexact=email).exists():
                self.add_error("email", "Already a member of this workspace.")
        return data


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    """Inviting from the admin goes through accounts.services.member_add, like the dashboard:
    an email with a signed link; the person becomes a member when they accept."""

    list_display = ["email", "workspace", "role", "invited_by", "created_at", "accepted_at"]
    list_filter = ["role"]
    search_fields = ["email", "workspace__name"]
    list_select_related = ["workspace__organization", "invited_by"]
    fields = ["workspace", "email", "role"]
    form = InvitationAdminForm

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(workspace__in=admin_workspaces(request.user))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "workspace" and not request.user.is_superuser:
            field.queryset = field.queryset.filter(pk__in=admin_workspaces(request.user))
        return field

    def has_change_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        invitation = member_add(
            tenant=None,
            workspace=form.cleaned_data["workspace"],
            email=form.cleaned_data["email"],
            role=form.cleaned_data["role"],
            invited_by=request.user,
        )
        obj.pk = invitation.pk
        obj._state.adding = False


class ApiKeyCreationForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        choices=[(s, s) for s in scope_names.ALL_SCOPES],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Leave empty for a full key (every workspace scope).",
    )

    class Meta:
        model = ApiKey
        fields = ["workspace", "name", "scopes", "expires_at"]


@admin.register(ApiKey)
class ApiKeyAdmin(WorkspaceScopedAdminMixin, admin.ModelAdmin):
    list_display = [
        "name",
        "prefix",
        "workspace",
        "scope_summary",
        "created_at",
        "last_used_at",
        "expires_at",
        "revoked_at",
    ]
    list_filter = ["revoked_at", "workspace__organization"]
    search_fields = ["name", "prefix", "workspace__name"]
    list_select_related = ["workspace__organization"]
    actions = ["revoke_keys"]
    readonly_fields = [
        "prefix",
        "scopes",
        "created_by_user",
        "created_by_key",
        "created_at",
        "last_used_at",
        "revoked_at",
    ]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = ApiKeyCreationForm
        form = super().get_form(request, obj, change, **kwargs)
        if obj is None and not request.user.is_superuser:
            # Only platform superusers may mint keys that administer the program catalog.
            form.base_fields["scopes"].choices = [(s, s) for s in scope_names.WORKSPACE_SCOPES]
        return form

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["workspace", "name", "scopes", "expires_at"]
        return ["workspace", "name", *self.readonly_fields, "expires_at"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return ["workspace", *self.readonly_fields]

    @admin.display(description="scopes")
    def scope_summary(self, obj):
        if obj.is_full:
            return "full" + (" + programs:admin" if "programs:admin" in obj.scopes else "")
        return ", ".join(obj.scopes)

    @transaction.atomic
    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        chosen = form.cleaned_data.get("scopes") or None
        wants_admin = bool(chosen and scope_names.PROGRAMS_ADMIN in chosen)
        workspace_scopes = [s for s in chosen or [] if s != scope_names.PROGRAMS_ADMIN] or None
        key, raw = api_key_create(
            workspace=form.cleaned_data["workspace"],
            name=form.cleaned_data["name"],
            scopes=workspace_scopes,
            platform_admin=wants_admin,
            expires_at=form.cleaned_data.get("expires_at"),
            created_by_user=request.user,
        )
        # The admin goes on with `obj` (log entry, redirect): make it the saved key.
        for field in ApiKey._meta.concrete_fields:
            setattr(obj, field.attname, getattr(key, field.attname))
        obj._state.adding = False
        # Kept on the request only: a message would travel in the (signed, not encrypted)
        # messages cookie or the session. response_add shows it once.
        request._new_api_key_raw = raw

    def response_add(self, request, obj, post_url_continue=None):
        raw = getattr(request, "_new_api_key_raw", None)
        if raw is None:
            return super().response_add(request, obj, post_url_continue)
        context = {
            **self.admin_site.each_context(request),
            "title": "API key created",
            "opts": self.opts,
            "key": obj,
            "raw_key": raw,
        }
        response = TemplateResponse(request, "admin/accounts/apikey/created.html", context)
        response["Cache-Control"] = "no-store"
        return response

    @admin.action(description="Revoke selected API keys")
    def revoke_keys(self, request, queryset):
        count = 0
        for key in queryset.filter(revoked_at__isnull=True):
            api_key_revoke(api_key=key)
            count += 1
        self.message_user(request, f"Revoked {count} key(s).", messages.SUCCESS)
