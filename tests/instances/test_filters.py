"""Every filter of GET /programInstances, the 400s, and the pinned query count."""

import datetime as dt

import pytest

from instances.services import instance_set_status
from tests.factories import ProgramFactory, ProgramInstanceFactory


def _at(*args):
    return dt.datetime(*args, tzinfo=dt.UTC)


@pytest.fixture
def instances(workspace, other_workspace):
    dsgs = ProgramFactory(slug="ca-dsgs")
    nyc = ProgramFactory(slug="nyc-battery")
    made = {
        "summer": ProgramInstanceFactory(
            workspace=workspace,
            program=dsgs,
            slug="summer-2025",
            name="Summer Peak 2025",
            start_date=_at(2025, 6, 1),
            end_date=_at(2025, 9, 30, 23, 59, 59),
        ),
        "open": ProgramInstanceFactory(
            workspace=workspace, program=dsgs, slug="always-open", name="Always Open"
        ),
        "nyc": ProgramInstanceFactory(
            workspace=workspace,
            program=nyc,
            slug="nyc-rebate",
            name="NYC Rebate",
            description="Battery rebate for Brooklyn",
            start_date=_at(2025, 1, 1),
        ),
        "paused": ProgramInstanceFactory(
            workspace=workspace, program=nyc, slug="paused", name="Paused", status="inactive"
        ),
        "old": ProgramInstanceFactory(
            workspace=workspace,
            program=dsgs,
            slug="old-2024",
            name="Old 2024",
            end_date=_at(2024, 12, 31),
        ),
        "theirs": ProgramInstanceFactory(
            workspace=other_workspace, program=dsgs, slug="theirs", name="Summer Peak Theirs"
        ),
    }
    instance_set_status(instance=made["old"], status="archived")
    return made


def _slugs(api, **params):
    response = api.get("/api/v1/programInstances", {"perPage": 100, **params})
    assert response.status_code == 200, response.content
    return {item["slug"] for item in response.json()["data"]}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, {"summer-2025", "always-open", "nyc-rebate", "paused", "old-2024"}),
        ({"programSlug": "ca-dsgs"}, {"summer-2025", "always-open", "old-2024"}),
        ({"programSlug": "nyc-battery"}, {"nyc-rebate", "paused"}),
        ({"programSlug": "unknown"}, set()),
        ({"status": "active"}, {"summer-2025", "always-open", "nyc-rebate"}),
        ({"status": "inactive,archived"}, {"paused", "old-2024"}),
        ({"status": " archived "}, {"old-2024"}),
        ({"search": "summer"}, {"summer-2025"}),
        ({"search": "BROOKLYN"}, {"nyc-rebate"}),
        ({"search": "old-20"}, {"old-2024"}),
        ({"activeOn": "2025-07-04"}, {"summer-2025", "always-open", "nyc-rebate"}),
        ({"activeOn": "2025-03-01"}, {"always-open", "nyc-rebate"}),
        ({"activeOn": "2025-09-30"}, {"summer-2025", "always-open", "nyc-rebate"}),
        ({"activeOn": "2025-10-01T00:00:00Z"}, {"always-open", "nyc-rebate"}),
        ({"activeOn": "2025-10-01T01:00:00+02:00"}, {"summer-2025", "always-open", "nyc-rebate"}),
        ({"activeOn": "2025-10-01T01:00:00 02:00"}, {"summer-2025", "always-open", "nyc-rebate"}),
        ({"activeOn": "2024-06-01"}, {"always-open"}),
        ({"activeOn": "2025-07-04", "programSlug": "ca-dsgs"}, {"summer-2025", "always-open"}),
    ],
)
def test_filters(api, instances, params, expected):
    assert _slugs(api, **params) == expected


def test_program_id_filter(api, instances):
    program_id = instances["nyc"].program_id
    assert _slugs(api, programId=program_id) == {"nyc-rebate", "paused"}


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"status": "paused"}, "status"),
        ({"status": "active,done"}, "status"),
        ({"activeOn": "tomorrow"}, "activeOn"),
        ({"activeOn": "2025-13-01"}, "activeOn"),
    ],
)
def test_invalid_filter_values_are_400(api, instances, params, name):
    response = api.get("/api/v1/programInstances", params)
    assert response.status_code == 400
    body = response.json()
    assert name in body["details"]
    assert body["message"].startswith(f"{name}:")


def test_list_query_count_is_pinned(api, workspace, django_assert_max_num_queries):
    programs = [ProgramFactory() for _ in range(3)]
    for index in range(30):
        ProgramInstanceFactory(workspace=workspace, program=programs[index % 3])
    assert api.get("/api/v1/programInstances").status_code == 200
    with django_assert_max_num_queries(4):
        response = api.get(
            "/api/v1/programInstances", {"perPage": 100, "status": "active", "search": "Inst"}
        )
    assert response.status_code == 200
    assert response.json()["totalItems"] == 30
