from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import ApiKey, Workspace
from accounts.services import api_key_create
from tests.api_base import CreateTests, DeleteTests, ListTests, RetrieveTests
from tests.factories import make_api_key


class TestApiKeyAPI(ListTests, RetrieveTests, CreateTests, DeleteTests):
    path = "/api/v1/apiKeys"
    read_scope = "apiKeys:manage"
    write_scope = "apiKeys:manage"

    def make(self, workspace):
        return make_api_key(workspace, scopes=["events:read"])[0]

    def create_data(self, workspace):
        return {"name": "Billing integration", "scopes": ["enrollments:read", "events:read"]}

    def assert_deleted(self, client, obj):
        # Revoked keys stay listed for the audit trail, marked revoked.
        body = client.get(self.detail_path(obj)).json()
        assert body["revoked"] is True
        assert body["revokedAt"]


def test_create_returns_raw_key_once_and_it_works(api):
    response = api.post(
        "/api/v1/apiKeys", {"name": "Reader", "scopes": ["events:read"]}, format="json"
    )
    assert response.status_code == 201
    raw = response.json()["key"]
    assert raw.startswith("scoped_")
    assert response.json()["prefix"] == raw[: len(response.json()["prefix"])]
    listed = api.get(f"/api/v1/apiKeys/{response.json()['id']}").json()
    assert "key" not in listed
    client = APIClient()
    client.credentials(HTTP_X_API_KEY=raw)
    me = client.get("/api/v1/me").json()
    assert me["apiKey"]["scopes"] == ["events:read"]


def test_full_key_has_api_prefix(api):
    response = api.post("/api/v1/apiKeys", {"name": "Full"}, format="json")
    assert response.status_code == 201
    assert response.json()["key"].startswith("api_")


def test_a_key_never_grants_a_scope_it_lacks(api_client_for, workspace):
    client = api_client_for(workspace, scopes=["apiKeys:manage", "events:read"])
    response = client.post(
        "/api/v1/apiKeys", {"name": "Escalate", "scopes": ["enrollments:write"]}, format="json"
    )
    assert response.status_code == 403
    assert "enrollments:write" in response.json()["message"]
    # Nor a full key, which would hold every scope.
    assert client.post("/api/v1/apiKeys", {"name": "Full"}, format="json").status_code == 403
    # Nor programs:admin, which only platform staff mint.
    response = api_client_for(workspace).post(
        "/api/v1/apiKeys", {"name": "Admin", "scopes": ["programs:admin"]}, format="json"
    )
    assert response.status_code == 403


def test_unknown_scope_is_400(api):
    response = api.post("/api/v1/apiKeys", {"name": "x", "scopes": ["bogus"]}, format="json")
    assert response.status_code == 400
    assert "scopes" in response.json()["details"]


def test_raw_key_is_never_stored(workspace):
    key, raw = api_key_create(workspace=workspace, name="secret")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {ApiKey._meta.db_table}")
        rows = cursor.fetchall()
    assert rows
    assert not any(raw in str(value) for row in rows for value in row)
    assert key.key_hash != raw and len(key.key_hash) == 64


def _client(raw):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


def test_revoked_key_is_rejected(workspace, api):
    key, raw = make_api_key(workspace)
    assert _client(raw).get("/api/v1/me").status_code == 200
    assert api.delete(f"/api/v1/apiKeys/{key.pk}").status_code == 204
    response = _client(raw).get("/api/v1/me")
    assert response.status_code == 401
    assert response.json()["code"] == "UNAUTHENTICATED"


def test_expired_key_is_rejected(workspace):
    key, raw = make_api_key(workspace)
    ApiKey.objects.filter(pk=key.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert _client(raw).get("/api/v1/me").status_code == 401


def test_expiry_in_the_past_is_400(api):
    response = api.post(
        "/api/v1/apiKeys", {"name": "old", "expiresAt": "2001-01-01T00:00:00Z"}, format="json"
    )
    assert response.status_code == 400
    assert "expiresAt" in response.json()["details"]


@pytest.mark.parametrize(
    "header",
    [
        {"HTTP_AUTHORIZATION": "Bearer api_not-a-real-key"},
        {"HTTP_X_API_KEY": "scoped_nope"},
        {"HTTP_AUTHORIZATION": "Basic dXNlcjpwYXNz"},
        {"HTTP_AUTHORIZATION": "Bearer "},
    ],
)
def test_bad_credentials_are_401(db, header):
    response = APIClient().get("/api/v1/me", **header)
    assert response.status_code == 401
    assert response.json()["code"] == "UNAUTHENTICATED"
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_last_used_at_is_recorded(workspace):
    key, raw = make_api_key(workspace)
    assert key.last_used_at is None
    _client(raw).get("/api/v1/me")
    key.refresh_from_db()
    assert key.last_used_at is not None


def test_me_describes_the_key(api, workspace):
    body = api.get("/api/v1/me").json()
    assert body["workspace"] == {
        "id": workspace.pk,
        "slug": "production",
        "name": workspace.name,
    }
    assert body["organization"]["slug"] == workspace.organization.slug
    assert body["apiKey"]["id"] == api.api_key.pk
    assert body["apiKey"]["prefix"].startswith("api_")


def test_create_api_key_command_prints_key_last(db, capsys):
    call_command(
        "create_api_key",
        "--org",
        "acme",
        "--workspace",
        "sandbox",
        "--scopes",
        "events:read,programs:read",
        "--name",
        "CI",
    )
    raw = capsys.readouterr().out.strip().splitlines()[-1]
    assert raw.startswith("scoped_")
    me = _client(raw).get("/api/v1/me").json()
    assert me["organization"]["slug"] == "acme"
    assert me["workspace"]["slug"] == "sandbox"
    assert sorted(me["apiKey"]["scopes"]) == ["events:read", "programs:read"]
    # The organization got both default workspaces.
    assert set(
        Workspace.objects.filter(organization__slug="acme").values_list("slug", flat=True)
    ) == {
        "production",
        "sandbox",
    }


def test_create_api_key_command_platform_admin(db, capsys):
    call_command(
        "create_api_key", "--org", "staff", "--workspace", "production", "--platform-admin"
    )
    raw = capsys.readouterr().out.strip().splitlines()[-1]
    assert raw.startswith("api_")
    assert "programs:admin" in _client(raw).get("/api/v1/me").json()["apiKey"]["scopes"]


def test_create_api_key_command_rejects_unknown_scope(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="Unknown scope"):
        call_command("create_api_key", "--org", "a", "--workspace", "b", "--scopes", "nope")
