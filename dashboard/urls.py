from django.urls import path

from accounts import scopes as s
from dashboard.views import account, instances, overview, programs, settings
from dashboard.views.pending import PendingView

app_name = "dashboard"

urlpatterns = [
    path("", overview.OverviewView.as_view(), name="overview"),
    path("workspace/", account.WorkspaceSwitchView.as_view(), name="workspace-switch"),
    path("programs/", programs.ProgramListView.as_view(), name="program-list"),
    path("instances/", instances.InstanceListView.as_view(), name="instance-list"),
    path(
        "instances/new/",
        PendingView.as_view(area="New instance", read_scope=s.INSTANCES_WRITE),
        name="instance-create",
    ),
    path("instances/<str:pk>/", instances.InstanceDetailView.as_view(), name="instance-detail"),
    path(
        "instances/<str:pk>/edit/",
        PendingView.as_view(area="Edit instance", read_scope=s.INSTANCES_WRITE),
        name="instance-edit",
    ),
    path(
        "instances/<str:pk>/status/",
        PendingView.as_view(area="Instance status", read_scope=s.INSTANCES_WRITE),
        name="instance-status",
    ),
    path(
        "enrollments/",
        PendingView.as_view(area="Enrollments", read_scope=s.ENROLLMENTS_READ),
        name="enrollment-list",
    ),
    path(
        "review/",
        PendingView.as_view(area="Review queue", read_scope=s.ENROLLMENTS_REVIEW),
        name="review-queue",
    ),
    path("settings/", settings.SettingsIndexView.as_view(), name="settings"),
    path("settings/members/", settings.MemberListView.as_view(), name="members"),
    path("settings/members/<str:pk>/", settings.MemberActionView.as_view(), name="member-action"),
    path("settings/api-keys/", settings.ApiKeyListView.as_view(), name="api-keys"),
    path(
        "settings/api-keys/<str:pk>/revoke/",
        settings.ApiKeyRevokeView.as_view(),
        name="api-key-revoke",
    ),
    path(
        "settings/webhooks/",
        PendingView.as_view(area="Webhooks", read_scope=s.WEBHOOKS_MANAGE),
        name="webhook-list",
    ),
]
