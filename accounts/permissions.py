"""The one permission class: each view action maps to a scope."""

from rest_framework import exceptions, permissions

from accounts.tenancy import get_tenant


class HasScope(permissions.BasePermission):
    """Authenticated, inside a workspace, and holding the scope the action needs.

    Views declare `read_scope` / `write_scope` and may override single actions with
    `action_scopes = {"approve": "enrollments:review"}`; `None` means any authenticated caller.
    """

    def has_permission(self, request, view) -> bool:
        if not request.user or not request.user.is_authenticated:
            raise exceptions.NotAuthenticated("Authentication credentials were not provided.")
        tenant = get_tenant(request)
        if tenant is None:
            raise exceptions.PermissionDenied("You are not a member of any workspace.")
        scope = required_scope(view, request)
        if not tenant.has_scope(scope):
            raise exceptions.PermissionDenied(f"This action needs the '{scope}' scope.")
        return True


def required_scope(view, request) -> str | None:
    action = getattr(view, "action", None)
    action_scopes = getattr(view, "action_scopes", {}) or {}
    if action in action_scopes:
        return action_scopes[action]
    if request.method in permissions.SAFE_METHODS:
        return getattr(view, "read_scope", None)
    return getattr(view, "write_scope", None)
