"""Who is calling, in which workspace, with which scopes.

The API (key or session), the admin and the dashboard all resolve the caller to a `Tenant`
here, so that there is one answer to "which workspace may this request see".
"""

from dataclasses import dataclass, field

from accounts import scopes as scope_names
from accounts.models import ApiKey, Membership, Organization, User, Workspace

SESSION_WORKSPACE_KEY = "workspace_id"


@dataclass(frozen=True)
class Tenant:
    workspace: Workspace
    scopes: frozenset[str]
    user: User | None = None
    api_key: ApiKey | None = None
    role: str | None = None
    extra: dict = field(default_factory=dict, compare=False)

    @property
    def organization(self) -> Organization:
        return self.workspace.organization

    def has_scope(self, scope: str | None) -> bool:
        return scope is None or scope in self.scopes

    @property
    def actor_label(self) -> str:
        if self.api_key is not None:
            return f"api key {self.api_key.name} ({self.api_key.prefix})"
        if self.user is not None:
            return f"user {self.user.get_username()}"
        return self.extra.get("actor_label") or "system"  # e.g. the customer's own door


def tenant_for_api_key(api_key: ApiKey) -> Tenant:
    return Tenant(workspace=api_key.workspace, scopes=frozenset(api_key.scopes), api_key=api_key)


def user_memberships(user: User):
    return (
        Membership.objects.filter(user=user)
        .select_related("workspace__organization")
        .order_by("workspace__organization__name", "workspace__name")
    )


def tenant_for_user(user: User, session=None) -> Tenant | None:
    """The user's current workspace (remembered in the session) with their role's scopes.

    Superusers also hold `programs:admin` (platform administration); `is_staff` alone grants
    nothing beyond the membership. A user with no membership has no tenant.
    """
    if user is None or not user.is_authenticated:
        return None
    memberships = list(user_memberships(user))
    if not memberships:
        return None
    wanted = session.get(SESSION_WORKSPACE_KEY) if session is not None else None
    membership = next((m for m in memberships if m.workspace_id == wanted), memberships[0])
    scopes = set(membership.scopes)
    if user.is_superuser:
        scopes.add(scope_names.PROGRAMS_ADMIN)
    return Tenant(
        workspace=membership.workspace,
        scopes=frozenset(scopes),
        user=user,
        role=membership.role,
        extra={"memberships": memberships},
    )


def get_tenant(request) -> Tenant | None:
    """Resolve (once per request) the tenant of an authenticated API or dashboard request."""
    cached = getattr(request, "_gridprograms_tenant", False)
    if cached is not False:
        return cached
    auth = getattr(request, "auth", None)
    if isinstance(auth, ApiKey):
        tenant = tenant_for_api_key(auth)
    else:
        tenant = tenant_for_user(getattr(request, "user", None), getattr(request, "session", None))
    request._gridprograms_tenant = tenant
    return tenant
