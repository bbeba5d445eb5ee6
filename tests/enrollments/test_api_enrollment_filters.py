"""Enrollment list filters (both list paths), their 400s, scopes, constant query counts and
tenant isolation. Split from test_api_enrollments.py.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.enrollments.api_helpers import SPEC_EXAMPLE, enroll
from tests.enrollments.factories import (
    CustomerFactory,
    EnrollmentFactory,
    ProgramInstanceFactory,
)


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
    assert api.get(path).status_code == 200
    for _ in range(10):
        EnrollmentFactory(workspace=workspace, program_instance=instance, status="ineligible")
    with django_assert_max_num_queries(6):
        response = api.get(path, {"perPage": 100})
    assert response.status_code == 200
    assert response.json()["totalItems"] == 11


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
