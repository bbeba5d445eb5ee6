"""The admin's tenancy choke point: superusers see everything, other staff their workspaces."""

from accounts.models import Workspace


def admin_workspaces(user):
    return Workspace.objects.filter(memberships__user=user)


class WorkspaceScopedAdminMixin:
    """Narrows the change list, the change form and every foreign-key choice list.

    The model's manager must offer `for_workspaces()` (see accounts.querysets).
    """

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.for_workspaces(admin_workspaces(request.user))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if field is not None and not request.user.is_superuser:
            # Tenancy guard: choice lists must not offer another workspace's rows.
            related = field.queryset
            if related.model is Workspace:
                field.queryset = related.filter(pk__in=admin_workspaces(request.user))
            elif hasattr(related, "for_workspaces"):
                field.queryset = related.for_workspaces(admin_workspaces(request.user))
        return field
