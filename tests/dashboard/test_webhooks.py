"""Settings → webhooks: create (secret once), edit, test, rotate, disable, the log and retry."""

import pytest

from events.models import WebhookDelivery, WebhookEndpoint
from events.webhooks import webhook_create

pytestmark = pytest.mark.django_db
URL = "http://127.0.0.1:9/hook"


@pytest.fixture(autouse=True)
def _local_receivers(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS = True


@pytest.fixture
def endpoint(workspace):
    return webhook_create(workspace=workspace, url=URL, event_types=[])[0]


@pytest.mark.parametrize(("role", "status"), [("viewer", 403), ("operator", 403), ("admin", 200)])
def test_webhooks_need_manage_scope(dash, role, status):
    assert dash(role=role).get("/settings/webhooks/").status_code == status


def test_create_shows_secret_once(dash, workspace):
    client = dash(role="admin")
    response = client.post(
        "/settings/webhooks/",
        {"url": URL, "description": "CRM", "event_types": ["enrollment.created"]},
    )
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    endpoint = WebhookEndpoint.objects.for_workspace(workspace).get()
    assert endpoint.secret in response.content.decode()
    assert endpoint.event_types == ["enrollment.created"]
    assert endpoint.secret not in client.get(f"/settings/webhooks/{endpoint.pk}/").content.decode()


def test_bad_url_error_next_to_field(dash, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS = False
    response = dash(role="admin").post("/settings/webhooks/", {"url": URL})
    assert response.status_code == 400
    assert 'id="id_url_error"' in response.content.decode()


def test_edit_test_rotate_disable_delete(dash, workspace, endpoint):
    client = dash(role="admin")
    base = f"/settings/webhooks/{endpoint.pk}"
    assert client.post(f"{base}/", {"url": URL, "description": "New"}).status_code == 302
    endpoint.refresh_from_db()
    assert endpoint.description == "New"
    client.post(f"{base}/action/", {"action": "test"})
    delivery = WebhookDelivery.objects.for_workspace(workspace).get(endpoint=endpoint)
    assert delivery.event_type == "webhook.test"
    assert "webhook.test" in client.get(f"{base}/").content.decode()
    old = endpoint.secret
    rotated = client.post(f"{base}/action/", {"action": "rotate"})
    endpoint.refresh_from_db()
    assert endpoint.secret != old and endpoint.secret in rotated.content.decode()
    client.post(f"{base}/action/", {"action": "disable"})
    endpoint.refresh_from_db()
    assert not endpoint.enabled
    refused = client.post(f"{base}/action/", {"action": "test"}, follow=True)
    assert "disabled" in refused.content.decode()
    client.post(f"{base}/action/", {"action": "delete"})
    assert not WebhookEndpoint.objects.filter(pk=endpoint.pk).exists()


def test_retry_failed_delivery(dash, workspace, endpoint):
    delivery = WebhookDelivery.objects.create(
        workspace=workspace,
        endpoint=endpoint,
        event_type="webhook.test",
        status=WebhookDelivery.Status.FAILED,
        attempt_count=9,
    )
    client = dash(role="admin")
    response = client.post(
        f"/settings/webhooks/{endpoint.pk}/deliveries/{delivery.pk}/retry/", follow=True
    )
    assert "queued again" in response.content.decode()
    delivery.refresh_from_db()
    assert delivery.status == "pending" and delivery.attempt_count == 0


def test_other_workspace_webhook_is_404(dash, other_workspace):
    foreign = webhook_create(workspace=other_workspace, url=URL)[0]
    client = dash(role="owner")
    assert URL not in client.get("/settings/webhooks/").content.decode()
    assert client.get(f"/settings/webhooks/{foreign.pk}/").status_code == 404
    assert (
        client.post(f"/settings/webhooks/{foreign.pk}/action/", {"action": "delete"}).status_code
        == 404
    )
    assert WebhookEndpoint.objects.filter(pk=foreign.pk).exists()


def test_delivery_log_constant_queries(dash, workspace, endpoint, django_assert_max_num_queries):
    client = dash(role="admin")
    url = f"/settings/webhooks/{endpoint.pk}/"
    WebhookDelivery.objects.create(
        workspace=workspace, endpoint=endpoint, event_type="webhook.test"
    )
    with django_assert_max_num_queries(20) as few:
        assert client.get(url).status_code == 200
        assert client.get("/settings/webhooks/").status_code == 200
    for _ in range(10):
        WebhookDelivery.objects.create(
            workspace=workspace, endpoint=endpoint, event_type="webhook.test"
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200
        assert client.get("/settings/webhooks/").status_code == 200
