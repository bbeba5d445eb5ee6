"""The events and webhooks API through the generic API test base, plus their own actions."""

from datetime import timedelta

import pytest
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from events.http import PRIVATE_BODY
from events.models import Event, WebhookDelivery, WebhookEndpoint
from events.webhooks import webhook_create
from tests.api_base import APIViewTests, ListTests, RetrieveTests
from tests.events.conftest import record_event


class TestEventAPI(ListTests, RetrieveTests):
    path = "/api/v1/events"
    read_scope = "events:read"

    def make(self, workspace):
        return record_event(workspace)


class TestWebhookAPI(APIViewTests):
    path = "/api/v1/webhooks"
    read_scope = "webhooks:manage"
    write_scope = "webhooks:manage"
    update_data = {"description": "CRM sync", "eventTypes": ["enrollment.status_changed"]}

    def make(self, workspace):
        endpoint, _ = webhook_create(workspace=workspace, url="http://127.0.0.1:9/hook")
        return endpoint

    def create_data(self, workspace):
        return {
            "url": "http://127.0.0.1:9/hook",
            "eventTypes": ["enrollment.created", "enrollment.status_changed"],
            "description": "CRM",
        }

    def assert_deleted(self, client, obj):
        super().assert_deleted(client, obj)
        assert not WebhookEndpoint.objects.filter(pk=obj.pk).exists()


# --- events -------------------------------------------------------------------------------------
def test_event_shape(api, workspace):
    event = record_event(
        workspace,
        type="enrollment.status_changed",
        obj={"id": "enr1", "eligibilityStatus": "eligible"},
        previous_status="candidate",
    )
    body = api.get(f"/api/v1/events/{event.pk}").json()
    assert body == {
        "id": event.pk,
        "type": "enrollment.status_changed",
        "createdAt": body["createdAt"],
        "workspaceId": workspace.pk,
        "actor": {"type": "system", "id": "", "name": "System"},
        "data": {
            "object": {"id": "enr1", "eligibilityStatus": "eligible"},
            "previousStatus": "candidate",
        },
    }
    assert body["createdAt"].endswith("Z")


def test_event_filters(api, workspace):
    created = record_event(workspace, obj={"id": "enrA"})
    changed = record_event(
        workspace, type="enrollment.status_changed", obj={"id": "enrA"}, previous_status="x"
    )
    other = record_event(workspace, obj={"id": "enrB"})

    def ids(**params):
        response = api.get("/api/v1/events", params)
        assert response.status_code == 200, response.content
        return {item["id"] for item in response.json()["data"]}

    assert ids(type="enrollment.status_changed") == {changed.pk}
    assert ids(enrollmentId="enrA") == {created.pk, changed.pk}
    Event.objects.filter(pk=created.pk).update(created_at=timezone.now() - timedelta(days=2))
    yesterday = (timezone.now() - timedelta(days=1)).date().isoformat()
    assert ids(createdAfter=yesterday) == {changed.pk, other.pk}
    assert ids(createdAfter=(timezone.now() - timedelta(days=1)).isoformat()) == {
        changed.pk,
        other.pk,
    }


@pytest.mark.parametrize(
    ("params", "name"),
    [({"type": "enrollment.exploded"}, "type"), ({"createdAfter": "last tuesday"}, "createdAfter")],
)
def test_bad_event_filters_are_400(api, params, name):
    response = api.get("/api/v1/events", params)
    assert response.status_code == 400
    assert name in response.json()["details"]


def test_events_are_newest_first(api, workspace):
    first = record_event(workspace)
    Event.objects.filter(pk=first.pk).update(created_at=timezone.now() - timedelta(minutes=1))
    second = record_event(workspace)
    data = api.get("/api/v1/events").json()["data"]
    assert [item["id"] for item in data] == [second.pk, first.pk]


# --- webhooks -----------------------------------------------------------------------------------
def test_secret_is_shown_only_on_creation(api):
    response = api.post("/api/v1/webhooks", {"url": "http://127.0.0.1:9/h"}, format="json")
    assert response.status_code == 201
    body = response.json()
    assert body["secret"].startswith("whsec_")
    assert body["eventTypes"] == [] and body["enabled"] is True
    Webhook(body["secret"])  # a valid Standard Webhooks secret
    again = api.get(f"/api/v1/webhooks/{body['id']}").json()
    assert "secret" not in again
    assert all("secret" not in item for item in api.get("/api/v1/webhooks").json()["data"])


def test_unknown_event_type_is_400_naming_known_ones(api):
    response = api.post(
        "/api/v1/webhooks",
        {"url": "http://127.0.0.1:9/h", "eventTypes": ["enrollment.exploded"]},
        format="json",
    )
    assert response.status_code == 400
    body = response.json()
    assert "enrollment.exploded" in body["message"]
    assert "enrollment.status_changed" in body["message"]
    assert "eventTypes" in body["details"]


@pytest.mark.parametrize(
    ("url", "fragment"),
    [
        ("ftp://example.com/hook", "http"),
        ("not a url", "http"),
        ("http://user:pw@127.0.0.1/hook", "Credentials"),
        ("http://127.0.0.1:99999/hook", "not valid"),
    ],
)
def test_bad_urls_are_400(api, url, fragment):
    response = api.post("/api/v1/webhooks", {"url": url}, format="json")
    assert response.status_code == 400
    assert fragment in response.json()["message"]
    assert "url" in response.json()["details"]


def test_private_urls_are_refused_when_not_allowed(api, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS = False
    response = api.post("/api/v1/webhooks", {"url": "http://127.0.0.1:9/h"}, format="json")
    assert response.status_code == 400
    assert "public addresses" in response.json()["message"]


def test_patch_validates_url_and_can_disable_and_enable(api, workspace, settings):
    endpoint, _ = webhook_create(workspace=workspace, url="http://127.0.0.1:9/h")
    path = f"/api/v1/webhooks/{endpoint.pk}"
    settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS = False
    assert api.patch(path, {"url": "http://10.0.0.5/h"}, format="json").status_code == 400
    settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS = True

    body = api.patch(path, {"enabled": False}, format="json").json()
    assert body["enabled"] is False and body["disabledReason"].startswith("Disabled by api key")
    assert body["disabledAt"]
    body = api.patch(path, {"enabled": True}, format="json").json()
    assert body["enabled"] is True and body["disabledReason"] == "" and body["disabledAt"] is None


def test_rotate_secret(api, workspace):
    endpoint, old = webhook_create(workspace=workspace, url="http://127.0.0.1:9/h")
    response = api.post(f"/api/v1/webhooks/{endpoint.pk}/rotateSecret")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["secret"].startswith("whsec_") and body["secret"] != old
    assert body["previousSecretExpiresAt"]
    endpoint.refresh_from_db()
    assert endpoint.signing_secrets(timezone.now()) == [body["secret"], old]
    assert endpoint.signing_secrets(timezone.now() + timedelta(hours=25)) == [body["secret"]]


def test_actions_reject_unknown_body_fields(api, workspace):
    endpoint, _ = webhook_create(workspace=workspace, url="http://127.0.0.1:9/h")
    response = api.post(f"/api/v1/webhooks/{endpoint.pk}/test", {"bogus": 1}, format="json")
    assert response.status_code == 400
    assert "bogus" in response.json()["message"]


def test_actions_reject_a_non_object_body(api, workspace):
    endpoint, _ = webhook_create(workspace=workspace, url="http://127.0.0.1:9/h")
    response = api.post(f"/api/v1/webhooks/{endpoint.pk}/rotateSecret", [1], format="json")
    assert response.status_code == 400
    assert "no body" in response.json()["message"]


def test_create_disabled(api):
    response = api.post(
        "/api/v1/webhooks", {"url": "http://127.0.0.1:9/h", "enabled": False}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["enabled"] is False
    assert response.json()["secret"].startswith("whsec_")
    assert WebhookEndpoint.objects.get(pk=response.json()["id"]).enabled is False


def test_test_message_reaches_the_receiver(api, workspace, httpserver, run_worker):
    httpserver.expect_request("/hook").respond_with_data("ok")
    created = api.post("/api/v1/webhooks", {"url": httpserver.url_for("/hook")}, format="json")
    webhook = created.json()

    response = api.post(f"/api/v1/webhooks/{webhook['id']}/test")
    assert response.status_code == 202, response.content
    assert response.json()["status"] == "pending"
    assert response.json()["eventType"] == "webhook.test"
    run_worker()

    ((request, _),) = httpserver.log
    payload = Webhook(webhook["secret"]).verify(
        request.get_data(as_text=True), dict(request.headers)
    )
    assert payload["type"] == "webhook.test"
    assert payload["data"]["object"]["webhookId"] == webhook["id"]


def test_test_on_a_disabled_webhook_is_409(api, workspace):
    endpoint, _ = webhook_create(workspace=workspace, url="http://127.0.0.1:9/h")
    api.patch(f"/api/v1/webhooks/{endpoint.pk}", {"enabled": False}, format="json")
    response = api.post(f"/api/v1/webhooks/{endpoint.pk}/test")
    assert response.status_code == 409
    assert response.json()["code"] == "CONFLICT"


def test_deliveries_list_every_attempt_and_retry_keeps_the_id(
    api, workspace, httpserver, run_worker, settings
):
    settings.WEBHOOK_RETRY_DELAYS = [0]
    httpserver.expect_request("/hook").respond_with_data("nope", status=500)
    webhook = api.post("/api/v1/webhooks", {"url": httpserver.url_for("/hook")}, format="json")
    webhook = webhook.json()
    record_event(workspace)
    run_worker()  # two failed attempts: the delivery gives up and the endpoint is disabled
    api.patch(f"/api/v1/webhooks/{webhook['id']}", {"enabled": True}, format="json")

    response = api.get(f"/api/v1/webhooks/{webhook['id']}/deliveries")
    assert response.status_code == 200
    (delivery,) = response.json()["data"]
    assert delivery["status"] == "failed"
    assert [a["statusCode"] for a in delivery["attempts"]] == [500, 500]
    attempt = delivery["attempts"][0]
    assert set(attempt) == {
        "id",
        "attemptedAt",
        "statusCode",
        "durationMs",
        "error",
        "responseBody",
        "succeeded",
    }
    # The receiver is on 127.0.0.1: its answer is not kept (docs/security.md).
    assert attempt["responseBody"] == PRIVATE_BODY and attempt["error"]

    # One delivery is an object route too: a strong ETag, 304 while nothing changed.
    one_path = f"/api/v1/webhooks/{webhook['id']}/deliveries/{delivery['id']}"
    failed_etag = api.get(one_path)["ETag"]
    assert api.get(one_path, HTTP_IF_NONE_MATCH=failed_etag).status_code == 304

    httpserver.clear()
    httpserver.expect_request("/hook").respond_with_data("ok")
    path = f"/api/v1/webhooks/{webhook['id']}/deliveries/{delivery['id']}/retry"
    response = api.post(path)
    assert response.status_code == 202, response.content
    assert response.json()["status"] == "pending"
    run_worker()

    ((request, _),) = httpserver.log
    assert request.headers["webhook-id"] == delivery["id"]
    again = api.get(one_path, HTTP_IF_NONE_MATCH=failed_etag)
    assert again.status_code == 200 and again["ETag"] != failed_etag  # it changed: no 304
    one = again.json()
    assert one["status"] == "succeeded"
    assert [a["statusCode"] for a in one["attempts"]] == [500, 500, 200]
    filtered = api.get(f"/api/v1/webhooks/{webhook['id']}/deliveries", {"status": "failed"})
    assert filtered.json()["totalItems"] == 0
    assert (
        api.get(f"/api/v1/webhooks/{webhook['id']}/deliveries", {"status": "bogus"}).status_code
        == 400
    )


def test_deliveries_list_has_constant_queries(api, workspace, django_assert_max_num_queries):
    endpoint, _ = webhook_create(workspace=workspace, url="http://127.0.0.1:9/h")
    path = f"/api/v1/webhooks/{endpoint.pk}/deliveries"
    record_event(workspace)
    assert api.get(path).status_code == 200
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        assert api.get(path).status_code == 200
    for _ in range(5):
        record_event(workspace)
    with CaptureQueriesContext(connection) as many:
        response = api.get(path)
    assert response.status_code == 200
    assert response.json()["totalItems"] == 6
    assert len(many) == len(one)


def test_other_workspace_deliveries_are_invisible(api, workspace, other_workspace, api_client_for):
    theirs, _ = webhook_create(workspace=other_workspace, url="http://127.0.0.1:9/h")
    record_event(other_workspace)
    delivery = WebhookDelivery.objects.get(endpoint=theirs)
    base = f"/api/v1/webhooks/{theirs.pk}"
    assert api.get(f"{base}/deliveries").status_code == 404
    assert api.get(f"{base}/deliveries/{delivery.pk}").status_code == 404
    assert api.post(f"{base}/deliveries/{delivery.pk}/retry").status_code == 404
    assert api.post(f"{base}/test").status_code == 404
    assert api.post(f"{base}/rotateSecret").status_code == 404
    # Even through one of my own webhooks, their delivery id is not found.
    mine, _ = webhook_create(workspace=workspace, url="http://127.0.0.1:9/h")
    path = f"/api/v1/webhooks/{mine.pk}/deliveries/{delivery.pk}"
    assert api.get(path).status_code == 404
    assert api.post(f"{path}/retry").status_code == 404
    # And their events never show up.
    assert api.get("/api/v1/events").json()["totalItems"] == 0
    theirs_event = delivery.event_id
    assert api.get(f"/api/v1/events/{theirs_event}").status_code == 404


def test_events_read_scope_does_not_manage_webhooks(api_client_for, workspace):
    client = api_client_for(workspace, scopes=["events:read"])
    assert client.get("/api/v1/events").status_code == 200
    assert client.get("/api/v1/webhooks").status_code == 403
    endpoint, _ = webhook_create(workspace=workspace, url="http://127.0.0.1:9/h")
    assert client.post(f"/api/v1/webhooks/{endpoint.pk}/rotateSecret").status_code == 403
