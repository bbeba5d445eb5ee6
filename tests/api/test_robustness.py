"""Hostile inputs found by fuzzing: each was a 500 (or a wrong-shaped error) before its fix.

The generic walk lives in test_fuzz.py; these pin the specific inputs, on both databases.
"""

import datetime as dt
import json

import pytest
from rest_framework.test import APIClient

from config.api.parsers import MAX_DEPTH
from tests.factories import ProgramFactory, ProgramInstanceFactory

ERROR_KEYS = {"code", "message", "details"}


def _error(response, status: int, code: str = "VALIDATION_ERROR") -> dict:
    assert response.status_code == status, response.content[:500]
    body = response.json()
    assert set(body) == ERROR_KEYS, body
    assert body["code"] == code
    assert body["message"]
    assert isinstance(body["details"], dict)
    return body


@pytest.fixture
def admin(api_client_for, workspace):
    return api_client_for(workspace, platform_admin=True)


@pytest.fixture
def instance(workspace):
    return ProgramInstanceFactory(workspace=workspace, program=ProgramFactory())


# --- Datetimes at the edge of what Python (and PostgreSQL) can hold ----------------------------

EDGE_DATETIMES = ["9999-12-31T23:59:59-05:00", "0001-01-01T00:00:00+05:00", "9999-12-31"]


@pytest.mark.parametrize("value", EDGE_DATETIMES)
@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/enrollments/?createdBefore={}",
        "/api/v1/enrollments/?updatedSince={}",
        "/api/v1/customers/?createdAfter={}",
        "/api/v1/leads/?createdAfter={}",
        "/api/v1/events/?createdAfter={}",
        "/api/v1/programInstances/?activeOn={}",
    ],
)
def test_out_of_range_datetime_filters_are_400(api, path, value):
    """Was: OverflowError converting to UTC (SQLite) or adding a day (activeOn) -> 500."""
    response = api.get(path.format(value.replace("+", "%2B")))
    body = _error(response, 400)
    assert "Out of range" in body["message"]


@pytest.mark.parametrize("value", EDGE_DATETIMES)
def test_out_of_range_datetimes_in_bodies_are_400(admin, instance, value):
    """Was: a 500 on write (SQLite) or a row PostgreSQL stored but could not read back."""
    for path, field in [
        (f"/api/v1/programs/{instance.program.slug}/", "endTime"),
        (f"/api/v1/programInstances/{instance.pk}/", "startDate"),
        (f"/api/v1/programInstances/{instance.pk}/", "endDate"),
    ]:
        response = admin.patch(path, {field: value}, format="json")
        body = _error(response, 400)
        assert field in body["details"], body
    assert admin.get(f"/api/v1/programInstances/{instance.pk}/").status_code == 200


def test_datetimes_near_the_edges_still_work(admin, instance):
    response = admin.patch(
        f"/api/v1/programInstances/{instance.pk}/",
        {"startDate": "0001-01-02T00:00:00Z", "endDate": "9999-12-30T00:00:00Z"},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert admin.get("/api/v1/programInstances/?activeOn=9999-12-29").status_code == 200


@pytest.mark.parametrize("offset", ["+22:17", "-19:05"])
def test_offsets_postgresql_cannot_store_are_converted_to_utc(api, admin, instance, offset):
    """Python accepts offsets up to ±23:59, PostgreSQL only ±15:59: was a PostgreSQL 500."""
    moment = f"2025-06-01T12:00:00{offset}"
    for path in [
        "/api/v1/enrollments/?createdAfter={}",
        "/api/v1/customers/?createdAfter={}",
        "/api/v1/events/?createdAfter={}",
        "/api/v1/programInstances/?activeOn={}",
    ]:
        response = api.get(path.format(moment.replace("+", "%2B")))
        assert response.status_code == 200, (path, response.content[:300])

    response = admin.patch(
        f"/api/v1/programInstances/{instance.pk}/", {"startDate": moment}, format="json"
    )
    assert response.status_code == 200, response.content
    instance.refresh_from_db()
    expected = dt.datetime.fromisoformat(moment).astimezone(dt.UTC)
    assert instance.start_date == expected


# --- Bodies ----------------------------------------------------------------------------------


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 5000])
def test_deeply_nested_json_is_400(api, depth):
    """Was: RecursionError in the JSON decoder -> 500 (both databases)."""
    for body in ['{"a":' * depth + "1" + "}" * depth, "[" * depth + "]" * depth]:
        response = api.post("/api/v1/customers/", body, content_type="application/json")
        body_json = _error(response, 400)
        assert "nested" in body_json["message"]


def test_json_nested_within_the_limit_reaches_the_serializer(api):
    metadata = {}
    node = metadata
    for _ in range(MAX_DEPTH - 2):
        node["a"] = {}
        node = node["a"]
    response = api.post(
        "/api/v1/customers/",
        json.dumps({"email": "deep@example.com", "metadata": metadata}),
        content_type="application/json",
    )
    assert response.status_code in (201, 400), response.content[:300]
    if response.status_code == 400:
        assert "nested" not in response.json()["message"]


@pytest.mark.parametrize(
    "raw",
    [
        '{"email": "s@example.com", "firstName": "x", "metadata": {"k": "\\ud800"}}',
        '{"email": "s@example.com", "firstName": "x", "metadata": {"\\udfff": 1}}',
    ],
)
def test_unpaired_surrogates_in_json_are_400(api, raw):
    """Was: UnicodeEncodeError (SQLite) or 'invalid input syntax for type json' (PostgreSQL)."""
    response = api.post("/api/v1/customers/", raw, content_type="application/json")
    body = _error(response, 400)
    assert "surrogate" in body["message"]


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("text/plain", "hello"),
        ("application/x-www-form-urlencoded", "a=b"),
        ("multipart/form-data; boundary=x", "--x--"),
    ],
)
def test_non_json_bodies_are_415_with_the_error_shape(api, content_type, body):
    response = api.post("/api/v1/customers/", body, content_type=content_type)
    _error(response, 415, "UNSUPPORTED_MEDIA_TYPE")


# --- Routing ---------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["post", "patch", "put", "delete"])
@pytest.mark.parametrize(
    "path", ["/api/v1/nothing-here/", "/api/v1/programInstances/a.b/enrollments/"]
)
def test_unknown_api_paths_are_json_404_for_writes_too(db, method, path):
    """Was: Django's CSRF page (an HTML 403, or a 500 without collected static files)."""
    client = APIClient(enforce_csrf_checks=True)
    response = getattr(client, method)(path, {}, format="json")
    _error(response, 404, "NOT_FOUND")


# --- The published schema matches what the API does ------------------------------------------


def _schema(api):
    response = api.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    return json.loads(response.content)


def test_schema_per_page_has_no_maximum_because_it_is_capped(api):
    """Was: the schema said perPage <= 100 while the API accepts 101 and caps it."""
    operation = _schema(api)["paths"]["/api/v1/customers/"]["get"]
    per_page = next(p for p in operation["parameters"] if p["name"] == "perPage")
    assert "maximum" not in per_page["schema"]
    assert api.get("/api/v1/customers/?perPage=101").json()["perPage"] == 100


def test_schema_me_is_one_object(api):
    """Was: documented as an array of Me."""
    operation = _schema(api)["paths"]["/api/v1/me/"]["get"]
    schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert schema.get("type") != "array"
    assert "$ref" in schema
    assert isinstance(api.get("/api/v1/me").json(), dict)


def test_schema_documents_the_error_responses(api):
    """Was: only success codes, so the {code, message, details} body was undocumented."""
    schema = _schema(api)
    assert set(schema["components"]["schemas"]["Error"]["required"]) == ERROR_KEYS
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            assert "401" in responses, (method, path)
            if "{" in path:
                assert "404" in responses, (method, path)
            if "requestBody" in operation:
                assert {"400", "415"} <= set(responses), (method, path)
