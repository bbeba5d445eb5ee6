"""Puts the signed-in user's current workspace and memberships into every dashboard template."""

from accounts.tenancy import get_tenant


def workspace(request):
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    if request.path.startswith(("/api/", "/admin/")):
        return {}
    tenant = get_tenant(request)
    if tenant is None:
        return {"tenant": None, "memberships": []}
    return {"tenant": tenant, "memberships": tenant.extra.get("memberships", [])}
