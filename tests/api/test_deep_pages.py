"""Deep pages are found by primary key first (config.api.pagination._deep_page): the same rows in
the same order as a plain OFFSET, one extra statement whatever the page size."""

import pytest

from config.api import pagination
from enrollments.models import Enrollment
from tests.enrollments.factories import EnrollmentFactory, ProgramInstanceFactory


@pytest.fixture
def enrollments(workspace, other_workspace):
    instance = ProgramInstanceFactory(workspace=workspace)
    rows = [
        EnrollmentFactory(
            workspace=workspace,
            program_instance=instance,
            status="submitted" if i % 2 else "candidate",
        )
        for i in range(7)
    ]
    EnrollmentFactory(workspace=other_workspace)  # never on any page
    return rows


def _ids(api, query):
    response = api.get(f"/api/v1/enrollments?{query}")
    assert response.status_code == 200, response.json()
    return [row["id"] for row in response.json()["data"]], response.json()


@pytest.mark.parametrize("query", ["", "status=submitted"])
def test_deep_pages_match_plain_offsets(api, workspace, enrollments, monkeypatch, query):
    expected = list(
        Enrollment.objects.for_workspace(workspace)
        .filter(**({"status": "submitted"} if query else {}))
        .values_list("pk", flat=True)
    )
    shallow = []
    for page in (1, 2, 3, 4):
        ids, _ = _ids(api, f"{query}&perPage=2&page={page}")
        shallow += ids
    monkeypatch.setattr(pagination, "DEEP_OFFSET", 2)
    deep = []
    for page in (1, 2, 3, 4):
        ids, body = _ids(api, f"{query}&perPage=2&page={page}")
        deep += ids
        assert body["totalItems"] == len(expected)
    assert shallow == deep == expected


def test_deep_page_costs_one_more_statement(
    api, enrollments, monkeypatch, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as first:
        assert api.get("/api/v1/enrollments?perPage=2&page=1").status_code == 200
    monkeypatch.setattr(pagination, "DEEP_OFFSET", 2)
    with django_assert_max_num_queries(len(first) + 1):
        ids, _ = _ids(api, "perPage=2&page=3")
    assert len(ids) == 2
