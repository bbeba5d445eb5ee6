"""/customers and /leads: the generic API behaviour plus email rules and isolation."""

import pytest

from tests.api_base import CreateTests, ListTests, RetrieveTests, UpdateTests
from tests.enrollments.factories import CustomerFactory, LeadFactory


class TestCustomerAPI(ListTests, RetrieveTests, CreateTests, UpdateTests):
    path = "/api/v1/customers"
    read_scope = "customers:read"
    write_scope = "customers:write"
    update_data = {"phone": "+15550000000", "address": {"city": "Albany", "state": "NY"}}
    list_query_budget = 6

    def make(self, workspace):
        return CustomerFactory(workspace=workspace)

    def create_data(self, workspace):
        return {
            "firstName": "Suzie",
            "lastName": "Homeowner",
            "email": "suzie@example.com",
            "address": {"streetOne": "1 Main St", "state": "ny", "postalCode": "10001"},
            "metadata": {"source": "test"},
        }

    def test_update(self, api, workspace):
        customer = self.make(workspace)
        response = api.patch(self.detail_path(customer), self.update_data, format="json")
        assert response.status_code == 200, response.content
        body = response.json()
        assert body["phone"] == "+15550000000"
        # A partial address changes only the keys given.
        assert body["address"]["city"] == "Albany"
        assert body["address"]["streetOne"] == customer.street_one


def test_customer_shape(api):
    body = api.post("/api/v1/customers", TestCustomerAPI().create_data(None), format="json").json()
    assert set(body) == {
        "id",
        "firstName",
        "lastName",
        "email",
        "phone",
        "address",
        "referenceId",
        "metadata",
        "createdAt",
        "updatedAt",
    }
    assert body["address"] == {
        "streetOne": "1 Main St",
        "streetTwo": "",
        "city": "",
        "state": "NY",
        "postalCode": "10001",
        "country": "",
    }


def test_customer_email_unique_per_workspace_any_case(api, workspace):
    existing = CustomerFactory(workspace=workspace, email="dup@example.com")
    data = {"firstName": "A", "lastName": "B", "email": "DUP@Example.com"}
    response = api.post("/api/v1/customers", data, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "CONFLICT"
    assert response.json()["details"]["customerId"] == existing.pk


def test_customer_email_change_to_taken_is_409(api, workspace):
    CustomerFactory(workspace=workspace, email="taken@example.com")
    other = CustomerFactory(workspace=workspace)
    response = api.patch(f"/api/v1/customers/{other.pk}", {"email": "Taken@example.com"})
    assert response.status_code == 409


def test_same_email_in_another_workspace_is_fine_and_not_revealed(api, workspace, other_workspace):
    CustomerFactory(workspace=other_workspace, email="shared@example.com")
    data = {"firstName": "A", "lastName": "B", "email": "shared@example.com"}
    assert api.post("/api/v1/customers", data, format="json").status_code == 201


@pytest.mark.parametrize("missing", ["firstName", "lastName", "email"])
def test_customer_required_fields(api, missing):
    data = {"firstName": "A", "lastName": "B", "email": "a@example.com"}
    data.pop(missing)
    response = api.post("/api/v1/customers", data, format="json")
    assert response.status_code == 400
    assert missing in response.json()["details"]


def test_customer_bad_values_are_400(api):
    base = {"firstName": "A", "lastName": "B", "email": "a@example.com"}
    for patch, field in (
        ({"email": "not-an-email"}, "email"),
        ({"metadata": [1, 2]}, "metadata"),
        ({"address": {"planet": "Mars"}}, "address"),
        ({"address": "1 Main St"}, "address"),
    ):
        response = api.post("/api/v1/customers", {**base, **patch}, format="json")
        assert response.status_code == 400, (patch, response.content)
        assert field in response.json()["details"], response.json()


def test_customer_filters(api, workspace, other_workspace):
    mine = CustomerFactory(workspace=workspace, email="find.me@example.com", reference_id="R1")
    CustomerFactory(workspace=workspace)
    CustomerFactory(workspace=other_workspace, email="find.me@example.com")
    for query in ({"email": "FIND.ME@example.com"}, {"referenceId": "R1"}, {"search": "find.me"}):
        ids = [c["id"] for c in api.get("/api/v1/customers", query).json()["data"]]
        assert ids == [mine.pk], query
    assert api.get("/api/v1/customers", {"createdAfter": "nope"}).status_code == 400


def test_customers_cannot_be_deleted(api, workspace):
    customer = CustomerFactory(workspace=workspace)
    assert api.delete(f"/api/v1/customers/{customer.pk}").status_code == 405


class TestLeadAPI(ListTests, RetrieveTests, CreateTests, UpdateTests):
    path = "/api/v1/leads"
    read_scope = "customers:read"
    write_scope = "customers:write"
    update_data = {"firstName": "Renamed"}
    list_query_budget = 6

    def make(self, workspace):
        return LeadFactory(workspace=workspace)

    def create_data(self, workspace):
        return {"email": "Lead@Example.com", "address": {"state": "CA"}}


def test_lead_needs_email_or_phone(api):
    response = api.post("/api/v1/leads", {"firstName": "Nobody"}, format="json")
    assert response.status_code == 400
    assert api.post("/api/v1/leads", {"phone": "+15551234567"}, format="json").status_code == 201


def test_lead_customer_id_is_read_only(api, workspace):
    lead = LeadFactory(workspace=workspace)
    customer = CustomerFactory(workspace=workspace)
    api.patch(f"/api/v1/leads/{lead.pk}", {"customerId": customer.pk}, format="json")
    lead.refresh_from_db()
    assert lead.customer_id is None
