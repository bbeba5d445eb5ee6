"""The audit log shows the Idempotency-Key of the API request that made a write (issue 12):
on the entry, in GET /api/v1/auditLog and on the Activity page; a replay writes nothing new."""

import pytest

from audit.models import AuditEntry
from enrollments.models import Lead
from instances.models import ProgramInstance
from tests.factories import ProgramFactory

pytestmark = pytest.mark.django_db


def post(client, path, data, key):
    return client.post(path, data, format="json", HTTP_IDEMPOTENCY_KEY=key)


def test_a_keyed_create_records_the_key_and_a_replay_writes_no_second_entry(api, workspace, dash):
    body = {"programSlug": ProgramFactory().slug, "name": "Spring rebates"}
    first = post(api, "/api/v1/programInstances", body, "crm-sync-7f3a")
    assert first.status_code == 201, first.content
    instance_id = first.json()["id"]
    entry = AuditEntry.objects.get(object_id=instance_id)
    assert entry.action == "programInstance.created"
    assert entry.idempotency_key == "crm-sync-7f3a"

    again = post(api, "/api/v1/programInstances", body, "crm-sync-7f3a")
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert AuditEntry.objects.filter(object_id=instance_id).count() == 1
    assert ProgramInstance.objects.for_workspace(workspace).count() == 1

    listed = api.get("/api/v1/auditLog", {"objectId": instance_id}).json()["data"]
    assert [row["idempotencyKey"] for row in listed] == ["crm-sync-7f3a"]
    assert api.get(f"/api/v1/auditLog/{entry.pk}").json()["idempotencyKey"] == "crm-sync-7f3a"

    html = dash(role="owner").get("/activity/").content.decode()
    assert "API request key" in html and "crm-sync-7f3a" in html


def test_the_created_row_and_the_audit_entry_carry_the_same_key(api, workspace):
    lead = post(api, "/api/v1/leads", {"firstName": "Ada", "email": "ada@example.com"}, "k-1")
    assert lead.status_code == 201, lead.content
    assert Lead.objects.get(pk=lead.json()["id"]).idempotency_key == "k-1"
    body = {"programSlug": ProgramFactory().slug, "name": "Summer"}
    created = post(api, "/api/v1/programInstances", body, "k-2").json()
    assert AuditEntry.objects.get(object_id=created["id"]).idempotency_key == "k-2"
    replayed = post(api, "/api/v1/leads", {"firstName": "Ada", "email": "ada@example.com"}, "k-1")
    assert replayed["Idempotent-Replayed"] == "true"
    assert Lead.objects.for_workspace(workspace).count() == 1


def test_writes_without_a_key_record_none(api, dash):
    body = {"programSlug": ProgramFactory().slug, "name": "Autumn"}
    created = api.post("/api/v1/programInstances", body, format="json").json()
    entry = AuditEntry.objects.get(object_id=created["id"])
    assert entry.idempotency_key == ""
    assert api.get(f"/api/v1/auditLog/{entry.pk}").json()["idempotencyKey"] == ""
    assert "API request key" not in dash(role="owner").get("/activity/").content.decode()
