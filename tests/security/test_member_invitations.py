"""Membership with consent (issue 14, point 8): adding a member sends an invitation; only the
invited person, signed in, can accept it; until then they are not a member."""

import re

import pytest
from django.core import mail
from django.test import Client

from accounts.models import Invitation, Membership
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)  # the email is sent on commit


def _link(message) -> str:
    return re.search(r"http://\S+/invitations/\S+/", message.body).group(0).split("8000", 1)[-1]


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_dashboard_invitation_flow(dash, workspace):
    invitee = UserFactory(username="ivy", email="ivy@example.com")
    response = dash(role="admin").post(
        "/settings/members/", {"email": "IVY@example.com", "role": "operator"}
    )
    assert response.status_code == 302
    assert not Membership.objects.filter(user=invitee).exists()
    (message,) = mail.outbox
    assert message.to == ["ivy@example.com"] and "operator" in message.body
    link = _link(message)

    # Not signed in: the login page first. Another account: 403, still no membership.
    assert Client().get(link).status_code == 302
    stranger = _signed_in(UserFactory(username="mallory", email="mallory@example.com"))
    assert stranger.get(link).status_code == 403
    assert stranger.post(link).status_code == 403
    assert not Membership.objects.filter(workspace=workspace, user__username="mallory").exists()
    # A forged link is a 404.
    assert _signed_in(invitee).get(link[:-3] + "xx/").status_code == 404

    # The invitee sees what they are joining, accepts, and lands in that workspace.
    client = _signed_in(invitee)
    page = client.get(link)
    assert page.status_code == 200 and "Accept and join" in page.content.decode()
    assert not Membership.objects.filter(user=invitee).exists()
    assert client.post(link).status_code == 302
    membership = Membership.objects.get(user=invitee, workspace=workspace)
    assert membership.role == "operator"
    assert client.get("/").context["tenant"].workspace == workspace
    # Accepting twice changes nothing.
    assert client.post(link).status_code == 302
    assert Membership.objects.filter(user=invitee).count() == 1


def test_inviting_a_new_email_creates_an_account_but_no_membership(dash, workspace):
    dash(role="admin").post("/settings/members/", {"email": "new@example.com", "role": "viewer"})
    assert not Membership.objects.filter(user__email="new@example.com").exists()
    assert Invitation.objects.get(email="new@example.com").accepted_at is None
    assert len(mail.outbox) == 1


def test_admin_invites_through_the_same_service(workspace):
    root = _signed_in(UserFactory(username="root", is_staff=True, is_superuser=True))
    invitee = UserFactory(username="ivy", email="ivy@example.com")
    assert root.get("/admin/accounts/membership/add/").status_code == 403
    response = root.post(
        "/admin/accounts/invitation/add/",
        {"workspace": workspace.pk, "email": "ivy@example.com", "role": "viewer"},
    )
    assert response.status_code == 302
    assert not Membership.objects.filter(user=invitee).exists()
    (message,) = mail.outbox
    client = _signed_in(invitee)
    assert client.post(_link(message)).status_code == 302
    assert Membership.objects.get(user=invitee).workspace == workspace
    again = root.post(
        "/admin/accounts/invitation/add/",
        {"workspace": workspace.pk, "email": "ivy@example.com", "role": "viewer"},
    )
    assert again.status_code == 200 and "Already a member" in again.content.decode()
