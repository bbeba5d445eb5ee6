"""Every filter of GET /programs, and a 400 naming the parameter for each bad value."""

import pytest

from tests.factories import ProgramFactory


@pytest.fixture
def catalog(workspace, other_workspace):
    return {
        "dsgs": ProgramFactory(
            slug="ca-dsgs",
            name="California DSGS",
            description="Demand Side Grid Support",
            states=["CA"],
            type="demand_response",
            year=2025,
        ),
        "nyc": ProgramFactory(
            slug="nyc-battery",
            name="NYC Battery Program",
            states=["NY", "NJ"],
            type="rebate",
            year=2025,
        ),
        "tx": ProgramFactory(
            slug="tx-dr",
            name="Texas DR",
            states=["TX"],
            type="demand_response",
            year=2024,
            active=False,
        ),
        "mine": ProgramFactory(
            slug="mine-vpp",
            name="Our VPP",
            states=["NY"],
            type="vpp",
            visibility="private",
            organization=workspace.organization,
            year=2026,
        ),
        "theirs": ProgramFactory(
            slug="their-vpp",
            name="Their VPP",
            states=["NY"],
            type="vpp",
            visibility="private",
            organization=other_workspace.organization,
            year=2025,
        ),
    }


def _slugs(api, **params):
    response = api.get("/api/v1/programs", {"perPage": 100, **params})
    assert response.status_code == 200, response.content
    return {p["slug"] for p in response.json()["data"]}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, {"ca-dsgs", "nyc-battery", "tx-dr", "mine-vpp"}),
        ({"state": "NY"}, {"nyc-battery", "mine-vpp"}),
        ({"state": "ny"}, {"nyc-battery", "mine-vpp"}),
        ({"state": " nj "}, {"nyc-battery"}),
        ({"state": "WY"}, set()),
        ({"visibility": "public"}, {"ca-dsgs", "nyc-battery", "tx-dr"}),
        ({"visibility": "private"}, {"mine-vpp"}),
        ({"active": "true"}, {"ca-dsgs", "nyc-battery", "mine-vpp"}),
        ({"active": "false"}, {"tx-dr"}),
        ({"active": "FALSE"}, {"tx-dr"}),
        ({"year": "2025"}, {"ca-dsgs", "nyc-battery"}),
        ({"year": "2024"}, {"tx-dr"}),
        ({"type": "demand_response"}, {"ca-dsgs", "tx-dr"}),
        ({"type": "vpp"}, {"mine-vpp"}),
        ({"search": "battery"}, {"nyc-battery"}),
        ({"search": "GRID SUPPORT"}, {"ca-dsgs"}),
        ({"search": "vpp"}, {"mine-vpp"}),
        ({"state": "NY", "visibility": "public", "year": "2025"}, {"nyc-battery"}),
    ],
)
def test_filters(api, catalog, params, expected):
    assert _slugs(api, **params) == expected


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"state": "New York"}, "state"),
        ({"state": "ZZ"}, "state"),
        ({"visibility": "hidden"}, "visibility"),
        ({"active": "yes"}, "active"),
        ({"active": "1"}, "active"),
        ({"year": "twenty"}, "year"),
        ({"year": "2025.5"}, "year"),
        ({"type": "lottery"}, "type"),
    ],
)
def test_invalid_filter_values_are_400(api, catalog, params, name):
    response = api.get("/api/v1/programs", params)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "VALIDATION_ERROR"
    assert name in body["details"]
    assert body["message"].startswith(f"{name}:")
