"""The staff admin for accounts: a new key is shown once, revoking is an action, and staff who
are not superusers see only their own workspaces."""

import re

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from rest_framework.test import APIClient

from accounts.models import ApiKey, Membership
from tests.factories import MembershipFactory, UserFactory, make_api_key


@pytest.fixture
def superuser_client(client, db):
    user = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(user)
    return client


def test_admin_creates_key_and_shows_it_once(superuser_client, workspace):
    response = superuser_client.post(
        "/admin/accounts/apikey/add/",
        {"workspace": workspace.pk, "name": "Admin-made", "scopes": ["events:read"]},
        follow=True,
    )
    assert response.status_code == 200
    # Shown on the response page, not in a message (tests/security/test_admin_key_display.py).
    assert not [m for m in get_messages(response.wsgi_request) if "scoped_" in str(m)]
    raw = re.search(r"(scoped_\w+)", response.content.decode()).group(1)
    key = ApiKey.objects.get(name="Admin-made")
    assert key.scopes == ["events:read"]
    assert (
        raw not in superuser_client.get(f"/admin/accounts/apikey/{key.pk}/change/").content.decode()
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert client.get("/api/v1/me").status_code == 200


def test_admin_revoke_action(superuser_client, workspace):
    key, raw = make_api_key(workspace)
    response = superuser_client.post(
        "/admin/accounts/apikey/",
        {"action": "revoke_keys", "_selected_action": [key.pk]},
        follow=True,
    )
    assert response.status_code == 200
    key.refresh_from_db()
    assert key.revoked_at is not None
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert client.get("/api/v1/me").status_code == 401


def test_admin_new_organization_gets_default_workspaces(superuser_client):
    response = superuser_client.post(
        "/admin/accounts/organization/add/",
        {
            "name": "Gulf Coast Power",
            "slug": "gulf-coast",
            "workspaces-TOTAL_FORMS": "0",
            "workspaces-INITIAL_FORMS": "0",
        },
        follow=True,
    )
    assert response.status_code == 200
    from accounts.models import Organization

    org = Organization.objects.get(slug="gulf-coast")
    assert set(org.workspaces.values_list("slug", flat=True)) == {"production", "sandbox"}


def test_staff_non_superuser_sees_only_their_workspaces(client, workspace, other_workspace):
    staff = UserFactory(username="staffer", is_staff=True)
    staff.user_permissions.set(Permission.objects.filter(content_type__app_label="accounts"))
    MembershipFactory(user=staff, workspace=workspace, role=Membership.Role.ADMIN)
    make_api_key(workspace, name="mine-key")
    theirs, _ = make_api_key(other_workspace, name="their-key")
    client.force_login(staff)
    page = client.get("/admin/accounts/apikey/").content.decode()
    assert "mine-key" in page and "their-key" not in page
    assert client.get(f"/admin/accounts/apikey/{theirs.pk}/change/").status_code == 302
    add_form = client.get("/admin/accounts/apikey/add/").content.decode()
    assert str(other_workspace.pk) not in add_form
    assert "programs:admin" not in add_form
