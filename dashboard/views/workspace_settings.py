"""Settings, workspace: the time zone the dashboard shows times in and counts days by."""

import zoneinfo

from django.contrib import messages
from django.shortcuts import redirect
from django.views import View

from accounts import scopes as scope_names
from accounts.services import workspace_set_time_zone
from config.errors import DomainError
from dashboard.mixins import WorkspaceViewMixin
from dashboard.words import plain


def time_zone_choices() -> list[str]:
    """Every IANA zone this system knows, UTC first (for the form's suggestions)."""
    return ["UTC", *sorted(z for z in zoneinfo.available_timezones() if "/" in z)]


class WorkspaceTimeZoneView(WorkspaceViewMixin, View):
    """POST time_zone: change the workspace's zone (admins and owners)."""

    min_role = scope_names.ROLE_ADMIN
    http_method_names = ["post"]

    def post(self, request):
        try:
            workspace_set_time_zone(
                tenant=self.tenant,
                workspace=self.workspace,
                time_zone=request.POST.get("time_zone", ""),
            )
        except DomainError as error:
            messages.error(request, plain(error.message))
        else:
            messages.success(request, f"Times are now shown in {self.workspace.time_zone}.")
        return redirect("dashboard:settings")
