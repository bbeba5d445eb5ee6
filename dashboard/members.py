"""Members of a workspace: add by email, change role, remove.

Rules that protect a workspace from locking itself out: only an owner may grant the owner role or
change or remove an owner, and the last owner can never be demoted or removed.
"""

import secrets

from django.db import transaction

from accounts import scopes as scope_names
from accounts.models import Membership, User, Workspace
from accounts.services import membership_set
from accounts.tenancy import Tenant
from config.errors import ConflictError, DomainValidationError, ForbiddenError

OWNER = scope_names.ROLE_OWNER


def _check_owner_rule(*, tenant: Tenant, old_role: str | None, new_role: str | None) -> None:
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
def member_add(*, tenant: Tenant, workspace: Workspace, email: str, role: str) -> Membership:
    """Add the user with this email (creating an account they activate with "forgot password")."""
    email = email.strip()
    if not email:
        raise DomainValidationError("An email is required.", details={"email": ["Required."]})
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
    return membership_set(user=user, workspace=workspace, role=role)


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
    return membership_set(user=membership.user, workspace=membership.workspace, role=role)


@transaction.atomic
def member_remove(*, tenant: Tenant, membership: Membership) -> None:
    _check_owner_rule(tenant=tenant, old_role=membership.role, new_role=None)
    _check_not_last_owner(membership=membership)
    membership.delete()
