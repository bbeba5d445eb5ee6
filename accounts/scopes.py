"""API scopes and what each membership role may do.

A full key holds every workspace scope. `programs:admin` is platform administration (creating
and editing programs); only platform superusers can mint a key that holds it. `audit:read` (the
audit log) belongs to admins and owners and to full keys, not to viewers or operators.
"""

PROGRAMS_READ = "programs:read"
PROGRAMS_ADMIN = "programs:admin"
INSTANCES_READ = "instances:read"
INSTANCES_WRITE = "instances:write"
ENROLLMENTS_READ = "enrollments:read"
ENROLLMENTS_WRITE = "enrollments:write"
ENROLLMENTS_REVIEW = "enrollments:review"
CUSTOMERS_READ = "customers:read"
CUSTOMERS_WRITE = "customers:write"
WEBHOOKS_MANAGE = "webhooks:manage"
EVENTS_READ = "events:read"
API_KEYS_MANAGE = "apiKeys:manage"
AUDIT_READ = "audit:read"

WORKSPACE_SCOPES: tuple[str, ...] = (
    PROGRAMS_READ,
    INSTANCES_READ,
    INSTANCES_WRITE,
    ENROLLMENTS_READ,
    ENROLLMENTS_WRITE,
    ENROLLMENTS_REVIEW,
    CUSTOMERS_READ,
    CUSTOMERS_WRITE,
    WEBHOOKS_MANAGE,
    EVENTS_READ,
    API_KEYS_MANAGE,
    AUDIT_READ,
)
ALL_SCOPES: tuple[str, ...] = (*WORKSPACE_SCOPES, PROGRAMS_ADMIN)

_READ = frozenset({PROGRAMS_READ, INSTANCES_READ, ENROLLMENTS_READ, CUSTOMERS_READ, EVENTS_READ})
_OPERATE = _READ | {ENROLLMENTS_WRITE, CUSTOMERS_WRITE}
_ADMINISTER = frozenset(WORKSPACE_SCOPES)

ROLE_VIEWER = "viewer"
ROLE_OPERATOR = "operator"
ROLE_ADMIN = "admin"
ROLE_OWNER = "owner"

ROLE_SCOPES: dict[str, frozenset[str]] = {
    ROLE_VIEWER: _READ,
    ROLE_OPERATOR: _OPERATE,
    ROLE_ADMIN: _ADMINISTER,
    ROLE_OWNER: _ADMINISTER,
}
ROLE_RANK = {ROLE_VIEWER: 0, ROLE_OPERATOR: 1, ROLE_ADMIN: 2, ROLE_OWNER: 3}


def parse_scopes(raw: str | list[str] | None) -> list[str]:
    """Split, de-duplicate and validate scope names; raises ValueError naming unknown ones."""
    if raw is None:
        return []
    items = raw.split(",") if isinstance(raw, str) else list(raw)
    scopes = []
    for item in items:
        name = str(item).strip()
        if name and name not in scopes:
            scopes.append(name)
    unknown = [s for s in scopes if s not in ALL_SCOPES]
    if unknown:
        raise ValueError(
            f"Unknown scope(s): {', '.join(unknown)}. Known scopes: {', '.join(ALL_SCOPES)}."
        )
    return scopes
