"""Dashboard users calling the API with their session get their membership role's scopes."""

import pytest

from accounts.models import Workspace
from accounts.scopes import ROLE_SCOPES


@pytest.mark.parametrize("role", ["viewer", "operator", "admin", "owner"])
def test_session_user_gets_role_scopes(member_client, role):
    body = member_client(role=role).get("/api/v1/me").json()
    assert body["apiKey"] is None
    assert body["user"]["role"] == role
    assert set(body["user"]["scopes"]) == set(ROLE_SCOPES[role])


def test_viewer_cannot_manage_api_keys(member_client):
    assert member_client(role="viewer").get("/api/v1/apiKeys").status_code == 403
    assert member_client(role="admin").get("/api/v1/apiKeys").status_code == 200


def test_user_without_membership_is_403(db, django_user_model):
    from rest_framework.test import APIClient

    user = django_user_model.objects.create_user(username="loner", password="x")
    client = APIClient()
    client.force_login(user)
    response = client.get("/api/v1/me")
    assert response.status_code == 403
    assert response.json()["code"] == "FORBIDDEN"


def test_admin_key_created_by_session_user_records_creator(member_client):
    client = member_client(role="admin")
    response = client.post(
        "/api/v1/apiKeys", {"name": "From UI", "scopes": ["events:read"]}, format="json"
    )
    assert response.status_code == 201
    assert client.user.username in response.json()["createdBy"]


def test_new_organization_gets_production_and_sandbox(organization):
    slugs = set(Workspace.objects.filter(organization=organization).values_list("slug", flat=True))
    assert slugs == {"production", "sandbox"}
