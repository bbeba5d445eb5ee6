"""The dashboard's one tenancy and permission choke point.

Every dashboard page inherits `WorkspaceViewMixin`. It signs the user in (login redirect),
resolves the current workspace through `accounts.tenancy.get_tenant` (the workspace id kept in
the session), refuses a page whose scope the member's role lacks (403), and gives the view
`self.scoped(Model)`, which is `Model.objects.for_workspace(workspace)`: the only way a dashboard
view reaches workspace data. Another workspace's object is therefore a 404, never a 403.
"""

from django.conf import settings
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render, resolve_url
from django.utils import timezone
from django_htmx.http import HttpResponseClientRedirect

from accounts import scopes as scope_names
from accounts.tenancy import Tenant, get_tenant
from config.errors import DomainError, DomainValidationError
from dashboard.words import plain, scope_words

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


class WorkspaceViewMixin(LoginRequiredMixin):
    """Declare `read_scope` (GET) and `write_scope` (POST...) like the API's viewsets;
    `min_role` additionally requires a role rank (members management is admin or owner)."""

    read_scope: str | None = None
    write_scope: str | None = None
    min_role: str | None = None
    tenant: Tenant

    def handle_no_permission(self):
        # An htmx request would follow the login redirect and swap the login page into a table
        # row; tell htmx to load the login page as a whole page instead.
        if getattr(self.request, "htmx", False) and not self.request.user.is_authenticated:
            return HttpResponseClientRedirect(f"{resolve_url(settings.LOGIN_URL)}?next=/")
        return super().handle_no_permission()

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        tenant = get_tenant(request)
        if tenant is None:
            return render(request, "dashboard/no_workspace.html", status=403)
        self.tenant = tenant
        scope = self.read_scope if request.method in SAFE_METHODS else self.write_scope
        if not tenant.has_scope(scope):
            raise PermissionDenied(
                f"Your role ({tenant.role}) cannot {scope_words(scope).lower()} in this "
                "workspace. Ask one of its admins or owners to change your role."
            )
        if self.min_role and not role_at_least(tenant, self.min_role):
            raise PermissionDenied(
                f"Only the workspace's {self.min_role}s and owners can do this; your role is "
                f"{tenant.role}. Ask one of them."
            )
        # Times on the page are shown in the workspace's zone. The response is rendered inside
        # the override so that the zone never leaks to the thread's next request (the API).
        with timezone.override(workspace_zone(tenant.workspace)):
            response = super().dispatch(request, *args, **kwargs)
            if hasattr(response, "render") and not getattr(response, "is_rendered", True):
                response.render()
        return response

    @property
    def workspace(self):
        return self.tenant.workspace

    def scoped(self, model):
        """The tenancy choke point: `Model.objects.for_workspace(current workspace)`."""
        return model.objects.for_workspace(self.workspace)

    def scoped_get(self, queryset, **lookup):
        """One object of an already scoped queryset, or 404 (also for other workspaces)."""
        obj = queryset.filter(**lookup).first()
        if obj is None:
            raise Http404("Not found in this workspace.")
        return obj

    def filtered_page(self, filterset_class, base, *, per_page: int) -> dict:
        """Filter `base` with the API's FilterSet (same filters, same validation messages) and
        paginate it: the context a list page needs. Invalid filters show no rows, and the
        errors next to the filter form."""
        filterset = filterset_class(self.request.GET or None, queryset=base)
        if not filterset.is_bound:
            rows = base
        elif filterset.is_valid():
            rows = filterset.qs
        else:
            rows = base.none()
        page = Paginator(rows, per_page).get_page(self.request.GET.get("page"))
        return {
            "page": page,
            "params": self.request.GET,
            "filter_errors": filterset.errors if filterset.is_bound else {},
        }

    def can(self, scope: str) -> bool:
        return self.tenant.has_scope(scope)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["tenant"] = self.tenant
        context["perms_ui"] = permissions_for(self.tenant)
        return context


def role_at_least(tenant: Tenant, role: str) -> bool:
    rank = scope_names.ROLE_RANK
    return rank.get(tenant.role or "", -1) >= rank[role]


def permissions_for(tenant: Tenant) -> dict[str, bool]:
    """What the templates may offer (buttons are hidden, and the views refuse regardless)."""
    return {
        "edit_enrollments": tenant.has_scope(scope_names.ENROLLMENTS_WRITE),
        "review": tenant.has_scope(scope_names.ENROLLMENTS_REVIEW),
        "manage_instances": tenant.has_scope(scope_names.INSTANCES_WRITE),
        "manage_webhooks": tenant.has_scope(scope_names.WEBHOOKS_MANAGE),
        "manage_api_keys": tenant.has_scope(scope_names.API_KEYS_MANAGE),
        "manage_members": role_at_least(tenant, scope_names.ROLE_ADMIN),
        "read_events": tenant.has_scope(scope_names.EVENTS_READ),
        "read_audit": tenant.has_scope(scope_names.AUDIT_READ)
        and role_at_least(tenant, scope_names.ROLE_ADMIN),
    }


def add_domain_error(form, error: DomainError) -> None:
    """Put a service's validation error next to the fields it names, else on top.

    Services name fields as the domain does (snake_case, the form fields' names): the last
    dotted part that is a field of the form wins (`eligibility_criteria.postal_codes` lands on
    the criteria form's `postal_codes`). A conflict's details are facts (ids, allowed moves),
    except a field whose value conflicts."""
    placed = False
    if not isinstance(error, DomainValidationError):
        # A conflict about one field's value (a device's serial number already enrolled) is
        # shown beside that field, as the public page and the import report show it.
        about = [name for key in error.details or {} if (name := _field_for_fact(form, key))]
        form.add_error(about[0] if about else None, plain(error.message))
        return
    for key, messages in (error.details or {}).items():
        name = _field_for(form, str(key))
        if name is None:
            continue
        for message in messages if isinstance(messages, list) else [messages]:
            form.add_error(name, plain(str(message)))
        placed = True
    if not placed:
        form.add_error(None, plain(error.message))


# A conflict's details are facts (ids, states, allowed moves); these name the field whose
# value conflicts with another record's.
_CONFLICTING_VALUES = frozenset({"serial_number"})


def _field_for_fact(form, key: str) -> str | None:
    return _field_for(form, key) if key in _CONFLICTING_VALUES else None


def _field_for(form, key: str) -> str | None:
    parts = key.replace("[", ".").split(".")
    for candidate in (key, *reversed(parts)):
        if candidate in form.fields:
            return candidate
    return None


def workspace_zone(workspace):
    """The workspace's time zone (UTC if the stored name is unknown to this system)."""
    import zoneinfo

    try:
        return zoneinfo.ZoneInfo(getattr(workspace, "time_zone", "") or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")
