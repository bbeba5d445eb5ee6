"""GET /api/v1/auditLog: read-only, workspace-scoped, filtered, paginated, `audit:read` only."""

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone

from tests.api_base import ListTests, RetrieveTests

pytestmark = pytest.mark.django_db


class TestAuditLogAPI(ListTests, RetrieveTests):
    path = "/api/v1/auditLog"
    read_scope = "audit:read"

    @pytest.fixture(autouse=True)
    def _maker(self, make_entry):
        self._make_entry = make_entry

    def make(self, workspace):
        return self._make_entry(workspace, changes={"name": ["Old", "New"]})


def test_entry_shape(api, workspace, make_entry):
    entry = make_entry(
        workspace,
        actor={"type": "user", "id": "u1", "name": "Ada Lovelace"},
        changes={"name": ["Old", "New"]},
        ip_address="203.0.113.7",
    )
    body = api.get(f"/api/v1/auditLog/{entry.pk}").json()
    assert body == {
        "id": entry.pk,
        "at": body["at"],
        "workspaceId": workspace.pk,
        "actor": {"type": "user", "id": "u1", "name": "Ada Lovelace"},
        "action": "programInstance.updated",
        "objectType": "programInstance",
        "objectId": "inst1",
        "objectName": "",
        "changes": {"name": ["Old", "New"]},
        "details": {},
        "ipAddress": "203.0.113.7",
        "idempotencyKey": "",
    }


def test_filters(api, workspace, make_entry):
    a = make_entry(workspace, object_type="program", object_id="p1", action="program.created")
    b = make_entry(
        workspace,
        actor={"type": "apiKey", "id": "key1", "name": "CRM"},
        object_id="i2",
        action="programInstance.deleted",
    )

    def ids(**params):
        return [row["id"] for row in api.get("/api/v1/auditLog", params).json()["data"]]

    assert ids(objectType="program") == [a.pk]
    assert ids(objectId="i2") == [b.pk]
    assert ids(actorId="key1") == [b.pk]
    assert ids(action="programInstance.deleted") == [b.pk]
    tomorrow = (timezone.now() + dt.timedelta(days=1)).isoformat()
    assert ids(since=tomorrow) == []
    assert {a.pk, b.pk} <= set(ids(since="2000-01-01"))


def test_bad_since_is_a_400_naming_the_parameter(api):
    response = api.get("/api/v1/auditLog", {"since": "yesterday"})
    assert response.status_code == 400
    assert "since" in response.json()["message"]


def test_read_only(api, workspace, make_entry):
    entry = make_entry(workspace)
    assert api.post("/api/v1/auditLog", {}, format="json").status_code == 405
    assert api.patch(f"/api/v1/auditLog/{entry.pk}", {}, format="json").status_code == 405
    assert api.delete(f"/api/v1/auditLog/{entry.pk}").status_code == 405


@pytest.mark.parametrize("role,allowed", [("owner", True), ("admin", True), ("operator", False)])
def test_roles(member_client, role, allowed):
    response = member_client(role=role).get("/api/v1/auditLog")
    assert response.status_code == (200 if allowed else 403)


def test_full_keys_hold_audit_read(api):
    assert "audit:read" in api.api_key.scopes
    assert api.api_key.is_full


def test_another_workspaces_entries_stay_invisible(api, other_workspace):
    """An instance created in another workspace: its entry is neither listed (even filtered by
    the object's id) nor readable (404)."""
    from audit.models import AuditEntry
    from instances.services import instance_create
    from tests.factories import ProgramFactory

    with transaction.atomic():
        theirs = instance_create(
            workspace=other_workspace, program=ProgramFactory(), data={"name": "Theirs"}
        )
    entry = AuditEntry.objects.get(object_id=theirs.pk)
    listed = api.get("/api/v1/auditLog", {"objectId": theirs.pk}).json()
    assert listed["totalItems"] == 0
    assert api.get(f"/api/v1/auditLog/{entry.pk}").status_code == 404
