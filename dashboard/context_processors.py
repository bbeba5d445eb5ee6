"""Puts the signed-in user's current workspace, memberships and what their role may do into every
dashboard template (also error pages, which are not rendered by the dashboard's views)."""

from accounts.tenancy import get_tenant


def workspace(request):
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    if request.path.startswith(("/api/", "/admin/")):
        return {}
    tenant = get_tenant(request)
    if tenant is None:
        return {"tenant": None, "memberships": []}
    from dashboard.mixins import permissions_for

    return {
        "tenant": tenant,
        "memberships": tenant.extra.get("memberships", []),
        "perms_ui": permissions_for(tenant),
    }
