"""Personal data needs customers:read (issue 14, point 6): events read through the API, webhook
deliveries of endpoints registered without it, and the eligibility dry run."""

import pytest
from django.db import transaction

from events.models import WebhookDelivery
from events.payloads import delivery_payload
from events.services import event_record
from events.webhooks import webhook_create
from tests.enrollments.factories import EnrollmentFactory, ProgramInstanceFactory

pytestmark = pytest.mark.django_db

PERSON = {
    "id": "enr1",
    "eligibilityStatus": "candidate",
    "firstName": "Suzie",
    "lastName": "Homeowner",
    "email": "suzie@example.com",
    "phone": "+15550000100",
    "address": {"streetOne": "1 Main St", "city": "Albany", "state": "NY", "postalCode": "12207"},
    "serialNumber": "SN-1",
}
PERSONAL_VALUES = ["Suzie", "Homeowner", "suzie@example.com", "+15550000100", "1 Main St", "SN-1"]


@pytest.fixture
def event(workspace):
    with transaction.atomic():
        return event_record(workspace=workspace, type="enrollment.created", obj=PERSON)


@pytest.mark.parametrize(
    ("scopes", "redacted"),
    [(["events:read"], True), (["events:read", "customers:read"], False), (None, False)],
)
def test_events_api_redacts_without_customers_read(
    api_client_for, workspace, event, scopes, redacted
):
    client = api_client_for(workspace, scopes=scopes)
    for body in (
        client.get(f"/api/v1/events/{event.pk}").json(),
        client.get("/api/v1/events").json()["data"][0],
    ):
        text = str(body)
        obj = body["data"]["object"]
        assert obj["id"] == "enr1" and obj["eligibilityStatus"] == "candidate"
        if redacted:
            assert body["data"]["personalDataRedacted"] is True
            assert obj["firstName"] is None and obj["address"] is None
            assert not any(value in text for value in PERSONAL_VALUES)
        else:
            assert all(value in text for value in PERSONAL_VALUES)


def test_webhooks_registered_without_customers_read_get_redacted_deliveries(
    api_client_for, workspace, settings
):
    settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS = True
    settings.TASK_BACKEND = "dummy"
    narrow = api_client_for(workspace, scopes=["webhooks:manage"])
    wide = api_client_for(workspace, scopes=["webhooks:manage", "customers:read"])
    for client, url in ((narrow, "http://127.0.0.1:9/narrow"), (wide, "http://127.0.0.1:9/wide")):
        assert client.post("/api/v1/webhooks", {"url": url}, format="json").status_code == 201
    with transaction.atomic():
        event_record(workspace=workspace, type="enrollment.created", obj=PERSON)
    bodies = {
        d.endpoint.url: str(delivery_payload(d))
        for d in WebhookDelivery.objects.select_related("endpoint", "event")
    }
    assert not any(v in bodies["http://127.0.0.1:9/narrow"] for v in PERSONAL_VALUES)
    assert "'personalDataRedacted': True" in bodies["http://127.0.0.1:9/narrow"]
    assert all(v in bodies["http://127.0.0.1:9/wide"] for v in PERSONAL_VALUES)
    # The dashboard and admin (people with customers:read, or staff) register full endpoints.
    endpoint, _ = webhook_create(workspace=workspace, url="http://127.0.0.1:9/cli")
    assert endpoint.redact_personal_data is False


def test_dry_run_by_customer_needs_customers_read(api_client_for, workspace):
    instance = ProgramInstanceFactory(workspace=workspace)
    customer = EnrollmentFactory(workspace=workspace, program_instance=instance).customer
    url = f"/api/v1/programInstances/{instance.pk}/eligibility"
    narrow = api_client_for(workspace, scopes=["instances:read"])
    for customer_id in (customer.pk, "cnotacustomer000000000000"):
        refused = narrow.post(url, {"customerId": customer_id}, format="json")
        # The same answer whether or not the customer exists.
        assert refused.status_code == 403 and refused.json()["code"] == "FORBIDDEN"
        assert "customers:read" in refused.json()["message"]
    assert narrow.post(url, {"enrolledProgramSlugs": ["x"]}, format="json").status_code == 200
    wide = api_client_for(workspace, scopes=["instances:read", "customers:read"])
    assert wide.post(url, {"customerId": customer.pk}, format="json").status_code == 200
