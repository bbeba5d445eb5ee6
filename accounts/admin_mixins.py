"""The admin's tenancy choke point: superusers see everything, other staff their workspaces.

For non-superuser staff every admin page is narrowed here: change lists, change and add forms,
foreign-key choice lists and autocompletes (`WorkspaceScopedAdminMixin`), and the sidebar
filters (`TenantListFilterMixin`: a filter on a relation lists only the values of rows the user
may see, never every organization's names). Platform-wide powers (the program catalog, users,
organizations) belong to superusers only, never to `is_staff`.
"""

from django.contrib import admin
from django.contrib.admin.utils import NotRelationField, get_fields_from_path
from django.core.exceptions import FieldDoesNotExist

from accounts import scopes as scope_names
from accounts.models import Membership, Organization, User, Workspace

MANAGER_ROLES = (scope_names.ROLE_ADMIN, scope_names.ROLE_OWNER)


def admin_workspaces(user):
    return Workspace.objects.filter(memberships__user=user)


def admin_organizations(user):
    return Organization.objects.filter(workspaces__memberships__user=user).distinct()


def admin_users(user):
    """The users a non-superuser staff member may see: members of their workspaces, never a
    superuser."""
    return (
        User.objects.filter(memberships__workspace__in=admin_workspaces(user))
        .exclude(is_superuser=True)
        .distinct()
    )


def admin_can_manage_user(staff, target) -> bool:
    """May `staff` change `target` (profile, password)? Superusers: anyone. Other staff: only
    themselves, or a non-staff user all of whose workspaces they administer (admin or owner), so
    a password set here can never open another organization's workspace."""
    if staff.is_superuser:
        return True
    if target.pk == staff.pk:
        return True
    if target.is_superuser or target.is_staff:
        return False
    theirs = set(Membership.objects.filter(user=target).values_list("workspace_id", flat=True))
    managed = set(
        Membership.objects.filter(user=staff, role__in=MANAGER_ROLES).values_list(
            "workspace_id", flat=True
        )
    )
    return bool(theirs) and theirs <= managed


def _related_only(model, entry):
    """A list_filter entry on a relation becomes RelatedOnlyFieldListFilter (choices taken from
    the rows this user may see); other entries stay as they are."""
    if not isinstance(entry, str):
        return entry
    try:
        field = get_fields_from_path(model, entry)[-1]
    except (FieldDoesNotExist, NotRelationField):
        return entry
    if getattr(field, "is_relation", False):
        return (entry, admin.RelatedOnlyFieldListFilter)
    return entry


class TenantListFilterMixin:
    def get_list_filter(self, request):
        filters = super().get_list_filter(request)
        if request.user.is_superuser:
            return filters
        return [_related_only(self.model, entry) for entry in filters]


class WorkspaceScopedAdminMixin(TenantListFilterMixin):
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
            field.queryset = scope_choices(field.queryset, request.user)
        return field


def scope_choices(related, user):
    """Tenancy guard: a choice list must not offer another workspace's (or org's) rows."""
    if related.model is Workspace:
        return related.filter(pk__in=admin_workspaces(user))
    if related.model is Organization:
        return related.filter(pk__in=admin_organizations(user))
    if related.model is User:
        return related.filter(pk__in=admin_users(user))
    if hasattr(related, "for_workspaces"):
        return related.for_workspaces(admin_workspaces(user))
    return related
