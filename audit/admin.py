"""The audit log in the admin: read-only for everyone, superusers included (entries are
append-only; see audit.models). Staff see only their workspaces' entries."""

from django.contrib import admin

from accounts.admin_mixins import WorkspaceScopedAdminMixin
from audit.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(WorkspaceScopedAdminMixin, admin.ModelAdmin):
    list_display = ["at", "action", "object_type", "object_repr", "actor_name", "workspace"]
    list_filter = ["object_type", "actor_type"]
    search_fields = ["=object_id", "=actor_id", "action", "actor_name", "object_repr"]
    list_select_related = ["workspace__organization"]
    date_hierarchy = "at"
    readonly_fields = [
        "id",
        "at",
        "workspace",
        "actor_type",
        "actor_id",
        "actor_name",
        "action",
        "object_type",
        "object_id",
        "object_repr",
        "changes",
        "details",
        "ip_address",
    ]
    actions = None

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
