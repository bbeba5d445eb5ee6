"""/enrollments and /programInstances/{id}/enrollments: contract shape, the spec example
verbatim, identification types, filters, PATCH rules, deletion and tenant isolation."""

from datetime import timedelta

import pytest
from django.utils import timezone

from enrollments.models import Enrollment, EnrollmentStatusChange
from events.models import Event
from tests.api_base import APIViewTests
from tests.enrollments.factories import (
    CustomerFactory,
    EnrollmentFactory,
    LeadFactory,
    ProgramInstanceFactory,
)

# The spec's request example (enrollments.md, "Creating an Enrollment"), with the JSON's
# missing closing braces restored; nothing else changed.
SPEC_EXAMPLE = {
    "identificationType": "customerInfo",
    "firstName": "Suzie",
    "lastName": "Homeowner",
    "email": "suzie.homeowner@example.com",
    "phone": "+1234567890",
    "address": {
        "streetOne": "123 Main St",
        "streetTwo": "Apt 4B",
        "city": "New York",
        "state": "NY",
        "postalCode": "10001",
        "country": "USA",
    },
    "manufacturerSlugs": ["tesla", "enphase"],
    "serialNumber": "1234567890",
    "referenceId": "1234567890",
    "referenceDescription": "Tesla Grid Services id.",
    "tags": ["tag1", "tag2"],
}
# Every key of the spec's sample response, plus the contract's additions.
SAMPLE_RESPONSE_KEYS = {
    "id",
    "leadId",
    "customerId",
    "firstName",
    "lastName",
    "email",
    "phone",
    "manufacturerSlugs",
    "meta",
    "serialNumber",
    "referenceId",
    "referenceDescription",
    "programInstanceId",
    "enrollmentStartDate",
    "tags",
    "address",
    "eligibility",
}
CONTRACT_KEYS = SAMPLE_RESPONSE_KEYS | {
    "identificationType",
    "enrollmentId",
    "deviceType",
    "deviceCapacity",
    "metadata",
    "eligibilityStatus",
    "eligibilityReason",
    "allowedTransitions",
    "createdAt",
    "updatedAt",
}


@pytest.fixture
def instance(workspace):
    return ProgramInstanceFactory(workspace=workspace)


def enroll(api, instance, body):
    return api.post(f"/api/v1/programInstances/{instance.pk}/enrollments", body, format="json")


class TestEnrollmentAPI(APIViewTests):
    path = "/api/v1/enrollments"
    read_scope = "enrollments:read"
    write_scope = "enrollments:write"
    update_data = {"phone": "+15550000000", "tags": ["changed"]}
    list_query_budget = 6

    def make(self, workspace):
        return EnrollmentFactory(workspace=workspace)

    def create_data(self, workspace):
        instance = ProgramInstanceFactory(workspace=workspace)
        return {**SPEC_EXAMPLE, "programInstanceId": instance.pk}

    def assert_deleted(self, client, obj):
        assert client.get(self.detail_path(obj)).status_code == 404
        assert not Enrollment.objects.filter(pk=obj.pk).exists()


class TestInstanceEnrollmentAPI(APIViewTests):
    """`/programInstances/{instanceId}/enrollments` (list and create) through the same base."""

    read_scope = "enrollments:read"
    write_scope = "enrollments:write"
    actions = {"list", "create"}
    list_query_budget = 7

    @pytest.fixture(autouse=True)
    def _instance(self, workspace):
        self.instance = ProgramInstanceFactory(workspace=workspace)
        self.path = f"/api/v1/programInstances/{self.instance.pk}/enrollments"

    def make(self, workspace):
        if workspace.pk == self.instance.workspace_id:
            return EnrollmentFactory(workspace=workspace, program_instance=self.instance)
        return EnrollmentFactory(workspace=workspace)

    def create_data(self, workspace):
        return dict(SPEC_EXAMPLE)


# --- the spec example and the response shape ----------------------------------------------
def test_spec_example_verbatim(api, instance):
    response = enroll(api, instance, SPEC_EXAMPLE)
    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) >= CONTRACT_KEYS
    assert body["programInstanceId"] == instance.pk
    assert body["eligibilityStatus"] == "candidate"
    assert body["eligibility"] == {
        "status": "candidate",
        "reason": "",
        "programInstanceId": instance.pk,
    }
    assert body["address"] == SPEC_EXAMPLE["address"]
    for key in (
        "firstName",
        "lastName",
        "email",
        "phone",
        "manufacturerSlugs",
        "serialNumber",
        "referenceId",
        "referenceDescription",
        "tags",
    ):
        assert body[key] == SPEC_EXAMPLE[key], key
    assert body["meta"] == body["metadata"] == {}
    assert body["allowedTransitions"] == ["eligible", "ineligible"]
    assert body["leadId"] is None and body["enrollmentId"] is None
    assert body["customerId"]
    # The spec's GET returns it in the same shape, paginated.
    listed = api.get(f"/api/v1/programInstances/{instance.pk}/enrollments").json()
    assert {"data", "page", "perPage", "totalItems", "totalPages"} <= set(listed)
    assert listed["data"] == [api.get(f"/api/v1/enrollments/{body['id']}").json()]
    assert set(listed["data"][0]) >= SAMPLE_RESPONSE_KEYS


def test_create_records_event_with_api_shape(api, instance):
    body = enroll(api, instance, SPEC_EXAMPLE).json()
    event = Event.objects.get(type="enrollment.created", enrollment_id=body["id"])
    assert event.data["object"] == body
    assert event.program_instance_id == instance.pk


def test_meta_and_metadata_are_aliases(api, instance):
    body = enroll(api, instance, {**SPEC_EXAMPLE, "meta": {"property1": None}}).json()
    assert body["meta"] == body["metadata"] == {"property1": None}
    other = {**SPEC_EXAMPLE, "email": "x@example.com", "metadata": {"a": 1}, "meta": {"a": 2}}
    assert enroll(api, instance, other).status_code == 400


def test_post_enrollments_with_program_instance_id(api, instance, other_workspace):
    response = api.post(
        "/api/v1/enrollments", {**SPEC_EXAMPLE, "programInstanceId": instance.pk}, format="json"
    )
    assert response.status_code == 201
    missing = api.post("/api/v1/enrollments", SPEC_EXAMPLE, format="json")
    assert missing.status_code == 400 and "programInstanceId" in missing.json()["details"]
    theirs = ProgramInstanceFactory(workspace=other_workspace)
    unknown = api.post(
        "/api/v1/enrollments", {**SPEC_EXAMPLE, "programInstanceId": "nope"}, format="json"
    )
    foreign = api.post(
        "/api/v1/enrollments", {**SPEC_EXAMPLE, "programInstanceId": theirs.pk}, format="json"
    )
    assert unknown.status_code == foreign.status_code == 400
    assert unknown.json()["message"] == foreign.json()["message"]


def test_nested_path_rejects_mismatched_instance_id(api, instance, workspace):
    other = ProgramInstanceFactory(workspace=workspace)
    response = enroll(api, instance, {**SPEC_EXAMPLE, "programInstanceId": other.pk})
    assert response.status_code == 400


def test_unknown_field_is_400(api, instance):
    response = enroll(api, instance, {**SPEC_EXAMPLE, "favouriteColour": "red"})
    assert response.status_code == 400
    assert "favouriteColour" in response.json()["message"]


@pytest.mark.parametrize(
    ("patch", "field"),
    [
        ({"email": "nope"}, "email"),
        ({"tags": "tag1"}, "tags"),
        ({"tags": [""]}, "tags"),
        ({"manufacturerSlugs": ["Not A Slug!"]}, "manufacturerSlugs"),
        ({"deviceCapacity": -1}, "deviceCapacity"),
        ({"deviceCapacity": "lots"}, "deviceCapacity"),
        ({"metadata": "x"}, "metadata"),
        ({"address": {"street": "1 Main"}}, "address"),
        ({"identificationType": "socialSecurityNumber"}, "identificationType"),
        ({"eligibilityStatus": "approved"}, "eligibilityStatus"),
    ],
)
def test_bad_values_are_400_naming_the_field(api, instance, patch, field):
    response = enroll(api, instance, {**SPEC_EXAMPLE, **patch})
    assert response.status_code == 400, response.content
    assert field in response.json()["details"], response.json()


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


# --- rules that protect data ----------------------------------------------------------------
@pytest.mark.parametrize(
    "instance_kwargs",
    [
        {"status": "inactive"},
        {"status": "archived"},
        {"start_date": timezone.now() + timedelta(days=3)},
        {
            "start_date": timezone.now() - timedelta(days=30),
            "end_date": timezone.now() - timedelta(days=1),
        },
    ],
)
def test_only_open_instances_take_enrollments(api, workspace, instance_kwargs):
    closed = ProgramInstanceFactory(workspace=workspace, **instance_kwargs)
    response = enroll(api, closed, SPEC_EXAMPLE)
    assert response.status_code == 409
    assert response.json()["message"] == closed.enrollment_block_reason()
    assert not Enrollment.objects.exists()


def test_duplicate_open_enrollment_is_refused(api, workspace, instance):
    first = enroll(api, instance, SPEC_EXAMPLE).json()
    again = enroll(api, instance, SPEC_EXAMPLE)
    assert again.status_code == 409
    assert again.json()["details"]["enrollmentId"] == first["id"]
    assert "already has an open enrollment" in again.json()["message"]


def test_closed_enrollment_allows_a_new_one(api, workspace, instance):
    customer = CustomerFactory(workspace=workspace)
    EnrollmentFactory(
        workspace=workspace, program_instance=instance, customer=customer, status="rejected"
    )
    response = enroll(
        api, instance, {"identificationType": "customerId", "customerId": customer.pk}
    )
    assert response.status_code == 201


def test_excluded_program_is_refused(api, workspace):
    customer = CustomerFactory(workspace=workspace)
    other_program_instance = ProgramInstanceFactory(workspace=workspace)
    EnrollmentFactory(
        workspace=workspace,
        program_instance=other_program_instance,
        customer=customer,
        status="approved",
    )
    excluding = ProgramInstanceFactory(
        workspace=workspace,
        eligibility_criteria={"excludeProgramSlugs": [other_program_instance.program.slug]},
    )
    response = enroll(
        api, excluding, {"identificationType": "customerId", "customerId": customer.pk}
    )
    assert response.status_code == 409
    assert other_program_instance.program.slug in response.json()["message"]


# --- PATCH and DELETE ---------------------------------------------------------------------
@pytest.mark.parametrize(
    "body",
    [
        {"eligibilityStatus": "approved"},
        {"status": "approved"},
        {"eligibility": {"status": "approved"}},
        {"eligibilityReason": "because"},
    ],
)
def test_patch_never_changes_the_status(api, workspace, body):
    enrollment = EnrollmentFactory(workspace=workspace, status="submitted")
    response = api.patch(f"/api/v1/enrollments/{enrollment.pk}", body, format="json")
    assert response.status_code == 400
    assert "/transitions" in response.json()["message"]
    enrollment.refresh_from_db()
    assert enrollment.status == "submitted"


def test_patch_changes_data_records_event_and_keeps_status(api, workspace):
    enrollment = EnrollmentFactory(workspace=workspace, status="eligible")
    response = api.patch(
        f"/api/v1/enrollments/{enrollment.pk}",
        {"address": {"city": "Albany"}, "meta": {"x": 1}, "tags": ["a", "a", "b"]},
        format="json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["address"]["city"] == "Albany" and body["address"]["state"] == "NY"
    assert body["metadata"] == {"x": 1} and body["tags"] == ["a", "b"]
    assert body["eligibilityStatus"] == "eligible"
    event = Event.objects.get(type="enrollment.updated", enrollment_id=enrollment.pk)
    assert event.data["object"] == body
    assert api.get("/api/v1/enrollments", {"tag": "b"}).json()["totalItems"] == 1
    assert api.get("/api/v1/enrollments", {"tag": "demo"}).json()["totalItems"] == 0


def test_patch_cannot_change_identity(api, workspace):
    enrollment = EnrollmentFactory(workspace=workspace)
    for body in (
        {"identificationType": "customerId"},
        {"programInstanceId": "x"},
        {"customerId": "x"},
        {"email": ""},
    ):
        assert (
            api.patch(f"/api/v1/enrollments/{enrollment.pk}", body, format="json").status_code
            == 400
        ), body


def test_put_is_not_offered(api, workspace):
    enrollment = EnrollmentFactory(workspace=workspace)
    assert api.put(f"/api/v1/enrollments/{enrollment.pk}", {}, format="json").status_code == 405


def test_delete_keeps_history_for_staff_and_records_event(api, workspace):
    enrollment = EnrollmentFactory(workspace=workspace, status="candidate")
    api.post(f"/api/v1/enrollments/{enrollment.pk}/transitions", {"to": "eligible"}, format="json")
    assert api.delete(f"/api/v1/enrollments/{enrollment.pk}").status_code == 204
    assert api.get(f"/api/v1/enrollments/{enrollment.pk}/history").status_code == 404
    change = EnrollmentStatusChange.objects.get(enrollment_ref=enrollment.pk)
    assert change.enrollment_id is None
    assert (change.from_status, change.to_status) == ("candidate", "eligible")
    assert enrollment.email in change.subject
    deleted = Event.objects.get(type="enrollment.deleted", enrollment_id=enrollment.pk)
    assert deleted.data["object"]["id"] == enrollment.pk


def test_archived_instance_is_read_only(api, workspace):
    archived = ProgramInstanceFactory(workspace=workspace, status="archived")
    enrollment = EnrollmentFactory(
        workspace=workspace, program_instance=archived, status="eligible"
    )
    path = f"/api/v1/enrollments/{enrollment.pk}"
    assert api.patch(path, {"phone": "1"}, format="json").status_code == 409
    assert api.post(f"{path}/transitions", {"to": "submitted"}, format="json").status_code == 409
    assert api.delete(path).status_code == 409
    assert api.get(path).status_code == 200


# --- filters --------------------------------------------------------------------------------
def test_filters(api, workspace, other_workspace):
    inst_a, inst_b = (
        ProgramInstanceFactory(workspace=workspace),
        ProgramInstanceFactory(workspace=workspace),
    )
    a = EnrollmentFactory(
        workspace=workspace,
        program_instance=inst_a,
        status="approved",
        tags=["vip", "solar"],
        reference_id="REF-A",
        first_name="Zelda",
        manufacturer_slugs=["enphase"],
    )
    b = EnrollmentFactory(
        workspace=workspace,
        program_instance=inst_b,
        status="submitted",
        tags=["solar"],
        reference_id="REF-B",
    )
    c = EnrollmentFactory(workspace=workspace, program_instance=inst_b, status="candidate", tags=[])
    EnrollmentFactory(
        workspace=other_workspace, status="approved", tags=["vip"], reference_id="REF-A"
    )

    def ids(**query):
        response = api.get("/api/v1/enrollments", query)
        assert response.status_code == 200, response.content
        return {e["id"] for e in response.json()["data"]}

    assert ids() == {a.pk, b.pk, c.pk}
    assert ids(status="approved,submitted") == {a.pk, b.pk}
    assert ids(status="candidate") == {c.pk}
    assert ids(programInstanceId=inst_b.pk) == {b.pk, c.pk}
    assert ids(customerId=a.customer_id) == {a.pk}
    assert ids(email=a.email.upper()) == {a.pk}
    assert ids(referenceId="REF-A") == {a.pk}
    assert ids(tag="vip") == {a.pk}
    assert ids(tag="solar") == {a.pk, b.pk}
    assert ids(manufacturer="ENPHASE") == {a.pk}
    assert ids(search="zelda") == {a.pk}
    assert ids(search="REF-B") == {b.pk}
    future = (timezone.now() + timedelta(days=1)).isoformat()
    assert ids(createdAfter="2000-01-01") == {a.pk, b.pk, c.pk}
    assert ids(createdBefore="2000-01-01T00:00:00Z") == set()
    assert ids(updatedSince=future) == set()
    nested = api.get(
        f"/api/v1/programInstances/{inst_b.pk}/enrollments", {"status": "submitted"}
    ).json()
    assert [e["id"] for e in nested["data"]] == [b.pk]


@pytest.mark.parametrize(
    "query",
    [
        {"status": "approved,bogus"},
        {"createdAfter": "yesterday"},
        {"createdBefore": "2025-13-01"},
        {"updatedSince": "soon"},
    ],
)
def test_invalid_filter_values_are_400(api, query):
    response = api.get("/api/v1/enrollments", query)
    assert response.status_code == 400
    assert next(iter(query)) in response.json()["details"]


def test_nested_list_of_other_workspace_instance_is_404(api, other_workspace):
    theirs = ProgramInstanceFactory(workspace=other_workspace)
    EnrollmentFactory(workspace=other_workspace, program_instance=theirs)
    assert api.get(f"/api/v1/programInstances/{theirs.pk}/enrollments").status_code == 404
    assert enroll(api, theirs, SPEC_EXAMPLE).status_code == 404
    assert api.get("/api/v1/programInstances/nope/enrollments").status_code == 404


def test_nested_list_scopes(api_client_for, anon, workspace, instance):
    path = f"/api/v1/programInstances/{instance.pk}/enrollments"
    assert anon.get(path).status_code == 401
    reader = api_client_for(workspace, scopes=["enrollments:read"])
    assert reader.get(path).status_code == 200
    assert enroll(reader, instance, SPEC_EXAMPLE).status_code == 403


def test_nested_list_query_count_is_constant(
    api, workspace, instance, django_assert_max_num_queries
):
    path = f"/api/v1/programInstances/{instance.pk}/enrollments"
    EnrollmentFactory(workspace=workspace, program_instance=instance, status="ineligible")
    api.get(path)
    for _ in range(10):
        EnrollmentFactory(workspace=workspace, program_instance=instance, status="ineligible")
    with django_assert_max_num_queries(6):
        assert api.get(path, {"perPage": 100}).json()["totalItems"] == 11


@pytest.mark.parametrize(
    ("status_elsewhere", "by", "refused"),
    [
        ("submitted", "program", True),
        ("approved", "instance", True),
        ("candidate", "program", False),
        ("unenrolled", "program", False),
    ],
)
def test_excluded_program_statuses_and_instance_slugs(
    api, workspace, status_elsewhere, by, refused
):
    customer = CustomerFactory(workspace=workspace)
    elsewhere = ProgramInstanceFactory(workspace=workspace)
    EnrollmentFactory(
        workspace=workspace, program_instance=elsewhere, customer=customer, status=status_elsewhere
    )
    slug = elsewhere.program.slug if by == "program" else elsewhere.slug
    excluding = ProgramInstanceFactory(
        workspace=workspace, eligibility_criteria={"excludeProgramSlugs": [slug]}
    )
    response = enroll(
        api, excluding, {"identificationType": "customerId", "customerId": customer.pk}
    )
    assert response.status_code == (409 if refused else 201), response.content


def test_filters_never_reach_another_workspace(api, workspace, other_workspace):
    theirs = EnrollmentFactory(workspace=other_workspace, tags=["shared"], reference_id="R")
    EnrollmentFactory(workspace=workspace, tags=["shared"], reference_id="R")
    for query in (
        {"customerId": theirs.customer_id},
        {"programInstanceId": theirs.program_instance_id},
        {"email": theirs.email},
    ):
        assert api.get("/api/v1/enrollments", query).json()["totalItems"] == 0, query
    for query in ({"tag": "shared"}, {"referenceId": "R"}, {"search": theirs.last_name}):
        ids = {e["id"] for e in api.get("/api/v1/enrollments", query).json()["data"]}
        assert theirs.pk not in ids, query
