"""Admin pages of other packages' models (auth groups, the task queue) are platform pages:
they hold no tenant column, so they cannot be narrowed to a workspace and are for superusers
only. Called from AccountsConfig.ready(), after every admin module has registered its pages."""

from django.contrib import admin

# Our apps scope their own admin pages to the staff member's workspaces.
TENANT_APPS = {"accounts", "programs", "instances", "enrollments", "events", "audit", "dashboard"}
PERMISSIONS = (
    "has_module_permission",
    "has_view_permission",
    "has_add_permission",
    "has_change_permission",
    "has_delete_permission",
)


def _superuser_only(original):
    def check(request, *args, **kwargs):
        return request.user.is_superuser and original(request, *args, **kwargs)

    return check


def restrict_platform_admins(site=admin.site) -> None:
    for model, model_admin in site._registry.items():
        if model._meta.app_label in TENANT_APPS or getattr(model_admin, "_platform_only", False):
            continue
        for name in PERMISSIONS:
            setattr(model_admin, name, _superuser_only(getattr(model_admin, name)))
        model_admin._platform_only = True
