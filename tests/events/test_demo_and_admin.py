"""The demo seed and the admin pages of the events app."""

import pytest
from django.contrib.admin.sites import site
from django.test import Client

from accounts.demo import seed as accounts_seed
from events import demo
from events.models import WebhookDelivery, WebhookEndpoint
from events.webhooks import webhook_create
from tests.events.conftest import record_event
from tests.factories import MembershipFactory, UserFactory


def test_demo_seed_is_idempotent_and_sends_nothing(db):
    context = accounts_seed()
    demo.seed(context)
    demo.seed(context)
    (endpoint,) = WebhookEndpoint.objects.for_workspace(context.workspace)
    assert not endpoint.enabled
    record_event(context.workspace, type="enrollment.status_changed", previous_status="eligible")
    assert not WebhookDelivery.objects.exists()


def test_demo_seed_skips_the_endpoint_when_private_networks_are_refused(db, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS = False
    context = accounts_seed()
    demo.seed(context)
    assert not WebhookEndpoint.objects.for_workspace(context.workspace).exists()


@pytest.fixture
def staff_client(workspace):
    """A staff user (not superuser) who belongs to `workspace` only."""
    from django.contrib.auth.models import Permission

    user = UserFactory(is_staff=True)
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="events"))
    MembershipFactory(user=user, workspace=workspace, role="admin")
    client = Client()
    client.force_login(user)
    return client


def test_admin_lists_only_the_staff_members_workspaces(staff_client, workspace, other_workspace):
    mine, _ = webhook_create(workspace=workspace, url="http://127.0.0.1:9/mine")
    theirs, _ = webhook_create(workspace=other_workspace, url="http://127.0.0.1:9/theirs")
    my_event = record_event(workspace)
    their_event = record_event(other_workspace)

    page = staff_client.get("/admin/events/webhookendpoint/").content.decode()
    assert "/mine" in page and "/theirs" not in page
    page = staff_client.get("/admin/events/event/").content.decode()
    assert my_event.pk in page and their_event.pk not in page
    page = staff_client.get("/admin/events/webhookdelivery/").content.decode()
    assert WebhookDelivery.objects.get(endpoint=mine).pk in page
    assert WebhookDelivery.objects.get(endpoint=theirs).pk not in page
    assert staff_client.get(f"/admin/events/webhookendpoint/{theirs.pk}/change/").status_code in (
        302,
        404,
    )


def test_admin_event_is_read_only(staff_client, workspace):
    event = record_event(workspace)
    assert staff_client.get("/admin/events/event/add/").status_code == 403
    response = staff_client.post(f"/admin/events/event/{event.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403


def test_admin_retry_action(staff_client, workspace, settings):
    endpoint, _ = webhook_create(workspace=workspace, url="http://127.0.0.1:9/mine")
    record_event(workspace)
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(status="failed", attempt_count=10)
    response = staff_client.post(
        "/admin/events/webhookdelivery/",
        {"action": "retry_deliveries", "_selected_action": [delivery.pk]},
        follow=True,
    )
    assert response.status_code == 200
    delivery.refresh_from_db()
    assert delivery.status == "pending" and delivery.attempt_count == 0


def test_admin_creates_endpoints_through_the_service(staff_client, workspace, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS = False
    data = {
        "workspace": workspace.pk,
        "url": "http://169.254.169.254/latest",
        "description": "",
        "event_types": "[]",
        "enabled": "on",
    }
    response = staff_client.post("/admin/events/webhookendpoint/add/", data)
    assert response.status_code == 200  # the form again, with the error
    assert "public addresses" in response.content.decode()
    assert not WebhookEndpoint.objects.exists()

    settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS = True
    data["url"] = "http://127.0.0.1:9/hook"
    response = staff_client.post("/admin/events/webhookendpoint/add/", data, follow=True)
    assert response.status_code == 200
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.secret.startswith("whsec_")
    assert endpoint.secret in response.content.decode()  # shown once, as a message


def test_admin_registers_the_models():
    for model in (WebhookEndpoint, WebhookDelivery):
        assert model in site._registry
