from django.urls import path

from dashboard.views import (
    account,
    activity,
    enrollments,
    imports,
    instances,
    invitations,
    list_options,
    overview,
    programs,
    review,
    settings,
    webhooks,
    workspace_settings,
)

app_name = "dashboard"

urlpatterns = [
    path("", overview.OverviewView.as_view(), name="overview"),
    path("workspace/", account.WorkspaceSwitchView.as_view(), name="workspace-switch"),
    path("invitations/<str:token>/", invitations.InvitationView.as_view(), name="invitation"),
    # programs and instances
    path("programs/", programs.ProgramListView.as_view(), name="program-list"),
    path("instances/", instances.InstanceListView.as_view(), name="instance-list"),
    path("instances/new/", instances.InstanceCreateView.as_view(), name="instance-create"),
    path("instances/<str:pk>/", instances.InstanceDetailView.as_view(), name="instance-detail"),
    path("instances/<str:pk>/edit/", instances.InstanceEditView.as_view(), name="instance-edit"),
    path(
        "instances/<str:pk>/charts/",
        overview.InstanceChartsView.as_view(),
        name="instance-charts",
    ),
    path(
        "instances/<str:pk>/status/", instances.InstanceStatusView.as_view(), name="instance-status"
    ),
    path(
        "instances/<str:pk>/enrollments/new/",
        enrollments.EnrollmentCreateView.as_view(),
        name="enrollment-create",
    ),
    # candidate imports
    path("instances/<str:pk>/import/", imports.ImportUploadView.as_view(), name="import-upload"),
    path("imports/<str:pk>/", imports.ImportDetailView.as_view(), name="import-detail"),
    path(
        "imports/<str:pk>/progress/", imports.ImportProgressView.as_view(), name="import-progress"
    ),
    path("imports/<str:pk>/action/", imports.ImportActionView.as_view(), name="import-action"),
    path("imports/<str:pk>/report.csv", imports.ImportReportView.as_view(), name="import-report"),
    # enrollments
    path("enrollments/", enrollments.EnrollmentListView.as_view(), name="enrollment-list"),
    path(
        "enrollments/export.csv",
        enrollments.EnrollmentExportView.as_view(),
        name="enrollment-export",
    ),
    path(
        "enrollments/saved-filters/",
        list_options.SavedFilterView.as_view(),
        name="enrollment-saved-filters",
    ),
    path("enrollments/bulk/", enrollments.EnrollmentBulkView.as_view(), name="enrollment-bulk"),
    path(
        "enrollments/<str:pk>/",
        enrollments.EnrollmentDetailView.as_view(),
        name="enrollment-detail",
    ),
    path(
        "enrollments/<str:pk>/edit/",
        enrollments.EnrollmentEditView.as_view(),
        name="enrollment-edit",
    ),
    path(
        "enrollments/<str:pk>/invite/",
        enrollments.EnrollmentInviteView.as_view(),
        name="enrollment-invite",
    ),
    path(
        "instances/<str:pk>/preview/",
        instances.InstancePreviewView.as_view(),
        name="instance-preview",
    ),
    path(
        "enrollments/<str:pk>/transition/",
        enrollments.EnrollmentTransitionView.as_view(),
        name="enrollment-transition",
    ),
    # review
    path("review/", review.ReviewQueueView.as_view(), name="review-queue"),
    path("review/<str:pk>/", review.ReviewDecideView.as_view(), name="review-decide"),
    # settings
    path("settings/", settings.SettingsIndexView.as_view(), name="settings"),
    path(
        "settings/workspace/time-zone/",
        workspace_settings.WorkspaceTimeZoneView.as_view(),
        name="workspace-time-zone",
    ),
    path("settings/members/", settings.MemberListView.as_view(), name="members"),
    path("settings/members/<str:pk>/", settings.MemberActionView.as_view(), name="member-action"),
    path("settings/api-keys/", settings.ApiKeyListView.as_view(), name="api-keys"),
    path(
        "settings/api-keys/<str:pk>/revoke/",
        settings.ApiKeyRevokeView.as_view(),
        name="api-key-revoke",
    ),
    path("settings/webhooks/", webhooks.WebhookListView.as_view(), name="webhook-list"),
    path("activity/", activity.ActivityView.as_view(), name="activity"),
    path(
        "settings/webhooks/<str:pk>/", webhooks.WebhookDetailView.as_view(), name="webhook-detail"
    ),
    path(
        "settings/webhooks/<str:pk>/action/",
        webhooks.WebhookActionView.as_view(),
        name="webhook-action",
    ),
    path(
        "settings/webhooks/<str:pk>/deliveries/<str:delivery_pk>/retry/",
        webhooks.DeliveryRetryView.as_view(),
        name="delivery-retry",
    ),
]
