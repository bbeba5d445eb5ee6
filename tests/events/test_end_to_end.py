"""End to end: enrollment API calls → events in the same transaction → the worker delivers the
webhooks to a real receiver and emails the customer and staff."""

import json

from django.core import mail
from standardwebhooks.webhooks import Webhook

from events.models import Event
from tests.factories import MembershipFactory, ProgramInstanceFactory, UserFactory


def test_enrollment_lifecycle_reaches_webhooks_and_inboxes(api, workspace, httpserver, run_worker):
    httpserver.expect_request("/hook").respond_with_data("ok")
    MembershipFactory(user=UserFactory(email="ops@utility.test"), workspace=workspace, role="admin")
    instance = ProgramInstanceFactory(
        workspace=workspace,
        name="Sunny Rewards",
        logo_url="https://cdn.example.com/sunny.png",
        form_config={"brandColor": "#ff8800"},
    )
    webhook = api.post(
        "/api/v1/webhooks",
        {
            "url": httpserver.url_for("/hook"),
            "eventTypes": ["enrollment.created", "enrollment.status_changed"],
        },
        format="json",
    ).json()

    created = api.post(
        f"/api/v1/programInstances/{instance.pk}/enrollments",
        {
            "identificationType": "customerInfo",
            "firstName": "Suzie",
            "lastName": "Homeowner",
            "email": "suzie.homeowner@example.com",
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    enrollment_id = created.json()["id"]
    for to in ("eligible", "submitted", "approved"):
        response = api.post(
            f"/api/v1/enrollments/{enrollment_id}/transitions", {"to": to}, format="json"
        )
        assert response.status_code == 200, response.content

    run_worker()

    bodies = []
    for request, _ in httpserver.log:
        body = Webhook(webhook["secret"]).verify(
            request.get_data(as_text=True), dict(request.headers)
        )
        bodies.append(body)
    bodies.sort(key=lambda b: (b["createdAt"], b["id"]))
    assert [b["type"] for b in bodies] == ["enrollment.created"] + ["enrollment.status_changed"] * 3
    changes = [
        (b["data"]["previousStatus"], b["data"]["object"]["eligibilityStatus"]) for b in bodies[1:]
    ]
    assert changes == [
        ("candidate", "eligible"),
        ("eligible", "submitted"),
        ("submitted", "approved"),
    ]
    assert all(b["data"]["object"]["id"] == enrollment_id for b in bodies)
    # The events API tells the same story.
    events = api.get("/api/v1/events", {"enrollmentId": enrollment_id}).json()
    # created, and per move both enrollment.status_changed and enrollment.updated (the spec).
    assert events["totalItems"] == Event.objects.filter(enrollment_id=enrollment_id).count() == 7
    assert json.loads(json.dumps(bodies[-1]["data"])) == events["data"][0]["data"]

    subjects = sorted((m.to[0], m.subject) for m in mail.outbox)
    assert subjects == [
        ("ops@utility.test", "New enrollment to review: Suzie Homeowner in Sunny Rewards"),
        ("suzie.homeowner@example.com", "We received your enrollment in Sunny Rewards"),
        ("suzie.homeowner@example.com", "You're enrolled in Sunny Rewards"),
    ]
    assert "#ff8800" in mail.outbox[0].alternatives[0][0]
