"""The API key cache saves a query per request and never outlives a change to the key:
revocation, new scopes or a deleted key take effect on the very next request."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import ApiKey
from accounts.services import api_key_revoke


def test_cached_key_costs_no_query(api, workspace):
    api.get("/api/v1/me")
    with CaptureQueriesContext(connection) as queries:
        assert api.get("/api/v1/me").status_code == 200
    assert not any("accounts_apikey" in q["sql"] for q in queries.captured_queries)


def test_revocation_through_the_api_takes_effect_at_once(api_client_for, workspace):
    admin, victim = api_client_for(workspace), api_client_for(workspace)
    assert victim.get("/api/v1/me").status_code == 200  # now cached
    assert admin.delete(f"/api/v1/apiKeys/{victim.api_key.pk}").status_code == 204
    response = victim.get("/api/v1/me")
    assert response.status_code == 401
    assert response.json()["code"] == "UNAUTHENTICATED"


def test_revocation_by_the_service_and_deletion_take_effect_at_once(api_client_for, workspace):
    one, two = api_client_for(workspace), api_client_for(workspace)
    assert one.get("/api/v1/me").status_code == 200
    assert two.get("/api/v1/me").status_code == 200
    api_key_revoke(api_key=ApiKey.objects.get(pk=one.api_key.pk))
    assert one.get("/api/v1/me").status_code == 401
    ApiKey.objects.get(pk=two.api_key.pk).delete()
    assert two.get("/api/v1/me").status_code == 401


def test_scope_changes_take_effect_at_once(api_client_for, workspace):
    client = api_client_for(workspace)
    assert client.get("/api/v1/enrollments").status_code == 200
    key = ApiKey.objects.get(pk=client.api_key.pk)
    key.scopes = ["events:read"]
    key.save()
    assert client.get("/api/v1/enrollments").status_code == 403


def test_workspace_changes_reach_cached_keys(api_client_for, workspace):
    client = api_client_for(workspace)
    assert client.get("/api/v1/me").status_code == 200
    workspace.require_if_match = True
    workspace.save()
    lead = client.post("/api/v1/leads", {"email": "a@example.com"}, format="json").json()
    response = client.patch(f"/api/v1/leads/{lead['id']}", {"phone": "+15550000"})
    assert response.status_code == 428
