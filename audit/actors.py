"""One answer to "who did this": every actor a service receives, as `{type, id, name}`.

Services are called with whatever identifies the caller at their door:

- an `accounts.tenancy.Tenant` (API and dashboard): its API key if it has one, else its user;
- a `User` (the admin passes `request.user`) or an `ApiKey`;
- `None` (a background job, a management command, the demo): the system;
- a string (e.g. "the demo set-up"): the system, with that string as its name;
- `PUBLIC_ACTOR` or `public_actor(name)` (the public enrollment page): a member of the public;
  a door that must pass a `Tenant` (services that check scopes) and has no user or key puts it in
  `Tenant(..., extra={"actor": PUBLIC_ACTOR})`;
- a dict that is already `{type, id, name}` (passed through, validated).

The audit log (`audit.services.audit_record`) and the enrollment events both store this shape,
so the API shows one `actor` object everywhere.
"""

from typing import Any

ACTOR_TYPES = ("user", "apiKey", "system", "public")
SYSTEM_ACTOR = {"type": "system", "id": "", "name": "System"}
PUBLIC_ACTOR = {"type": "public", "id": "", "name": "Public enrollment page"}


def public_actor(name: str = "") -> dict:
    """A member of the public (the public page), optionally named (e.g. the customer's name)."""
    return {"type": "public", "id": "", "name": (name or PUBLIC_ACTOR["name"])[:200]}


def _user(user) -> dict:
    name = (user.get_full_name() or "").strip() or user.get_username()
    return {"type": "user", "id": str(user.pk), "name": name[:200]}


def _api_key(key) -> dict:
    return {"type": "apiKey", "id": str(key.pk), "name": f"{key.name} ({key.prefix}…)"[:200]}


def actor_of(actor: Any) -> dict:
    """`{type, id, name}` for any actor a service receives (see the module docstring)."""
    from accounts.models import ApiKey, User
    from accounts.tenancy import Tenant

    if actor is None:
        return dict(SYSTEM_ACTOR)
    if isinstance(actor, Tenant):
        if actor.api_key is not None:
            return _api_key(actor.api_key)
        if actor.user is not None:
            return _user(actor.user)
        if actor.extra.get("actor") is not None:
            # A tenant built for a door without a user or key (the public page) names its actor.
            return actor_of(actor.extra["actor"])
        return dict(SYSTEM_ACTOR)
    if isinstance(actor, ApiKey):
        return _api_key(actor)
    if isinstance(actor, User):
        return _user(actor)
    if isinstance(actor, dict):
        if actor.get("type") not in ACTOR_TYPES:
            raise ValueError(f"An actor's type must be one of {', '.join(ACTOR_TYPES)}.")
        return {
            "type": actor["type"],
            "id": str(actor.get("id") or ""),
            "name": str(actor.get("name") or "")[:200],
        }
    if isinstance(actor, str):
        return {"type": "system", "id": "", "name": actor[:200] or SYSTEM_ACTOR["name"]}
    raise TypeError(f"Unknown actor {actor!r}: pass a Tenant, User, ApiKey, dict, str or None.")


def actor_workspace(actor: Any):
    """The workspace an actor works in, when it has one (a Tenant, or an API key)."""
    from accounts.models import ApiKey
    from accounts.tenancy import Tenant

    if isinstance(actor, Tenant):
        return actor.workspace
    if isinstance(actor, ApiKey):
        return actor.workspace
    return None
