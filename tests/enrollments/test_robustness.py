"""Hostile or malformed input to every enrollments endpoint is a 4xx with the error shape,
never a 500 (on SQLite and PostgreSQL alike)."""

import pytest

from tests.enrollments.factories import CustomerFactory, EnrollmentFactory, ProgramInstanceFactory

NASTY_VALUES = [
    None,
    "",
    " ",
    "\x00",
    "a\x00b",
    "x" * 5000,
    -1,
    1e308,
    True,
    [],
    [None],
    [{"a": 1}],
    {},
    {"\x00": "\x00"},
    {"nested": {"deep": ["\x00"]}},
    "😀",
    "'; DROP TABLE enrollments; --",
]
CREATE_FIELDS = [
    "identificationType",
    "customerId",
    "leadId",
    "enrollmentId",
    "firstName",
    "email",
    "phone",
    "address",
    "manufacturerSlugs",
    "deviceCapacity",
    "tags",
    "metadata",
    "meta",
    "programInstanceId",
]
BASE = {
    "identificationType": "customerInfo",
    "firstName": "Ana",
    "lastName": "Diaz",
    "email": "ana@example.com",
}


def _assert_clean(response):
    assert response.status_code < 500, response.content
    if response.status_code >= 400:
        assert set(response.json()) == {"code", "message", "details"}


@pytest.mark.parametrize("field", CREATE_FIELDS)
def test_create_with_nasty_values(api, workspace, field):
    instance = ProgramInstanceFactory(workspace=workspace)
    for index, value in enumerate(NASTY_VALUES):
        body = {**BASE, "email": f"ana{index}@example.com", field: value}
        _assert_clean(
            api.post(f"/api/v1/programInstances/{instance.pk}/enrollments", body, format="json")
        )
        _assert_clean(
            api.post(
                "/api/v1/enrollments", {**body, "programInstanceId": instance.pk}, format="json"
            )
        )


@pytest.mark.parametrize("field", ["phone", "address", "tags", "metadata", "deviceCapacity"])
def test_patch_and_transition_with_nasty_values(api, workspace, field):
    enrollment = EnrollmentFactory(workspace=workspace)
    for value in NASTY_VALUES:
        _assert_clean(
            api.patch(f"/api/v1/enrollments/{enrollment.pk}", {field: value}, format="json")
        )
        for body in (
            {"to": value},
            {"to": "eligible", "metadata": value},
            {"to": "eligible", "reason": value},
            {"to": "approved", "startDate": value},
        ):
            _assert_clean(
                api.post(f"/api/v1/enrollments/{enrollment.pk}/transitions", body, format="json")
            )


@pytest.mark.parametrize(
    "param",
    [
        "status",
        "programInstanceId",
        "customerId",
        "email",
        "referenceId",
        "tag",
        "manufacturer",
        "search",
        "createdAfter",
        "createdBefore",
        "updatedSince",
        "page",
        "perPage",
    ],
)
def test_list_with_nasty_filters(api, workspace, param):
    EnrollmentFactory(workspace=workspace)
    for value in ["\x00", "x" * 5000, "%", "_", "2025-02-30", "9999-99-99T99:99", ",,,", "😀"]:
        _assert_clean(api.get("/api/v1/enrollments", {param: value}))


@pytest.mark.parametrize("path", ["/api/v1/customers", "/api/v1/leads"])
def test_people_with_nasty_values(api, workspace, path):
    for field in ("firstName", "email", "address", "metadata", "phone"):
        for index, value in enumerate(NASTY_VALUES):
            body = {
                "firstName": "A",
                "lastName": "B",
                "email": f"p{index}@example.com",
                field: value,
            }
            _assert_clean(api.post(path, body, format="json"))
    customer = CustomerFactory(workspace=workspace)
    _assert_clean(
        api.patch(f"/api/v1/customers/{customer.pk}", {"metadata": {"k": "\x00"}}, format="json")
    )


def test_non_object_bodies(api, workspace):
    enrollment = EnrollmentFactory(workspace=workspace)
    for body in ("[]", "1", '"x"', "null", "{bad json"):
        for path in (
            f"/api/v1/enrollments/{enrollment.pk}/transitions",
            "/api/v1/enrollments",
            "/api/v1/customers",
        ):
            response = api.post(path, data=body, content_type="application/json")
            assert response.status_code == 400, (path, body, response.content)
