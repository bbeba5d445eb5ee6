"""Memberships in the admin follow the dashboard's member rules, through the same services."""

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from accounts.models import Membership
from audit.models import AuditEntry
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def _staff(workspace, role):
    staff = UserFactory(is_staff=True)
    MembershipFactory(user=staff, workspace=workspace, role=role)
    staff.user_permissions.set(Permission.objects.all())
    client = Client()
    client.force_login(staff)
    return client


def _change(client, membership, role):
    return client.post(f"/admin/accounts/membership/{membership.pk}/change/", {"role": role})


def test_owner_changes_a_role_and_it_is_recorded(workspace):
    member = MembershipFactory(workspace=workspace, role="viewer")
    response = _change(_staff(workspace, "owner"), member, "operator")
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.role == "operator"
    entry = AuditEntry.objects.get(action="member.roleChanged")
    assert entry.changes == {"role": ["viewer", "operator"]}


def test_operator_staff_cannot_manage_members(workspace):
    member = MembershipFactory(workspace=workspace, role="viewer")
    response = _change(_staff(workspace, "operator"), member, "admin")
    assert response.status_code == 200
    assert "Only the workspace&#x27;s admins and owners" in response.content.decode()
    member.refresh_from_db()
    assert member.role == "viewer"


def test_admin_staff_cannot_grant_owner_and_last_owner_stays(workspace):
    member = MembershipFactory(workspace=workspace, role="viewer")
    client = _staff(workspace, "admin")
    response = _change(client, member, "owner")
    assert "Only an owner can grant" in response.content.decode()
    owner = MembershipFactory(workspace=workspace, role="owner")
    page = client.get(f"/admin/accounts/membership/{owner.pk}/delete/")
    assert page.status_code == 403
    assert Membership.objects.filter(pk=owner.pk).exists()
