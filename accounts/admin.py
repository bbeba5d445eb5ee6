"""Organizations, workspaces, memberships and API keys in the admin (users: admin_users.py).

Non-superuser staff see and change only their own organizations and workspaces; creating or
deleting an organization, and deleting a workspace, are platform powers (superusers). Member
and key writes go through accounts.services, with the dashboard's rules.
"""

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.template.response import TemplateResponse

from accounts import admin_users  # noqa: F401 - registers UserAdmin
from accounts import scopes as scope_names
from accounts.admin_mixins import (
    TenantListFilterMixin,
    WorkspaceScopedAdminMixin,
    admin_workspaces,
    scope_choices,
)
from accounts.models import ApiKey, Invitation, Membership, Organization, Workspace
from accounts.services import (
    WORKSPACE_SETTINGS,
    api_key_create,
    api_key_revoke,
    member_add,
    member_check,
    member_grant,
    member_remove,
    member_set_role,
    workspace_update,
    workspaces_ensure_defaults,
)
from accounts.tenancy import Tenant
from config.errors import DomainError


class WorkspaceInline(admin.TabularInline):
    model = Workspace
    extra = 0
    fields = ["slug", "name", "environment"]


@admin.register(Organization)
class OrganizationAdmin(TenantListFilterMixin, admin.ModelAdmin):
    list_display = ["name", "slug", "created_at"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [WorkspaceInline]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(workspaces__in=admin_workspaces(request.user)).distinct()

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if not change:
            # A new organization always gets its production and sandbox workspaces.
            workspaces_ensure_defaults(organization=form.instance)


@admin.register(Workspace)
class WorkspaceAdmin(TenantListFilterMixin, admin.ModelAdmin):
    list_display = ["name", "slug", "organization", "environment", "created_at"]
    list_filter = ["environment", "organization"]
    search_fields = ["name", "slug", "organization__name"]
    list_select_related = ["organization"]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(pk__in=admin_workspaces(request.user))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if field is not None and not request.user.is_superuser:
            field.queryset = scope_choices(field.queryset, request.user)
        return field

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    def save_model(self, request, obj, form, change):
        if not change:
            super().save_model(request, obj, form, change)
            return
        data = {
            name: form.cleaned_data[name]
            for name in WORKSPACE_SETTINGS
            if name in form.cleaned_data
        }
        saved = workspace_update(workspace=obj, data=data, actor=request.user)
        for field in Workspace._meta.concrete_fields:
            setattr(obj, field.attname, getattr(saved, field.attname))


def member_actor(request, workspace) -> Tenant:
    """The staff user as a member-managing actor in `workspace`: superusers act as owners,
    other staff with their membership role there (none: the services refuse)."""
    if request.user.is_superuser:
        role = scope_names.ROLE_OWNER
    else:
        membership = Membership.objects.filter(user=request.user, workspace=workspace).first()
        role = membership.role if membership else None
    scopes = scope_names.ROLE_SCOPES.get(role or "", frozenset())
    return Tenant(workspace=workspace, scopes=scopes, user=request.user, role=role)


class MembershipForm(forms.ModelForm):
    """Runs the member rules of the dashboard (admins and owners only, only an owner grants or
    changes the owner role, never the last owner) as form errors."""

    class Meta:
        model = Membership
        fields = ["user", "workspace", "role"]

    def clean(self):
        cleaned = super().clean()
        workspace = cleaned.get("workspace") or getattr(self.instance, "workspace", None)
        if workspace is not None and cleaned.get("role"):
            existing = None if self.instance._state.adding else self.instance
            if existing is not None:
                existing = Membership.objects.get(pk=existing.pk)
            try:
                member_check(
                    tenant=member_actor(self.request, workspace),
                    membership=existing,
                    role=cleaned["role"],
                )
            except DomainError as exc:
                raise forms.ValidationError(exc.message) from None
        return cleaned


@admin.register(Membership)
class MembershipAdmin(WorkspaceScopedAdminMixin, admin.ModelAdmin):
    form = MembershipForm
    list_display = ["user", "workspace", "role", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__email", "workspace__name"]
    list_select_related = ["user", "workspace__organization"]
    autocomplete_fields = ["user"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        form.request = request
        return form

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else ["user", "workspace"]

    def save_model(self, request, obj, form, change):
        tenant = member_actor(request, obj.workspace)
        if change:
            current = Membership.objects.get(pk=obj.pk)
            saved = member_set_role(tenant=tenant, membership=current, role=obj.role)
        else:
            saved = member_grant(
                tenant=tenant, user=obj.user, workspace=obj.workspace, role=obj.role
            )
        for field in Membership._meta.concrete_fields:
            setattr(obj, field.attname, getattr(saved, field.attname))
        obj._state.adding = False

    def has_delete_permission(self, request, obj=None):
        if not super().has_delete_permission(request, obj) or obj is None:
            return obj is None and super().has_delete_permission(request)
        try:
            with transaction.atomic():
                tenant = member_actor(request, obj.workspace)
                member_check(tenant=tenant, membership=obj, role=None)
        except DomainError:
            return False
        return True

    def delete_model(self, request, obj):
        member_remove(tenant=member_actor(request, obj.workspace), membership=obj)

    def delete_queryset(self, request, queryset):
        for membership in queryset.select_related("workspace"):
            self.delete_model(request, membership)

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

    def has_delete_permission(self, request, obj=None):
        # Keys are revoked (the row stays for the audit trail), never deleted.
        return False

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
            api_key_revoke(api_key=key, actor=request.user)
            count += 1
        self.message_user(request, f"Revoked {count} key(s).", messages.SUCCESS)
