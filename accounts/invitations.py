"""Member invitations: adding someone to a workspace needs their consent.

`member_add` (accounts.services, every door: dashboard, admin) creates an Invitation and emails
a link; `invitation_accept` turns it into a Membership when the signed-in user whose email it
names accepts. The link is a TimestampSigner token of the invitation id (salted, so no other
signed value of the site can be replayed as one) valid INVITATION_MAX_AGE.
"""

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import Invitation, Membership, User
from config.errors import ConflictError, ForbiddenError, NotFoundError

INVITATION_MAX_AGE = timedelta(days=14)
_SALT = "gridprograms.invitation"


def invitation_token(invitation: Invitation) -> str:
    return signing.TimestampSigner(salt=_SALT).sign(invitation.pk)


def invitation_url(invitation: Invitation) -> str:
    path = reverse("dashboard:invitation", kwargs={"token": invitation_token(invitation)})
    return f"{settings.SITE_URL}{path}"


def invitation_from_token(token: str) -> Invitation:
    try:
        pk = signing.TimestampSigner(salt=_SALT).unsign(
            token, max_age=INVITATION_MAX_AGE.total_seconds()
        )
    except signing.SignatureExpired:
        raise NotFoundError("This invitation has expired; ask for a new one.") from None
    except signing.BadSignature:
        raise NotFoundError("This invitation link is not valid.") from None
    invitation = Invitation.objects.select_related("workspace__organization").filter(pk=pk).first()
    if invitation is None:
        raise NotFoundError("This invitation was withdrawn.")
    return invitation


def invitation_send(invitation: Invitation) -> None:
    inviter = invitation.invited_by.get_username() if invitation.invited_by else "An administrator"
    send_mail(
        subject=f"You are invited to {invitation.workspace} on GridPrograms",
        message=(
            f"{inviter} invited you to join {invitation.workspace} as {invitation.role}.\n\n"
            f"Sign in with the account of {invitation.email} and accept here:\n"
            f"{invitation_url(invitation)}\n\n"
            "If you do not know this workspace, ignore this email: nothing changes until you "
            f"accept. The link works for {INVITATION_MAX_AGE.days} days.\n"
        ),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[invitation.email],
    )


@transaction.atomic
def invitation_accept(*, invitation: Invitation, user: User) -> Membership:
    """Make `user` a member, if the invitation names their email and is still open."""
    from accounts.services import membership_set

    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if (user.email or "").lower() != invitation.email.lower():
        raise ForbiddenError(
            f"This invitation is for {invitation.email}; sign in with that account to accept it."
        )
    if invitation.accepted_at is not None:
        raise ConflictError("This invitation was already accepted.")
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    return membership_set(
        user=user, workspace=invitation.workspace, role=invitation.role, actor=user
    )
