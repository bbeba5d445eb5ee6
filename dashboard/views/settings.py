"""Settings: members and API keys. Webhooks live in dashboard.views.webhooks."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.generic import TemplateView

from accounts import scopes as scope_names
from accounts import services as members
from accounts.models import ApiKey, Membership
from accounts.services import api_key_create, api_key_revoke
from config.errors import DomainError
from dashboard.forms.settings import ApiKeyCreateForm, MemberAddForm, MemberRoleForm
from dashboard.mixins import WorkspaceViewMixin, add_domain_error, permissions_for


class SettingsIndexView(WorkspaceViewMixin, TemplateView):
    """Links to the settings pages the member's role may open."""

    template_name = "dashboard/settings/index.html"

    def get_context_data(self, **kwargs):
        from dashboard.views.workspace_settings import time_zone_choices

        context = super().get_context_data(**kwargs)
        context["time_zones"] = time_zone_choices()
        return context


class MemberListView(WorkspaceViewMixin, TemplateView):
    template_name = "dashboard/settings/members.html"
    min_role = scope_names.ROLE_ADMIN

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["members"] = (
            self.scoped(Membership).select_related("user").order_by("user__username")
        )
        context["roles"] = Membership.Role.choices
        context.setdefault("form", MemberAddForm())
        return context

    def post(self, request):
        form = MemberAddForm(request.POST)
        if form.is_valid():
            try:
                invitation = members.member_add(
                    tenant=self.tenant,
                    workspace=self.workspace,
                    email=form.cleaned_data["email"],
                    role=form.cleaned_data["role"],
                )
            except DomainError as error:
                add_domain_error(form, error)
            else:
                messages.success(
                    request,
                    f"Invitation sent to {invitation.email} ({invitation.role}). They become a "
                    "member when they accept it.",
                )
                return redirect("dashboard:members")
        return self.render_to_response(self.get_context_data(form=form), status=400)


class MemberActionView(WorkspaceViewMixin, TemplateView):
    """POST: change a member's role (`role` given) or remove them (`remove`)."""

    min_role = scope_names.ROLE_ADMIN
    http_method_names = ["post"]

    def post(self, request, pk):
        membership = self.scoped_get(self.scoped(Membership).select_related("user"), pk=pk)
        try:
            if "remove" in request.POST:
                members.member_remove(tenant=self.tenant, membership=membership)
                messages.success(request, f"Removed {membership.user.get_username()}.")
            else:
                form = MemberRoleForm(request.POST)
                if not form.is_valid():
                    messages.error(request, "Choose a valid role.")
                    return redirect("dashboard:members")
                members.member_set_role(
                    tenant=self.tenant, membership=membership, role=form.cleaned_data["role"]
                )
                messages.success(
                    request, f"{membership.user.get_username()} is now {form.cleaned_data['role']}."
                )
        except DomainError as error:
            messages.error(request, error.message)
        return redirect("dashboard:members")


class ApiKeyListView(WorkspaceViewMixin, TemplateView):
    template_name = "dashboard/settings/api_keys.html"
    read_scope = scope_names.API_KEYS_MANAGE
    write_scope = scope_names.API_KEYS_MANAGE

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["keys"] = self.scoped(ApiKey).select_related("created_by_user", "created_by_key")
        context.setdefault("form", ApiKeyCreateForm(granter_scopes=self.tenant.scopes))
        return context

    def post(self, request):
        form = ApiKeyCreateForm(request.POST, granter_scopes=self.tenant.scopes)
        if form.is_valid():
            data = form.cleaned_data
            try:
                key, raw = api_key_create(
                    workspace=self.workspace,
                    name=data["name"],
                    scopes=None if data["full"] else data["scopes"],
                    expires_at=data.get("expires_at"),
                    created_by_user=request.user,
                    granter_scopes=self.tenant.scopes,
                )
            except DomainError as error:
                add_domain_error(form, error)
            else:
                # The raw key is rendered once, in this response, and never stored.
                response = render(
                    request,
                    "dashboard/settings/api_key_created.html",
                    {"key": key, "raw_key": raw, "perms_ui": permissions_for(self.tenant)},
                )
                response["Cache-Control"] = "no-store"
                return response
        return self.render_to_response(self.get_context_data(form=form), status=400)


class ApiKeyRevokeView(WorkspaceViewMixin, TemplateView):
    read_scope = scope_names.API_KEYS_MANAGE
    write_scope = scope_names.API_KEYS_MANAGE
    http_method_names = ["post"]

    def post(self, request, pk):
        key = self.scoped_get(self.scoped(ApiKey), pk=pk)
        api_key_revoke(api_key=key, actor=self.tenant)
        messages.success(request, f"Revoked {key}.")
        return redirect(reverse("dashboard:api-keys"))
