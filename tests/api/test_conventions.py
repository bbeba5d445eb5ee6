"""The contract's conventions, checked on the foundation's endpoints."""

import pytest
from rest_framework.test import APIClient


def _assert_error_shape(response, status, code):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"code", "message", "details"}
    assert body["code"] == code
    assert body["message"]
    return body


def test_malformed_json_is_400(api):
    response = api.post("/api/v1/apiKeys", data="{not json", content_type="application/json")
    body = _assert_error_shape(response, 400, "VALIDATION_ERROR")
    assert "could not be parsed" in body["message"]


def test_non_object_json_is_400(api):
    response = api.post("/api/v1/apiKeys", data="[1, 2]", content_type="application/json")
    _assert_error_shape(response, 400, "VALIDATION_ERROR")


def test_unknown_field_is_named(api):
    response = api.post("/api/v1/apiKeys", {"name": "x", "colour": "red"}, format="json")
    body = _assert_error_shape(response, 400, "VALIDATION_ERROR")
    assert "colour" in body["message"]
    assert "colour" in body["details"]


def test_missing_required_field_is_named(api):
    body = _assert_error_shape(
        api.post("/api/v1/apiKeys", {}, format="json"), 400, "VALIDATION_ERROR"
    )
    assert body["details"]["name"] == ["This field is required."]
    assert body["message"].startswith("name:")


def test_unknown_path_is_json_404(api):
    _assert_error_shape(api.get("/api/v1/noSuchThing"), 404, "NOT_FOUND")
    _assert_error_shape(api.get("/api/v1/apiKeys/doesnotexist"), 404, "NOT_FOUND")


def test_wrong_method_is_405(api):
    body = _assert_error_shape(api.put("/api/v1/me", {}, format="json"), 405, "METHOD_NOT_ALLOWED")
    assert "GET" in body["details"]["allowed"]


def test_unauthenticated_is_401(db):
    _assert_error_shape(APIClient().get("/api/v1/me"), 401, "UNAUTHENTICATED")


def test_missing_scope_is_403(api_client_for, workspace):
    client = api_client_for(workspace, scopes=["events:read"])
    _assert_error_shape(client.get("/api/v1/apiKeys"), 403, "FORBIDDEN")


def test_throttling_is_429_with_retry_after(api, settings):
    settings.API_THROTTLE_RATE = "3/min"
    statuses = [api.get("/api/v1/me").status_code for _ in range(4)]
    assert statuses[:3] == [200, 200, 200]
    response = api.get("/api/v1/me")
    body = _assert_error_shape(response, 429, "RATE_LIMITED")
    assert int(response["Retry-After"]) >= 1
    assert body["details"]["retryAfter"] >= 1


def test_throttling_is_per_key(api_client_for, workspace, settings):
    settings.API_THROTTLE_RATE = "2/min"
    first, second = api_client_for(workspace), api_client_for(workspace)
    for _ in range(2):
        first.get("/api/v1/me")
    assert first.get("/api/v1/me").status_code == 429
    assert second.get("/api/v1/me").status_code == 200


def _boom(request):
    raise RuntimeError("secret internals")


def test_unhandled_error_is_500_with_request_id_and_no_internals(api, monkeypatch):
    from accounts.api import views

    monkeypatch.setattr(views.MeViewSet, "retrieve", lambda self, request: _boom(request))
    api.raise_request_exception = False
    response = api.get("/api/v1/me", HTTP_X_REQUEST_ID="req-123")
    body = _assert_error_shape(response, 500, "INTERNAL_ERROR")
    assert body["details"]["requestId"] == "req-123"
    assert "secret internals" not in response.content.decode()
    assert response["X-Request-Id"] == "req-123"


@pytest.mark.parametrize(
    ("query", "field"),
    [({"page": "0"}, "page"), ({"page": "x"}, "page"), ({"perPage": "-1"}, "perPage")],
)
def test_bad_pagination_is_400(api, query, field):
    body = _assert_error_shape(api.get("/api/v1/apiKeys", query), 400, "VALIDATION_ERROR")
    assert field in body["details"]


def test_pagination_shape_and_cap(api):
    body = api.get("/api/v1/apiKeys", {"perPage": 1000}).json()
    assert body["perPage"] == 100
    assert body["page"] == 1
    assert body["totalItems"] == 1
    assert body["totalPages"] == 1
    beyond = api.get("/api/v1/apiKeys", {"page": 5}).json()
    assert beyond["data"] == [] and beyond["totalItems"] == 1


def test_ids_are_cuids(api):
    key_id = api.get("/api/v1/me").json()["apiKey"]["id"]
    assert 24 <= len(key_id) <= 25 and key_id.isalnum() and key_id.islower()


def test_trailing_slash_is_optional(api):
    assert api.get("/api/v1/apiKeys/").status_code == 200
    assert api.get("/api/v1/me/").status_code == 200


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/apiKeys/a%00b",
        "/api/v1/enrollments?search=a%00b",
        "/api/v1/programs?state=%00",
    ],
)
def test_nul_in_url_is_400(api, url):
    body = _assert_error_shape(api.get(url), 400, "VALIDATION_ERROR")
    assert "NUL" in body["message"]


def test_nul_in_json_body_is_400(api):
    response = api.post(
        "/api/v1/apiKeys",
        data='{"name": "bad\\u0000name"}',
        content_type="application/json",
    )
    body = _assert_error_shape(response, 400, "VALIDATION_ERROR")
    assert "NUL" in body["message"]


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/programs?state=%25",
        "/api/v1/programs?active=%25",
        "/api/v1/programInstances?status=%25&activeOn=%25",
        "/api/v1/enrollments?status=%25&createdAfter=%25",
        "/api/v1/events?type=%25",
    ],
)
def test_percent_in_filters_is_400_not_500(api, url):
    _assert_error_shape(api.get(url), 400, "VALIDATION_ERROR")
