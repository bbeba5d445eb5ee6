"""Terms versions, the instance's new fields, consent and source on every door."""

import pytest

from enrollments.models import Enrollment
from instances.services import instance_update
from instances.terms import terms_sha256

pytestmark = pytest.mark.django_db


def test_each_change_of_the_text_is_a_new_version(page_instance):
    assert page_instance.terms_version == 1
    instance_update(instance=page_instance, data={"custom_terms": "Second text."})
    instance_update(instance=page_instance, data={"name": "Renamed"})  # not a terms change
    instance = instance_update(instance=page_instance, data={"custom_terms": "Third text."})
    rows = list(instance.terms_versions.order_by("version").values_list("version", "text"))
    assert rows == [
        (1, "You agree to let us cycle your battery."),
        (2, "Second text."),
        (3, "Third text."),
    ]
    assert instance.terms_version == 3


def test_terms_endpoint_and_instance_fields(api, page_instance, settings):
    settings.SITE_URL = "https://enroll.utility.example"
    instance_update(instance=page_instance, data={"custom_terms": "Version two."})
    body = api.get(f"/api/v1/programInstances/{page_instance.pk}").json()
    assert body["termsVersion"] == 2
    assert body["enrollmentUrl"] == f"https://enroll.utility.example/enroll/{page_instance.slug}/"
    listing = api.get(f"/api/v1/programInstances/{page_instance.pk}/terms?perPage=1").json()
    assert listing["totalItems"] == 2 and listing["totalPages"] == 2
    (latest,) = listing["data"]
    assert latest["version"] == 2 and latest["text"] == "Version two."
    assert latest["sha256"] == terms_sha256("Version two.")


def test_terms_of_another_workspace_are_404(api_client_for, other_workspace, page_instance):
    other = api_client_for(other_workspace)
    assert other.get(f"/api/v1/programInstances/{page_instance.pk}/terms").status_code == 404


def test_api_create_records_source_and_consent_with_server_filled_terms(api, page_instance):
    response = api.post(
        f"/api/v1/programInstances/{page_instance.pk}/enrollments",
        {
            "identificationType": "customerInfo",
            "firstName": "Bo",
            "lastName": "Li",
            "email": "bo@example.com",
            "consent": {
                "acceptedAt": "2025-01-02T03:04:05Z",
                "ipAddress": "203.0.113.7",
                "userAgent": "Kiosk",
            },
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["source"] == "api"
    assert body["consent"]["termsVersion"] == 1
    assert body["consent"]["termsSha256"] == terms_sha256(page_instance.custom_terms)
    assert body["consent"]["ipAddress"] == "203.0.113.7"
    assert body["consent"]["acceptedAt"].startswith("2025-01-02T03:04:05")


def test_api_create_without_consent_is_null(api, page_instance):
    body = api.post(
        f"/api/v1/programInstances/{page_instance.pk}/enrollments",
        {
            "identificationType": "customerInfo",
            "firstName": "Bo",
            "lastName": "Li",
            "email": "bo@example.com",
        },
        format="json",
    ).json()
    assert body["consent"] is None and body["source"] == "api"


def test_dashboard_door_sets_dashboard_source(member_client, page_instance):
    client = member_client(role="operator")
    response = client.post(
        f"/instances/{page_instance.pk}/enrollments/new/",
        {"first_name": "Cy", "last_name": "Do", "email": "cy@example.com"},
        format="multipart",
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Enrollment.objects.get(email="cy@example.com").source == "dashboard"


def test_admin_shows_terms_versions_and_saves_through_the_service(admin_client, page_instance):
    url = f"/admin/instances/programinstance/{page_instance.pk}/change/"
    body = admin_client.get(url).content.decode()
    assert "You agree to let us cycle your battery." in body
    assert terms_sha256("You agree to let us cycle your battery.") in body
