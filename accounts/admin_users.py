"""Users in the admin, tenant-scoped for non-superuser staff.

Superusers manage every user. Other staff see only the members of their workspaces (never a
superuser), may change (and set the password of) only themselves and non-staff users whose every
workspace they administer, cannot grant staff or superuser status or permissions, and cannot add
or delete users (people join a workspace through Members in the dashboard or a membership here).
Django's password form checks `has_change_permission(request, user)`, so the same rule guards it.
"""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from accounts.admin_mixins import TenantListFilterMixin, admin_can_manage_user, admin_users
from accounts.models import User

PLATFORM_FIELDS = ["is_staff", "is_superuser", "groups", "user_permissions"]


@admin.register(User)
class UserAdmin(TenantListFilterMixin, DjangoUserAdmin):
    list_display = ["username", "email", "first_name", "last_name", "is_staff", "is_active"]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(pk__in=admin_users(request.user))

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            readonly += [*PLATFORM_FIELDS, "last_login", "date_joined"]
        return readonly

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        return obj is None or admin_can_manage_user(request.user, obj)
