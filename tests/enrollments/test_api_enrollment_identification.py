"""Identification types of a new enrollment: customerInfo, customerId, leadId (a lead becomes a
customer), enrollmentId (last year's enrollment copied). Split from test_api_enrollments.py.
"""

import pytest

from tests.enrollments.api_helpers import SPEC_EXAMPLE, enroll
from tests.enrollments.factories import (
    CustomerFactory,
    EnrollmentFactory,
    LeadFactory,
)


# --- identification types -------------------------------------------------------------------
def test_customer_info_reuses_the_customer_with_that_email(api, workspace, instance):
    customer = CustomerFactory(workspace=workspace, email="suzie.homeowner@example.com")
    body = enroll(api, instance, {**SPEC_EXAMPLE, "email": "Suzie.Homeowner@Example.com"}).json()
    assert body["customerId"] == customer.pk
    assert body["email"] == "suzie.homeowner@example.com"


def test_customer_info_creates_a_customer(api, workspace, instance):
    body = enroll(api, instance, SPEC_EXAMPLE).json()
    customer = api.get(f"/api/v1/customers/{body['customerId']}").json()
    assert customer["email"] == SPEC_EXAMPLE["email"]
    assert customer["address"] == SPEC_EXAMPLE["address"]


@pytest.mark.parametrize("missing", ["firstName", "lastName", "email"])
def test_customer_info_requires_person(api, instance, missing):
    body = dict(SPEC_EXAMPLE)
    body.pop(missing)
    response = enroll(api, instance, body)
    assert response.status_code == 400
    assert missing in response.json()["details"]
    # The message is for people: "First name", not "firstName".
    label = {"firstName": "First name", "lastName": "Last name", "email": "Email"}[missing]
    assert label in response.json()["message"]


def test_identification_type_is_required(api, instance):
    body = dict(SPEC_EXAMPLE)
    body.pop("identificationType")
    response = enroll(api, instance, body)
    assert response.status_code == 400
    assert "identificationType" in response.json()["details"]


def test_customer_id_fills_person_from_customer(api, workspace, instance):
    customer = CustomerFactory(workspace=workspace, phone="+19998887777")
    response = enroll(
        api,
        instance,
        {"identificationType": "customerId", "customerId": customer.pk, "serialNumber": "X1"},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["customerId"] == customer.pk
    assert (body["firstName"], body["lastName"], body["email"], body["phone"]) == (
        customer.first_name,
        customer.last_name,
        customer.email,
        "+19998887777",
    )
    assert body["address"]["postalCode"] == customer.postal_code
    assert body["identificationType"] == "customerId"


@pytest.mark.parametrize("kind", ["customerId", "leadId", "enrollmentId"])
def test_reference_types_require_their_id(api, instance, kind):
    response = enroll(api, instance, {"identificationType": kind})
    assert response.status_code == 400
    assert kind in response.json()["details"]
    assert kind in response.json()["message"]


@pytest.mark.parametrize("kind", ["customerId", "leadId", "enrollmentId"])
def test_unknown_and_foreign_ids_answer_alike(api, instance, other_workspace, kind):
    foreign = {
        "customerId": lambda: CustomerFactory(workspace=other_workspace, first_name="Secret"),
        "leadId": lambda: LeadFactory(workspace=other_workspace, first_name="Secret"),
        "enrollmentId": lambda: EnrollmentFactory(workspace=other_workspace, first_name="Secret"),
    }[kind]()
    unknown = enroll(api, instance, {"identificationType": kind, kind: "doesnotexist00000000000"})
    theirs = enroll(api, instance, {"identificationType": kind, kind: foreign.pk})
    assert unknown.status_code == theirs.status_code == 400
    assert unknown.json()["message"] == theirs.json()["message"]
    assert unknown.json()["details"] == theirs.json()["details"]
    assert "Secret" not in theirs.content.decode() and foreign.email not in theirs.content.decode()


def test_id_of_another_type_is_refused(api, workspace, instance):
    customer = CustomerFactory(workspace=workspace)
    response = enroll(
        api,
        instance,
        {**SPEC_EXAMPLE, "identificationType": "customerInfo", "customerId": customer.pk},
    )
    assert response.status_code == 400
    assert "customerId" in response.json()["details"]


def test_lead_id_converts_the_lead(api, workspace, instance):
    lead = LeadFactory(workspace=workspace, phone="+1222")
    response = enroll(api, instance, {"identificationType": "leadId", "leadId": lead.pk})
    assert response.status_code == 201, response.content
    body = response.json()
    lead.refresh_from_db()
    assert body["leadId"] == lead.pk
    assert lead.customer_id == body["customerId"]
    assert (body["firstName"], body["email"], body["phone"]) == (
        lead.first_name,
        lead.email,
        "+1222",
    )
    assert api.get(f"/api/v1/leads/{lead.pk}").json()["customerId"] == body["customerId"]


def test_lead_id_reuses_customer_with_same_email(api, workspace, instance):
    customer = CustomerFactory(workspace=workspace, email="lead.person@example.com")
    lead = LeadFactory(workspace=workspace, email="lead.person@example.com")
    body = enroll(api, instance, {"identificationType": "leadId", "leadId": lead.pk}).json()
    assert body["customerId"] == customer.pk


def test_lead_without_names_needs_them_in_the_request(api, workspace, instance):
    lead = LeadFactory(workspace=workspace, first_name="", last_name="")
    response = enroll(api, instance, {"identificationType": "leadId", "leadId": lead.pk})
    assert response.status_code == 400
    assert {"firstName", "lastName"} <= set(response.json()["details"])
    fixed = enroll(
        api,
        instance,
        {"identificationType": "leadId", "leadId": lead.pk, "firstName": "Lee", "lastName": "Dee"},
    )
    assert fixed.status_code == 201, fixed.content


def test_enrollment_id_copies_last_years_enrollment(api, workspace, instance):
    last_year = EnrollmentFactory(
        workspace=workspace,
        status="approved",
        tags=["2024"],
        device_capacity=13.5,
        reference_id="TESLA-1",
        metadata={"site": 7},
    )
    response = enroll(
        api, instance, {"identificationType": "enrollmentId", "enrollmentId": last_year.pk}
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["enrollmentId"] == last_year.pk
    assert body["customerId"] == last_year.customer_id
    assert body["programInstanceId"] == instance.pk
    assert body["tags"] == ["2024"] and body["deviceCapacity"] == 13.5
    assert body["referenceId"] == "TESLA-1" and body["metadata"] == {"site": 7}
    assert body["eligibilityStatus"] == "candidate"
