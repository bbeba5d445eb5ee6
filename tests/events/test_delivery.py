"""Webhook delivery through the real worker loop to a real HTTP receiver on loopback."""

import json
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from standardwebhooks.webhooks import Webhook
from werkzeug import Response

from accounts.models import Membership
from events import delivery as delivery_module
from events.http import PRIVATE_BODY
from events.models import WebhookDelivery, WebhookEndpoint
from events.payloads import event_payload
from events.webhooks import delivery_requeue_stale, webhook_rotate_secret, webhook_update
from tests.events.conftest import record_event
from tests.factories import MembershipFactory, UserFactory


def received(httpserver):
    return [request for request, _ in httpserver.log]


def test_signature_verifies_with_standardwebhooks(httpserver, make_endpoint, workspace, run_worker):
    httpserver.expect_request("/hook", method="POST").respond_with_data("thanks")
    endpoint = make_endpoint(httpserver.url_for("/hook"))
    event = record_event(workspace)

    run_worker()

    (request,) = received(httpserver)
    body = request.get_data(as_text=True)
    payload = Webhook(endpoint.raw_secret).verify(body, dict(request.headers))
    assert payload == json.loads(json.dumps(event_payload(event)))
    assert payload["id"] == event.pk and payload["type"] == "enrollment.created"
    assert request.headers["Content-Type"] == "application/json"
    delivery = WebhookDelivery.objects.get(event=event)
    assert request.headers["webhook-id"] == delivery.pk
    assert delivery.status == "succeeded"
    (attempt,) = delivery.attempts.all()
    assert attempt.succeeded and attempt.status_code == 200
    assert attempt.response_body == PRIVATE_BODY  # 127.0.0.1: not kept (docs/security.md)


def test_a_wrong_secret_does_not_verify(httpserver, make_endpoint, workspace, run_worker):
    httpserver.expect_request("/hook").respond_with_data("ok")
    make_endpoint(httpserver.url_for("/hook"))
    record_event(workspace)
    run_worker()
    (request,) = received(httpserver)
    other_secret = make_endpoint(httpserver.url_for("/other")).raw_secret
    with pytest.raises(Exception, match="No matching signature"):
        Webhook(other_secret).verify(request.get_data(as_text=True), dict(request.headers))


def test_receiver_failing_twice_then_succeeding_gets_it_three_times_with_one_id(
    httpserver, make_endpoint, workspace, run_worker
):
    answers = iter([Response("down", status=500), Response("down", status=503), Response("ok")])
    httpserver.expect_request("/hook").respond_with_handler(lambda request: next(answers))
    endpoint = make_endpoint(httpserver.url_for("/hook"))
    event = record_event(workspace)

    run_worker()

    requests = received(httpserver)
    assert len(requests) == 3
    ids = {r.headers["webhook-id"] for r in requests}
    assert len(ids) == 1
    bodies = {r.get_data(as_text=True) for r in requests}
    assert len(bodies) == 1
    for request in requests:  # every attempt is signed afresh and verifies
        Webhook(endpoint.raw_secret).verify(request.get_data(as_text=True), dict(request.headers))
    delivery = WebhookDelivery.objects.get(event=event)
    assert delivery.status == "succeeded"
    assert [a.status_code for a in delivery.attempts.all()] == [500, 503, 200]
    assert [a.succeeded for a in delivery.attempts.all()] == [False, False, True]
    assert all(a.duration_ms >= 0 for a in delivery.attempts.all())
    assert delivery.attempts.first().error == "The receiver answered 500."


def test_retries_follow_the_configured_delays_with_jitter(
    httpserver, make_endpoint, workspace, run_worker, settings
):
    settings.WEBHOOK_RETRY_DELAYS = [600, 3600]
    httpserver.expect_request("/hook").respond_with_data("no", status=500)
    make_endpoint(httpserver.url_for("/hook"))
    event = record_event(workspace)
    before = timezone.now()

    run_worker()  # one attempt; the retry is not due yet

    assert len(received(httpserver)) == 1
    delivery = WebhookDelivery.objects.get(event=event)
    assert delivery.status == "pending" and delivery.attempt_count == 1
    assert before + timedelta(seconds=480) <= delivery.next_attempt_at
    assert delivery.next_attempt_at <= timezone.now() + timedelta(seconds=720)
    run_worker()  # not due yet: the row itself schedules the retry, nothing sends it early
    assert len(received(httpserver)) == 1
    WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
    run_worker()  # once due, the engine claims it again (same webhook-id)
    assert [r.headers["webhook-id"] for r in received(httpserver)] == [delivery.pk] * 2


def test_exhausted_retries_disable_the_endpoint_and_email_admins(
    httpserver, make_endpoint, workspace, run_worker, settings
):
    settings.WEBHOOK_RETRY_DELAYS = [0]
    admin = UserFactory(email="admin@utility.test")
    MembershipFactory(user=admin, workspace=workspace, role=Membership.Role.ADMIN)
    MembershipFactory(
        user=UserFactory(email="viewer@utility.test"), workspace=workspace, role="viewer"
    )
    httpserver.expect_request("/hook").respond_with_data("no", status=500)
    endpoint = make_endpoint(httpserver.url_for("/hook"))
    event = record_event(workspace)
    later = record_event(workspace)  # queued behind: cancelled when the endpoint is disabled

    run_worker()

    endpoint.refresh_from_db()
    assert not endpoint.enabled
    assert "failed" in endpoint.disabled_reason
    assert WebhookDelivery.objects.get(event=event).status == "failed"
    statuses = set(WebhookDelivery.objects.filter(endpoint=endpoint).values_list("status", flat=1))
    assert statuses <= {"failed", "cancelled"}
    assert WebhookDelivery.objects.get(event=later).status in {"failed", "cancelled"}
    (message,) = mail.outbox
    assert message.to == ["admin@utility.test"]
    assert endpoint.url in message.body and endpoint.url in message.alternatives[0].content


def test_410_gone_disables_the_endpoint_at_once(httpserver, make_endpoint, workspace, run_worker):
    httpserver.expect_request("/hook").respond_with_data("gone", status=410)
    endpoint = make_endpoint(httpserver.url_for("/hook"))
    record_event(workspace)

    run_worker()

    assert len(received(httpserver)) == 1  # no retries
    endpoint.refresh_from_db()
    assert not endpoint.enabled and "410" in endpoint.disabled_reason


def test_disabled_endpoint_receives_nothing(httpserver, make_endpoint, workspace, run_worker):
    httpserver.expect_request("/hook").respond_with_data("ok")
    endpoint = make_endpoint(httpserver.url_for("/hook"))
    queued = record_event(workspace)  # queued while enabled...
    webhook_update(endpoint=endpoint, enabled=False)  # ...then disabled before the worker runs
    after = record_event(workspace)

    run_worker()

    assert received(httpserver) == []
    assert WebhookDelivery.objects.get(event=queued).status == "cancelled"
    assert not WebhookDelivery.objects.filter(event=after).exists()


def test_event_type_filter(httpserver, make_endpoint, workspace, run_worker):
    httpserver.expect_request("/hook").respond_with_data("ok")
    make_endpoint(httpserver.url_for("/hook"), event_types=["enrollment.status_changed"])
    record_event(workspace, type="enrollment.created")
    wanted = record_event(
        workspace,
        type="enrollment.status_changed",
        obj={"id": "e1", "eligibilityStatus": "eligible"},
        previous_status="candidate",
    )
    run_worker()
    (request,) = received(httpserver)
    body = json.loads(request.get_data())
    assert body["id"] == wanted.pk
    assert body["data"]["previousStatus"] == "candidate"


def test_rotation_signs_with_both_secrets_for_24_hours(
    httpserver, make_endpoint, workspace, run_worker
):
    httpserver.expect_request("/hook").respond_with_data("ok")
    endpoint = make_endpoint(httpserver.url_for("/hook"))
    old_secret = endpoint.raw_secret
    endpoint, new_secret = webhook_rotate_secret(endpoint=endpoint)
    assert new_secret != old_secret and new_secret.startswith("whsec_")
    record_event(workspace)

    run_worker()

    (request,) = received(httpserver)
    body, headers = request.get_data(as_text=True), dict(request.headers)
    assert len(headers["Webhook-Signature"].split(" ")) == 2
    Webhook(old_secret).verify(body, headers)  # receivers still on the old secret
    Webhook(new_secret).verify(body, headers)  # receivers already on the new one

    # Once the grace period is over only the new secret signs.
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
        previous_secret_expires_at=timezone.now() - timedelta(seconds=1)
    )
    record_event(workspace)
    run_worker()
    request = received(httpserver)[-1]
    body, headers = request.get_data(as_text=True), dict(request.headers)
    assert len(headers["Webhook-Signature"].split(" ")) == 1
    Webhook(new_secret).verify(body, headers)
    with pytest.raises(Exception, match="No matching signature"):
        Webhook(old_secret).verify(body, headers)


def test_redirects_are_not_followed(httpserver, make_endpoint, workspace, run_worker, settings):
    settings.WEBHOOK_RETRY_DELAYS = []
    httpserver.expect_request("/hook").respond_with_response(
        Response("", status=302, headers={"Location": httpserver.url_for("/elsewhere")})
    )
    httpserver.expect_request("/elsewhere").respond_with_data("should not be reached")
    make_endpoint(httpserver.url_for("/hook"))
    event = record_event(workspace)

    run_worker()

    assert [r.path for r in received(httpserver)] == ["/hook"]
    attempt = WebhookDelivery.objects.get(event=event).attempts.get()
    assert attempt.status_code == 302 and "redirects are not followed" in attempt.error


def test_unreachable_receiver_is_recorded_as_an_error(make_endpoint, workspace, run_worker):
    import socket

    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    make_endpoint(f"http://127.0.0.1:{port}/hook")
    event = record_event(workspace)

    run_worker(max_rounds=1)

    attempt = WebhookDelivery.objects.get(event=event).attempts.get()
    assert attempt.status_code is None and "Connection" in attempt.error


def test_private_address_is_refused_again_at_send_time(
    httpserver, make_endpoint, workspace, run_worker, settings
):
    httpserver.expect_request("/hook").respond_with_data("ok")
    make_endpoint(httpserver.url_for("/hook"))  # registered while private networks were allowed
    event = record_event(workspace)
    settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS = False
    settings.WEBHOOK_RETRY_DELAYS = []

    run_worker()

    assert received(httpserver) == []
    attempt = WebhookDelivery.objects.get(event=event).attempts.get()
    assert "public addresses" in attempt.error


class WorkerKilled(BaseException):
    """Stands in for SIGKILL: nothing after the claim runs, no exception handler of ours."""


def test_worker_killed_between_claim_and_finish_loses_nothing(
    httpserver, make_endpoint, workspace, run_worker, monkeypatch
):
    httpserver.expect_request("/hook").respond_with_data("ok")
    make_endpoint(httpserver.url_for("/hook"))
    event = record_event(workspace)
    real_post = delivery_module.http.post

    def killed(*args, **kwargs):
        raise WorkerKilled()

    monkeypatch.setattr(delivery_module.http, "post", killed)
    with pytest.raises(WorkerKilled):  # the worker dies mid-send, recording nothing
        run_worker(max_rounds=1)

    delivery = WebhookDelivery.objects.get(event=event)
    assert delivery.status == "pending" and delivery.locked_until is not None
    assert received(httpserver) == []
    # A restarted worker before the lease ends leaves it alone (the dead one might be sending)...
    monkeypatch.setattr(delivery_module.http, "post", real_post)
    run_worker()
    assert received(httpserver) == []
    # ...and once the lease has expired, the delivery is due again and is sent (the lease is
    # the watchdog: no task row is needed).
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        locked_until=timezone.now() - timedelta(seconds=1)
    )
    run_worker()

    assert len(received(httpserver)) == 1
    delivery.refresh_from_db()
    assert delivery.status == "succeeded"
    assert received(httpserver)[0].headers["webhook-id"] == delivery.pk


def test_the_delivery_row_is_the_queue_no_task_can_be_lost(
    httpserver, make_endpoint, workspace, run_worker
):
    httpserver.expect_request("/hook").respond_with_data("ok")
    make_endpoint(httpserver.url_for("/hook"))
    event = record_event(workspace)
    DBTaskResult.objects.all().delete()  # whatever the task queue holds or loses

    run_worker()

    assert len(received(httpserver)) == 1
    assert WebhookDelivery.objects.get(event=event).status == "succeeded"


def test_the_stale_sweep_releases_a_dead_workers_lease(
    httpserver, make_endpoint, workspace, run_worker
):
    httpserver.expect_request("/hook").respond_with_data("ok")
    make_endpoint(httpserver.url_for("/hook"))
    event = record_event(workspace)
    now = timezone.now()
    live = now + timedelta(hours=1)
    WebhookDelivery.objects.filter(event=event).update(locked_until=live)  # a worker's lease

    run_worker()
    assert received(httpserver) == []
    assert delivery_requeue_stale() == 0  # a live lease is left alone
    dead = now - timedelta(minutes=20)
    WebhookDelivery.objects.filter(event=event).update(locked_until=dead, next_attempt_at=dead)
    assert delivery_requeue_stale() == 1
    assert WebhookDelivery.objects.get(event=event).locked_until is None
    run_worker()

    assert len(received(httpserver)) == 1
    assert WebhookDelivery.objects.get(event=event).status == "succeeded"


def test_a_task_run_twice_sends_once(httpserver, make_endpoint, workspace, run_worker):
    httpserver.expect_request("/hook").respond_with_data("ok")
    make_endpoint(httpserver.url_for("/hook"))
    event = record_event(workspace)
    delivery = WebhookDelivery.objects.get(event=event)
    from events.tasks import webhook_deliver

    assert webhook_deliver.call(delivery.pk) == "succeeded"
    assert webhook_deliver.call(delivery.pk) == "skipped"
    assert len(received(httpserver)) == 1
