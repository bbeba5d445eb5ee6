"""Every management write leaves one audit entry: who (actor), what (changes), from where (IP),
in the change's own transaction. Driven through the doors people use (API, dashboard)."""

import pytest
from django.db import transaction

from audit.models import AuditEntry
from events.models import Event
from instances.models import ProgramInstance
from instances.services import instance_delete, instance_update
from tests.audit.conftest import entries
from tests.enrollments.factories import EnrollmentFactory
from tests.factories import ProgramFactory, ProgramInstanceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _webhooks_to_loopback(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS = True


def key_actor(client):
    key = client.api_key
    return {"type": "apiKey", "id": key.pk, "name": f"{key.name} ({key.prefix}…)"}


def user_actor(user):
    return {"type": "user", "id": user.pk, "name": user.get_username()}


def only(workspace, action):
    found = entries(workspace, action=action)
    assert len(found) == 1, [e.action for e in entries(workspace)]
    return found[0]


# --- instances -------------------------------------------------------------------------------
def test_instance_create_update_status_delete_through_the_api(api, workspace):
    program = ProgramFactory()
    response = api.post(
        "/api/v1/programInstances",
        {"programSlug": program.slug, "name": "Summer Peak"},
        format="json",
        REMOTE_ADDR="198.51.100.4",
    )
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    created = only(workspace, "programInstance.created")
    assert (created.object_type, created.object_id) == ("programInstance", pk)
    assert created.actor == key_actor(api)
    assert created.changes["name"] == [None, "Summer Peak"]
    assert created.changes["program"] == [None, program.pk]
    assert created.ip_address == "198.51.100.4"

    api.patch(f"/api/v1/programInstances/{pk}", {"name": "Winter Peak"}, format="json")
    updated = only(workspace, "programInstance.updated")
    assert updated.changes == {"name": ["Summer Peak", "Winter Peak"]}
    assert updated.actor == key_actor(api)

    api.patch(f"/api/v1/programInstances/{pk}", {"name": "Winter Peak"}, format="json")
    assert len(entries(workspace, action="programInstance.updated")) == 1  # no change, no entry

    assert api.delete(f"/api/v1/programInstances/{pk}").status_code == 204
    deleted = only(workspace, "programInstance.deleted")
    assert deleted.object_id == pk
    assert deleted.changes["name"] == ["Winter Peak", None]


def test_instance_status_through_the_dashboard(dash, workspace):
    instance = ProgramInstanceFactory(workspace=workspace)
    client = dash(role="admin")
    response = client.post(f"/instances/{instance.pk}/status/", {"action": "deactivate"})
    assert response.status_code == 302
    entry = only(workspace, "programInstance.statusChanged")
    assert entry.changes == {"status": ["active", "inactive"]}
    assert entry.actor == user_actor(client.user)
    assert entry.ip_address == "127.0.0.1"


def test_a_refused_delete_leaves_no_entry(api, workspace):
    """Same transaction: the delete is recorded, then refused (enrollments), and the entry goes
    with the rolled-back change."""
    instance = ProgramInstanceFactory(workspace=workspace)
    EnrollmentFactory(workspace=workspace, program_instance=instance)
    assert api.delete(f"/api/v1/programInstances/{instance.pk}").status_code == 409
    assert entries(workspace, action="programInstance.deleted") == []
    assert ProgramInstance.objects.filter(pk=instance.pk).exists()


def test_a_rolled_back_change_leaves_no_entry(workspace):
    instance = ProgramInstanceFactory(workspace=workspace)
    with pytest.raises(RuntimeError), transaction.atomic():
        instance_update(instance=instance, data={"name": "Renamed"}, actor=None)
        assert len(entries(workspace, action="programInstance.updated")) == 1
        raise RuntimeError("the caller's transaction fails after the service returned")
    assert entries(workspace, action="programInstance.updated") == []


@pytest.mark.django_db(transaction=True)
def test_audit_record_refuses_to_run_outside_a_transaction(workspace):
    from audit.services import audit_record

    with pytest.raises(RuntimeError, match="inside the change's transaction"):
        audit_record(workspace=workspace, actor=None, action="x.y", object_type="x")


def test_system_actor_when_no_one_is_named(workspace):
    instance = ProgramInstanceFactory(workspace=workspace)
    with transaction.atomic():
        instance_delete(instance=instance)
    entry = only(workspace, "programInstance.deleted")
    assert entry.actor == {"type": "system", "id": "", "name": "System"}
    assert entry.ip_address is None  # no request: no address


# --- programs ------------------------------------------------------------------------------
def test_program_create_and_update(api_client_for, workspace):
    admin_api = api_client_for(workspace, platform_admin=True)
    response = admin_api.post(
        "/api/v1/programs", {"name": "Peak Saver", "states": ["CA"]}, format="json"
    )
    assert response.status_code == 201, response.content
    slug = response.json()["slug"]
    created = only(workspace, "program.created")
    assert created.object_type == "program"
    assert created.actor == key_actor(admin_api)
    assert created.changes["states"] == [None, ["CA"]]
    admin_api.patch(f"/api/v1/programs/{slug}", {"states": ["CA", "NV"]}, format="json")
    updated = only(workspace, "program.updated")
    assert updated.changes == {"states": [["CA"], ["CA", "NV"]]}


# --- webhooks ------------------------------------------------------------------------------
def test_webhook_create_update_rotate_delete(api, workspace):
    response = api.post("/api/v1/webhooks", {"url": "http://127.0.0.1:9/hook"}, format="json")
    assert response.status_code == 201, response.content
    pk, secret = response.json()["id"], response.json()["secret"]
    created = only(workspace, "webhookEndpoint.created")
    assert created.actor == key_actor(api)
    assert created.changes["url"] == [None, "http://127.0.0.1:9/hook"]
    api.patch(f"/api/v1/webhooks/{pk}", {"enabled": False}, format="json")
    assert entries(workspace, action="webhookEndpoint.updated")[0].changes == {
        "enabled": [True, False]
    }
    api.post(f"/api/v1/webhooks/{pk}/rotateSecret", format="json")
    rotated = only(workspace, "webhookEndpoint.secretRotated")
    assert rotated.changes == {}
    api.patch(f"/api/v1/webhooks/{pk}", {"enabled": True}, format="json")
    assert api.post(f"/api/v1/webhooks/{pk}/test", format="json").status_code == 202
    assert only(workspace, "webhookEndpoint.testSent").actor == key_actor(api)
    api.delete(f"/api/v1/webhooks/{pk}")
    assert only(workspace, "webhookEndpoint.deleted").object_id == pk
    dumped = str([(e.changes, e.details) for e in AuditEntry.objects.all()])
    assert secret not in dumped  # secrets never reach the log


# --- API keys ------------------------------------------------------------------------------
def test_api_key_create_and_revoke(api, workspace):
    response = api.post(
        "/api/v1/apiKeys", {"name": "CRM", "scopes": ["events:read"]}, format="json"
    )
    pk = response.json()["id"]
    created = [e for e in entries(workspace, action="apiKey.created") if e.object_id == pk]
    assert len(created) == 1
    assert created[0].actor == key_actor(api)
    assert created[0].changes["scopes"] == [None, ["events:read"]]
    assert response.json()["key"] not in str(created[0].changes)
    api.delete(f"/api/v1/apiKeys/{pk}")
    revoked = only(workspace, "apiKey.revoked")
    assert revoked.object_id == pk and revoked.changes["revokedAt"][0] is None


# --- members -------------------------------------------------------------------------------
def test_member_invite_accept_role_remove(dash, workspace):
    from django.db import transaction

    from accounts.invitations import invitation_accept
    from accounts.models import Invitation, User

    owner = dash(role="owner")
    owner.post("/settings/members/", {"email": "new@example.com", "role": "viewer"})
    invited = only(workspace, "member.invited")
    assert invited.actor == user_actor(owner.user)
    # Membership with consent: the member is added when the invited person accepts.
    newcomer = User.objects.get(email="new@example.com")
    with transaction.atomic():
        invitation_accept(invitation=Invitation.objects.get(), user=newcomer)
    added = only(workspace, "member.added")
    assert added.actor == user_actor(newcomer)
    assert added.changes["role"] == [None, "viewer"], added.changes
    membership_id = added.object_id
    owner.post(f"/settings/members/{membership_id}/", {"role": "operator"})
    assert only(workspace, "member.roleChanged").changes == {"role": ["viewer", "operator"]}
    owner.post(f"/settings/members/{membership_id}/", {"remove": "1"})
    removed = only(workspace, "member.removed")
    assert removed.object_id == membership_id
    assert removed.changes["role"] == ["operator", None]


# --- bulk ----------------------------------------------------------------------------------
def test_one_entry_per_bulk_run_with_counts(dash, workspace, other_workspace):
    instance = ProgramInstanceFactory(workspace=workspace)
    mine = [
        EnrollmentFactory(workspace=workspace, program_instance=instance, status="submitted")
        for _ in range(3)
    ]
    client = dash(role="admin")
    response = client.post(
        "/enrollments/bulk/", {"action": "approved", "ids": [e.pk for e in mine], "confirmed": "1"}
    )
    assert response.status_code == 200
    entry = only(workspace, "enrollments.bulkTransition")
    assert entry.actor == user_actor(client.user)
    assert entry.details["requested"] == 3
    assert entry.details["succeeded"] == 3
    assert entry.details["to"] == "approved"
    client.post("/enrollments/bulk/", {"action": "evaluate", "ids": [e.pk for e in mine]})
    evaluated = only(workspace, "enrollments.bulkEvaluate")
    assert evaluated.details["failed"] == 3  # approved enrollments are not evaluated again


# --- enrollment events carry the actor --------------------------------------------------------
def test_enrollment_events_carry_the_actor(api, workspace):
    instance = ProgramInstanceFactory(workspace=workspace)
    enrollment = EnrollmentFactory(workspace=workspace, program_instance=instance)
    response = api.post(f"/api/v1/enrollments/{enrollment.pk}/evaluate")
    assert response.status_code == 200, response.content
    event = Event.objects.filter(enrollment_id=enrollment.pk).latest("created_at")
    assert event.actor == key_actor(api)
    body = api.get(f"/api/v1/events/{event.pk}").json()
    assert body["actor"] == key_actor(api)


# --- workspace settings and the admin door -----------------------------------------------------
def _staff_client(workspace):
    from django.contrib.auth.models import Permission
    from django.test import Client

    from tests.factories import MembershipFactory, UserFactory

    staff = UserFactory(is_staff=True)
    MembershipFactory(user=staff, workspace=workspace, role="owner")
    staff.user_permissions.set(Permission.objects.all())
    client = Client()
    client.force_login(staff)
    client.user = staff
    return client


def test_workspace_settings_through_the_admin(workspace):
    client = _staff_client(workspace)
    response = client.post(
        f"/admin/accounts/workspace/{workspace.pk}/change/",
        {
            "organization": workspace.organization_id,
            "slug": workspace.slug,
            "name": "Live",
            "environment": "production",
            "time_zone": workspace.time_zone,
        },
    )
    assert response.status_code == 302, response.content
    entry = only(workspace, "workspace.updated")
    assert entry.changes == {"name": ["Production", "Live"]}
    assert entry.actor == user_actor(client.user)


def test_admin_bulk_delete_of_webhooks_is_recorded(workspace):
    from events.webhooks import webhook_create

    with transaction.atomic():
        endpoint, _ = webhook_create(workspace=workspace, url="http://127.0.0.1:9/a")
    client = _staff_client(workspace)
    response = client.post(
        "/admin/events/webhookendpoint/",
        {"action": "delete_selected", "_selected_action": [endpoint.pk], "post": "yes"},
    )
    assert response.status_code == 302
    deleted = only(workspace, "webhookEndpoint.deleted")
    assert deleted.actor == user_actor(client.user)
