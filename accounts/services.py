"""Writes on accounts: organizations with their default workspaces, API keys, memberships.

Members: only an owner may grant the owner role or change or remove an owner, and the last owner
can never be demoted or removed, so that a workspace cannot lock itself out.
"""

import hashlib
import secrets
import string
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from accounts import scopes as scope_names
from accounts.models import ApiKey, Invitation, Membership, Organization, User, Workspace
from accounts.tenancy import Tenant
from audit.services import audit_object, audit_record
from config.errors import ConflictError, DomainValidationError, ForbiddenError

_KEY_ALPHABET = string.ascii_letters + string.digits
_KEY_RANDOM_LENGTH = 40
_VISIBLE_RANDOM_CHARS = 8
# Writing lastUsedAt on every request would turn every read into a write; a minute is precise
# enough to tell live keys from dead ones.
LAST_USED_PRECISION = timedelta(seconds=60)

DEFAULT_WORKSPACES = (
    ("production", "Production", Workspace.Environment.PRODUCTION),
    ("sandbox", "Sandbox", Workspace.Environment.SANDBOX),
)


_MEMBER_AUDITED = ("user", "role")
# What the audit log records of a key (never its hash).
_KEY_AUDITED = ("name", "prefix", "scopes", "expires_at")


def hash_key(raw_key: str) -> str:
    return hashlib.sha256(raw_key.encode()).hexdigest()


@transaction.atomic
def organization_create(*, name: str, slug: str | None = None) -> Organization:
    """Create an organization with its `production` and `sandbox` workspaces."""
    organization = Organization.objects.create(name=name, slug=slug or slugify(name))
    workspaces_ensure_defaults(organization=organization)
    return organization


def workspaces_ensure_defaults(*, organization: Organization) -> None:
    for slug, name, environment in DEFAULT_WORKSPACES:
        Workspace.objects.get_or_create(
            organization=organization,
            slug=slug,
            defaults={"name": name, "environment": environment},
        )


@transaction.atomic
def workspace_get_or_create(*, org_slug: str, workspace_slug: str) -> Workspace:
    """Used by the bootstrap command: creates the organization and workspace when absent."""
    organization = Organization.objects.filter(slug=org_slug).first()
    if organization is None:
        organization = organization_create(name=org_slug.replace("-", " ").title(), slug=org_slug)
    workspace, _ = Workspace.objects.get_or_create(
        organization=organization,
        slug=workspace_slug,
        defaults={"name": workspace_slug.replace("-", " ").title()},
    )
    return workspace


WORKSPACE_SETTINGS = ("name", "slug", "environment")


@transaction.atomic
def workspace_update(*, workspace: Workspace, data: dict, actor=None) -> Workspace:
    """Change a workspace's settings (name, slug, environment), recorded in the audit log as
    `workspace.updated` with what changed. Any page that edits workspace settings calls this."""
    unknown = sorted(set(data) - set(WORKSPACE_SETTINGS))
    if unknown:
        raise DomainValidationError(f"Unknown workspace setting(s): {', '.join(unknown)}.")
    workspace = Workspace.objects.select_for_update().get(pk=workspace.pk)
    before = {name: getattr(workspace, name) for name in WORKSPACE_SETTINGS}
    for name, value in data.items():
        setattr(workspace, name, value)
    workspace.full_clean(exclude=["organization"])
    workspace.save()
    audit_object(
        workspace,
        actor=actor,
        action="workspace.updated",
        fields=WORKSPACE_SETTINGS,
        before=before,
        workspace=workspace.pk,
    )
    return workspace


@transaction.atomic
def api_key_create(
    *,
    workspace: Workspace,
    name: str,
    scopes: list[str] | None = None,
    platform_admin: bool = False,
    expires_at: datetime | None = None,
    created_by_user: User | None = None,
    created_by_key: ApiKey | None = None,
    granter_scopes: frozenset[str] | None = None,
    actor=None,
    require_if_match: bool = False,
) -> tuple[ApiKey, str]:
    """Mint a key and return it with its raw value, which is never stored and never shown again.

    `scopes=None` makes a full key (every workspace scope, prefix `api_`); a list makes a scoped
    key (prefix `scoped_`). `granter_scopes`, when given, is what the caller holds: a key can
    never grant a scope its creator lacks. `actor` (for the audit log) defaults to the creating
    key, else the creating user, else the system (the command line).
    """
    full = scopes is None
    chosen = list(scope_names.WORKSPACE_SCOPES) if full else scope_names.parse_scopes(scopes)
    if not chosen:
        raise DomainValidationError(
            "A scoped key needs at least one scope.", details={"scopes": ["Must not be empty."]}
        )
    if platform_admin and scope_names.PROGRAMS_ADMIN not in chosen:
        chosen.append(scope_names.PROGRAMS_ADMIN)
    if granter_scopes is not None:
        missing = [s for s in chosen if s not in granter_scopes]
        if missing:
            raise ForbiddenError(
                f"You cannot grant scopes you do not hold: {', '.join(missing)}.",
                details={"scopes": missing},
            )
    if expires_at is not None and expires_at <= timezone.now():
        raise DomainValidationError(
            "The expiry date must be in the future.",
            details={"expires_at": ["Must be in the future."]},
        )
    kind_prefix = ApiKey.FULL_PREFIX if full else ApiKey.SCOPED_PREFIX
    raw = kind_prefix + "".join(secrets.choice(_KEY_ALPHABET) for _ in range(_KEY_RANDOM_LENGTH))
    key = ApiKey.objects.create(
        workspace=workspace,
        name=name,
        prefix=raw[: len(kind_prefix) + _VISIBLE_RANDOM_CHARS],
        key_hash=hash_key(raw),
        scopes=chosen,
        expires_at=expires_at,
        created_by_user=created_by_user,
        created_by_key=created_by_key,
        require_if_match=require_if_match,
    )
    if actor is None:
        actor = created_by_key or created_by_user
    audit_object(key, actor=actor, action="apiKey.created", fields=_KEY_AUDITED)
    return key, raw


@transaction.atomic
def api_key_revoke(*, api_key: ApiKey, actor=None) -> ApiKey:
    """Revoke (the row stays, for the audit trail). Revoking a revoked key changes nothing."""
    if api_key.revoked_at is None:
        api_key.revoked_at = timezone.now()
        api_key.save(update_fields=["revoked_at"])
        audit_object(
            api_key,
            actor=actor,
            action="apiKey.revoked",
            fields=["revoked_at"],
            before={"revoked_at": None},
        )
    return api_key


def api_key_authenticate(*, raw_key: str) -> ApiKey | None:
    """The usable key for this raw value, or None (unknown, revoked or expired)."""
    if not raw_key.startswith((ApiKey.FULL_PREFIX, ApiKey.SCOPED_PREFIX)) or len(raw_key) > 100:
        return None
    from accounts import key_cache

    digest = hash_key(raw_key)
    key = key_cache.cached_key(digest)
    if key is None:
        key = (
            ApiKey.objects.select_related("workspace__organization").filter(key_hash=digest).first()
        )
        if key is not None:
            key_cache.remember(key)
    now = timezone.now()
    if key is None or not key.is_usable(now):
        return None
    if key.last_used_at is None or now - key.last_used_at > LAST_USED_PRECISION:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        key.last_used_at = now
        key_cache.remember(key)
    return key


@transaction.atomic
def membership_set(*, user: User, workspace: Workspace, role: str, actor=None) -> Membership:
    """Give `user` this role in `workspace` (adding them if needed); recorded in the audit log
    as `member.added` or `member.roleChanged` (nothing when the role is already this one)."""
    current = Membership.objects.filter(user=user, workspace=workspace).first()
    membership, created = Membership.objects.update_or_create(
        user=user, workspace=workspace, defaults={"role": role}
    )
    if created:
        audit_object(membership, actor=actor, action="member.added", fields=_MEMBER_AUDITED)
    elif current.role != role:
        audit_object(
            membership,
            actor=actor,
            action="member.roleChanged",
            fields=["role"],
            before={"role": current.role},
        )
    return membership


# --- members -------------------------------------------------------------------------------
OWNER = scope_names.ROLE_OWNER


def _check_owner_rule(*, tenant: Tenant, old_role: str | None, new_role: str | None) -> None:
    # Every member write passes here: only admins and owners manage members, on every door.
    if scope_names.ROLE_RANK.get(tenant.role or "", -1) < scope_names.ROLE_RANK["admin"]:
        raise ForbiddenError("Only the workspace's admins and owners can manage its members.")
    if OWNER in (old_role, new_role) and tenant.role != OWNER:
        raise ForbiddenError("Only an owner can grant, change or remove the owner role.")


def _check_not_last_owner(*, membership: Membership) -> None:
    if membership.role != OWNER:
        return
    owners = Membership.objects.for_workspace(membership.workspace).filter(role=OWNER)
    # Lock the owners' rows so two concurrent demotions cannot both pass this check.
    if len(owners.select_for_update()) <= 1:
        raise ConflictError("A workspace needs at least one owner; make someone else owner first.")


@transaction.atomic
def member_add(
    *, tenant: Tenant | None, workspace: Workspace, email: str, role: str, invited_by=None
) -> Invitation:
    """Invite the person with this email; they become a member only when they accept
    (accounts.invitations). An account is created if none has this email, which they activate
    with "forgot password". `tenant` is the inviting member (None: platform staff in the admin).
    """
    from accounts.invitations import invitation_send

    email = email.strip()
    if not email:
        raise DomainValidationError("An email is required.", details={"email": ["Required."]})
    if role not in Membership.Role.values:
        raise DomainValidationError("Unknown role.", details={"role": ["Unknown role."]})
    if tenant is not None:
        _check_owner_rule(tenant=tenant, old_role=None, new_role=role)
    user = User.objects.filter(email__iexact=email).order_by("date_joined").first()
    if user is None:
        user = User(username=_free_username(email), email=email)
        # A random usable password, so that "Forgot your password?" lets them choose their own.
        user.set_password(secrets.token_urlsafe(32))
        user.save()
    existing = Membership.objects.for_workspace(workspace).filter(user=user).first()
    if existing is not None:
        raise ConflictError(
            f"{email} is already a member ({existing.role}).",
            details={"email": ["Already a member."]},
        )
    open_invitations = Invitation.objects.filter(
        workspace=workspace, email__iexact=user.email or email, accepted_at__isnull=True
    )
    if open_invitations.exists():
        raise ConflictError(
            f"{email} is already invited; they become a member when they accept.",
            details={"email": ["Already invited."]},
        )
    invitation = Invitation.objects.create(
        workspace=workspace,
        email=user.email or email,
        role=role,
        invited_by=invited_by or (tenant.user if tenant is not None else None),
    )
    audit_record(
        workspace=workspace,
        actor=tenant if tenant is not None else invited_by,
        action="member.invited",
        object_type="member",
        object_id=invitation.pk,
        changes={"email": [None, invitation.email], "role": [None, role]},
    )
    transaction.on_commit(lambda: invitation_send(invitation))
    return invitation


def member_check(*, tenant: Tenant, membership: Membership | None, role: str | None) -> None:
    """The member rules without writing anything (the admin's form validation calls this; the
    services check again when they write). `role=None` means removal."""
    _check_owner_rule(
        tenant=tenant, old_role=membership.role if membership else None, new_role=role
    )
    if membership is not None and role != OWNER:
        _check_not_last_owner(membership=membership)


@transaction.atomic
def member_grant(*, tenant: Tenant, user: User, workspace: Workspace, role: str) -> Membership:
    """Make an existing user a member (the admin's "add membership")."""
    member_check(tenant=tenant, membership=None, role=role)
    if Membership.objects.for_workspace(workspace).filter(user=user).exists():
        raise ConflictError(f"{user} is already a member.", details={"user": ["Already a member."]})
    return membership_set(user=user, workspace=workspace, role=role, actor=tenant)


def _free_username(email: str) -> str:
    """The email as username, or the email with a number when someone already uses it."""
    base = email.lower()[:140]
    candidate, n = base, 1
    while User.objects.filter(username__iexact=candidate).exists():
        n += 1
        candidate = f"{base}-{n}"
    return candidate


@transaction.atomic
def member_set_role(*, tenant: Tenant, membership: Membership, role: str) -> Membership:
    if role not in Membership.Role.values:
        raise DomainValidationError("Unknown role.", details={"role": ["Unknown role."]})
    _check_owner_rule(tenant=tenant, old_role=membership.role, new_role=role)
    if role != OWNER:
        _check_not_last_owner(membership=membership)
    return membership_set(
        user=membership.user, workspace=membership.workspace, role=role, actor=tenant
    )


@transaction.atomic
def member_remove(*, tenant: Tenant, membership: Membership) -> None:
    _check_owner_rule(tenant=tenant, old_role=membership.role, new_role=None)
    _check_not_last_owner(membership=membership)
    membership_delete(membership=membership, actor=tenant)


@transaction.atomic
def membership_delete(*, membership: Membership, actor=None) -> None:
    """Remove the membership, recorded as `member.removed` (the admin calls this too)."""
    audit_object(membership, actor=actor, action="member.removed", fields=_MEMBER_AUDITED)
    membership.delete()


def workspace_set_time_zone(*, tenant: Tenant, workspace: Workspace, time_zone: str) -> Workspace:
    """The zone the dashboard shows the workspace's times in (an IANA name). Admins and owners
    only; the same validator as the model field (so the admin door agrees)."""
    from django.core.exceptions import ValidationError

    from accounts.models import validate_time_zone

    if scope_names.ROLE_RANK.get(tenant.role or "", -1) < scope_names.ROLE_RANK["admin"]:
        raise ForbiddenError("Only the workspace's admins and owners can change its time zone.")
    name = (time_zone or "").strip()
    try:
        validate_time_zone(name)
    except ValidationError as error:
        raise DomainValidationError(
            error.messages[0], details={"timeZone": [error.messages[0]]}
        ) from None
    workspace.time_zone = name
    workspace.save(update_fields=["time_zone"])
    return workspace
