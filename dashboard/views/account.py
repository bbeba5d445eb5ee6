"""Choosing the current workspace (for people who belong to several)."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect
from django.views import View

from accounts.tenancy import SESSION_WORKSPACE_KEY, user_memberships


class WorkspaceSwitchView(LoginRequiredMixin, View):
    """Remember the chosen workspace in the session; only a workspace the user belongs to."""

    http_method_names = ["post"]

    def post(self, request):
        wanted = request.POST.get("workspace", "")
        # Guards tenancy: the id must be one of this user's memberships, never any workspace.
        if not user_memberships(request.user).filter(workspace_id=wanted).exists():
            return HttpResponseBadRequest("You are not a member of that workspace.")
        request.session[SESSION_WORKSPACE_KEY] = wanted
        return redirect("dashboard:overview")
