"""Smaller points of issue 14 (point 10): the documented 403 for an operator approving, one log
line without traceback for 403/404, and the API's JSON 404 for any path under /api/ in DEBUG."""

import logging

import pytest

from tests.enrollments.factories import EnrollmentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(workspace):
    return EnrollmentFactory(workspace=workspace, status="submitted")


@pytest.mark.parametrize("to", ["approved", "rejected"])
def test_operator_key_approving_gets_403(api_client_for, workspace, submitted, to):
    operator = api_client_for(workspace, scopes=["enrollments:read", "enrollments:write"])
    response = operator.post(
        f"/api/v1/enrollments/{submitted.pk}/transitions", {"to": to}, format="json"
    )
    assert response.status_code == 403 and response.json()["code"] == "FORBIDDEN"
    submitted.refresh_from_db()
    assert submitted.status == "submitted"


@pytest.mark.parametrize("to", ["approved", "rejected"])
def test_operator_approving_in_the_dashboard_gets_403(dash, submitted, to):
    operator = dash(role="operator")
    assert operator.post(f"/review/{submitted.pk}/", {"action": to[:-1]}).status_code == 403
    single = operator.post(f"/enrollments/{submitted.pk}/transition/", {"to": to, "reason": "x"})
    assert single.status_code == 403
    bulk = operator.post("/enrollments/bulk/", {"action": to, "ids": [submitted.pk]})
    assert bulk.status_code == 403
    submitted.refresh_from_db()
    assert submitted.status == "submitted"


def test_403_and_404_are_logged_once_without_traceback(dash, api, caplog):
    viewer = dash(role="viewer")
    with caplog.at_level(logging.INFO):
        cases = [
            (viewer.get("/settings/members/"), 403),
            (viewer.get("/instances/nope/"), 404),
            (api.get("/api/v1/enrollments/nope"), 404),
            (dash(role="operator").post("/enrollments/bulk/", {"action": "approved"}), 403),
        ]
    for response, status in cases:
        assert response.status_code == status
    records = [r for r in caplog.records if r.name.startswith("django.request")]
    assert len(records) == len(cases), [r.getMessage() for r in records]
    assert all(r.exc_info is None and r.levelno == logging.WARNING for r in records)


@pytest.mark.parametrize(
    "path", ["/api/v1/a%0Ab", "/api/v1/%0A", "/api/v1/x%01y/z", "/api/nothing", "/api/v2/%0D%0A"]
)
def test_unknown_api_paths_are_json_in_debug(client, settings, path):
    settings.DEBUG = True
    response = client.get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "NOT_FOUND"
