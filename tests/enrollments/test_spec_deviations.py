"""Spec deviations fixed for enrollments (issue 9, section 4): `enrollment.updated` on every
status or data change, a rejected enrollment reopens when the criteria change, and one device
serial number is enrolled once per instance."""

import pytest

from events.models import Event
from tests.enrollments.factories import EnrollmentFactory, ProgramInstanceFactory

pytestmark = pytest.mark.django_db


def types_of(enrollment_id: str) -> list[str]:
    return list(
        Event.objects.filter(enrollment_id=enrollment_id)
        .order_by("created_at", "id")
        .values_list("type", flat=True)
    )


def test_updated_on_data_and_status_changes_status_changed_on_status_only(api, workspace):
    enrollment = EnrollmentFactory(workspace=workspace, status="candidate")
    url = f"/api/v1/enrollments/{enrollment.pk}"
    api.patch(url, {"deviceType": "heat_pump"}, format="json")
    assert types_of(enrollment.pk) == ["enrollment.updated"]
    api.post(f"{url}/transitions", {"to": "eligible"}, format="json")
    assert types_of(enrollment.pk) == [
        "enrollment.updated",
        "enrollment.status_changed",
        "enrollment.updated",
    ]
    latest = Event.objects.filter(enrollment_id=enrollment.pk).latest("created_at")
    assert latest.data["object"]["eligibilityStatus"] == "eligible"
    assert latest.data["previousStatus"] == "candidate"


def test_rejected_reopens_when_the_criteria_change(api, workspace):
    instance = ProgramInstanceFactory(workspace=workspace, eligibility_criteria={"regions": ["CA"]})
    rejected = EnrollmentFactory(
        workspace=workspace,
        program_instance=instance,
        status="rejected",
        state="NY",
        evaluated_criteria_version=instance.criteria_version,
    )
    url = f"/api/v1/enrollments/{rejected.pk}"
    assert api.get(url).json()["allowedTransitions"] == []
    refused = api.post(f"{url}/evaluate")
    assert refused.status_code == 409
    # The operator widens the rules: the rejection may be looked at again, like `ineligible`.
    api.patch(
        f"/api/v1/programInstances/{instance.pk}",
        {"eligibilityCriteria": {"regions": ["CA", "NY"]}},
        format="json",
    )
    assert api.get(url).json()["allowedTransitions"] == ["candidate"]
    body = api.post(f"{url}/evaluate").json()
    assert body["eligibilityStatus"] == "eligible"
    history = api.get(f"{url}/history").json()["data"]
    assert [(h["from"], h["to"]) for h in history] == [
        ("rejected", "candidate"),
        ("candidate", "eligible"),
    ]


def test_reopening_a_rejection_refuses_a_second_open_enrollment(api, workspace):
    instance = ProgramInstanceFactory(workspace=workspace, criteria_version=2)
    rejected = EnrollmentFactory(
        workspace=workspace,
        program_instance=instance,
        status="rejected",
        evaluated_criteria_version=1,
    )
    again = EnrollmentFactory(
        workspace=workspace, program_instance=instance, customer=rejected.customer
    )
    response = api.post(
        f"/api/v1/enrollments/{rejected.pk}/transitions", {"to": "candidate"}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["details"]["enrollmentId"] == again.pk


def test_one_serial_number_per_instance(api, workspace):
    instance = ProgramInstanceFactory(workspace=workspace)
    first = EnrollmentFactory(
        workspace=workspace, program_instance=instance, serial_number="SN-1", status="submitted"
    )
    body = {
        "identificationType": "customerInfo",
        "firstName": "Other",
        "lastName": "Customer",
        "email": "other@example.com",
        "serialNumber": "sn-1",
    }
    path = f"/api/v1/programInstances/{instance.pk}/enrollments"
    response = api.post(path, body, format="json")
    assert response.status_code == 409
    assert response.json()["details"]["enrollmentId"] == first.pk
    assert "another customer" in response.json()["message"]
    # Another serial enrolls; changing it to the taken one is refused too.
    created = api.post(path, {**body, "serialNumber": "SN-2"}, format="json").json()
    patch = api.patch(
        f"/api/v1/enrollments/{created['id']}", {"serialNumber": "SN-1"}, format="json"
    )
    assert patch.status_code == 409 and patch.json()["details"]["enrollmentId"] == first.pk
    # Another instance is another enrollment: the same device may join it.
    other = ProgramInstanceFactory(workspace=workspace)
    joined = api.post(f"/api/v1/programInstances/{other.pk}/enrollments", body, format="json")
    assert joined.status_code == 201
    # Once the first enrollment is closed, the device may be enrolled by someone else.
    api.post(
        f"/api/v1/enrollments/{first.pk}/transitions",
        {"to": "rejected", "reason": "Wrong device"},
        format="json",
    )
    assert api.post(path, {**body, "email": "third@example.com"}, format="json").status_code == 201
