"""/enrollments and /programInstances/{id}/enrollments: contract shape, the spec example
verbatim, identification types, filters, PATCH rules, deletion and tenant isolation."""

from datetime import timedelta

import pytest
from django.utils import timezone

from enrollments.models import Enrollment, EnrollmentStatusChange
from events.models import Event
from tests.api_base import APIViewTests, CreateTests, ListTests
from tests.enrollments.api_helpers import SPEC_EXAMPLE, enroll
from tests.enrollments.factories import (
    CustomerFactory,
    EnrollmentFactory,
    ProgramInstanceFactory,
)

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


class TestInstanceEnrollmentAPI(ListTests, CreateTests):
    """`/programInstances/{instanceId}/enrollments` (list and create) through the same base."""

    read_scope = "enrollments:read"
    write_scope = "enrollments:write"
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
    assert api.patch(path, {"phone": "+1 555 010 0100"}, format="json").status_code == 409
    assert api.post(f"{path}/transitions", {"to": "submitted"}, format="json").status_code == 409
    assert api.delete(path).status_code == 409
    assert api.get(path).status_code == 200
