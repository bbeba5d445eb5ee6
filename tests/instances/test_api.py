"""Program instances API: the generic base, the spec's examples verbatim, aliases, naming the
program, rules and formConfig validation over HTTP."""

import pytest

from instances.models import ProgramInstance
from tests.api_base import APIViewTests
from tests.factories import ProgramFactory, ProgramInstanceFactory


class TestProgramInstanceAPI(APIViewTests):
    path = "/api/v1/programInstances"
    read_scope = "instances:read"
    write_scope = "instances:write"
    update_data = {"description": "Now open to NJ too.", "title": "Renamed"}
    list_query_budget = 6

    def make(self, workspace):
        return ProgramInstanceFactory(workspace=workspace)

    def create_data(self, workspace):
        return {"programSlug": ProgramFactory().slug, "name": "Summer Peak Rewards"}


SPEC_PROGRAM_INSTANCE_DATA = {
    "programSlug": "nyc-battery-program-2025",
    "title": "NYC Battery Program 2025 - ConEd Customers",
    "description": "Battery rebate program for ConEd customers in NYC",
    "eligibilityCriteria": "Must have a residential battery system installed after January 1, 2025",
    "programTerms": "Participants agree to allow utility control during peak events",
    "logoUrl": "https://example.com/program-logo.png",
}

SPEC_BATTERY_REBATE_DATA = {
    "name": "NYC Battery Rebate Program 2023",
    "description": "Battery rebate program for NYC residents",
    "slug": "battery-rebate-nyc-2023",
    "logoUrl": "https://example.com/logos/nyc-rebate.png",
    "eligibilityCriteria": {"regions": ["NY"], "deviceTypes": ["battery"], "minimumCapacity": 5.0},
    "customTerms": "Participants must be NYC residents with proof of purchase...",
    "startDate": "2023-01-01T00:00:00Z",
    "endDate": "2023-12-31T23:59:59Z",
}


def test_spec_programs_md_example_verbatim(api, workspace):
    program = ProgramFactory(slug="nyc-battery-program-2025", name="NYC Battery Program 2025")
    response = api.post("/api/v1/programInstances", SPEC_PROGRAM_INSTANCE_DATA, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["programId"] == program.pk
    assert body["programSlug"] == "nyc-battery-program-2025"
    assert body["program"]["slug"] == "nyc-battery-program-2025"
    assert body["title"] == body["name"] == SPEC_PROGRAM_INSTANCE_DATA["title"]
    assert body["programTerms"] == body["customTerms"] == SPEC_PROGRAM_INSTANCE_DATA["programTerms"]
    assert body["eligibilityCriteria"] == SPEC_PROGRAM_INSTANCE_DATA["eligibilityCriteria"]
    assert body["logoUrl"] == SPEC_PROGRAM_INSTANCE_DATA["logoUrl"]
    assert body["workspaceId"] == workspace.pk
    assert body["organizationId"] == workspace.organization_id
    assert body["slug"] == "nyc-battery-program-2025-coned-customers"
    assert body["status"] == "active"


def test_spec_program_instances_md_example_verbatim(api, workspace):
    program = ProgramFactory(slug="battery-rebate", name="Battery Rebate", states=["NY"])
    response = api.post(
        "/api/v1/programs/battery-rebate/instances", SPEC_BATTERY_REBATE_DATA, format="json"
    )
    assert response.status_code == 201, response.content
    created = response.json()
    # The spec's sample GET response, field by field.
    fetched = api.get(f"/api/v1/programInstances/{created['id']}").json()
    assert fetched == created
    for key, value in SPEC_BATTERY_REBATE_DATA.items():
        assert fetched[key] == value, key
    assert fetched["programId"] == program.pk
    assert fetched["workspaceId"] == workspace.pk
    assert fetched["status"] == "active"
    assert len(fetched["id"]) in (24, 25) and fetched["id"].isalnum()
    for key in ("createdAt", "updatedAt"):
        assert fetched[key].endswith("Z")


def test_every_contract_field_is_returned(api, workspace):
    instance = ProgramInstanceFactory(workspace=workspace)
    body = api.get(f"/api/v1/programInstances/{instance.pk}").json()
    contract = [
        "id",
        "programId",
        "programSlug",
        "workspaceId",
        "organizationId",
        "name",
        "title",
        "description",
        "slug",
        "logoUrl",
        "eligibilityCriteria",
        "customTerms",
        "programTerms",
        "formConfig",
        "startDate",
        "endDate",
        "status",
        "metadata",
        "customFields",
        "createdAt",
        "updatedAt",
    ]
    assert set(contract) <= set(body)


@pytest.mark.parametrize(
    ("sent", "both"),
    [
        ({"name": "A"}, ("name", "title")),
        ({"title": "A"}, ("name", "title")),
        ({"name": "A", "title": "A"}, ("name", "title")),
        ({"customTerms": "T"}, ("customTerms", "programTerms")),
        ({"programTerms": "T"}, ("customTerms", "programTerms")),
        ({"metadata": {"k": 1}}, ("metadata", "customFields")),
        ({"customFields": {"k": 1}}, ("metadata", "customFields")),
    ],
)
def test_alias_round_trips(api, sent, both):
    data = {"programSlug": ProgramFactory().slug, "name": "Base", **sent}
    if "title" in sent and "name" not in sent:
        data.pop("name")
    created = api.post("/api/v1/programInstances", data, format="json")
    assert created.status_code == 201, created.content
    value = next(iter(sent.values()))
    body = created.json()
    assert body[both[0]] == body[both[1]] == value
    # and through PATCH with the other name
    patch_value = {"k": 2} if isinstance(value, dict) else "B"
    patched = api.patch(
        f"/api/v1/programInstances/{body['id']}", {both[1]: patch_value}, format="json"
    ).json()
    assert patched[both[0]] == patched[both[1]] == patch_value


@pytest.mark.parametrize(
    ("a", "b"),
    [("name", "title"), ("customTerms", "programTerms"), ("metadata", "customFields")],
)
def test_alias_conflict_is_400(api, workspace, a, b):
    one, two = ({"x": 1}, {"x": 2}) if a == "metadata" else ("one", "two")
    data = {"programSlug": ProgramFactory().slug, "name": "N", a: one, b: two}
    response = api.post("/api/v1/programInstances", data, format="json")
    assert response.status_code == 400
    assert b in response.json()["details"]
    instance = ProgramInstanceFactory(workspace=workspace)
    response = api.patch(f"/api/v1/programInstances/{instance.pk}", {a: one, b: two})
    assert response.status_code == 400


def test_program_by_id_and_reference_errors(api, workspace, other_workspace):
    public = ProgramFactory()
    theirs = ProgramFactory(visibility="private", organization=other_workspace.organization)
    by_id = api.post("/api/v1/programInstances", {"programId": public.pk, "name": "By id"})
    assert by_id.status_code == 201
    assert by_id.json()["programSlug"] == public.slug

    for body, field in (
        ({"name": "x"}, "programSlug"),
        ({"name": "x", "programSlug": "no-such-program"}, "programSlug"),
        ({"name": "x", "programSlug": theirs.slug}, "programSlug"),
        ({"name": "x", "programId": theirs.pk}, "programId"),
        ({"name": "x", "programSlug": public.slug, "programId": theirs.pk}, "programId"),
    ):
        response = api.post("/api/v1/programInstances", body, format="json")
        assert response.status_code == 400, body
        assert field in response.json()["details"], body
    # Another organization's private program answers exactly like an unknown one.
    unknown = api.post("/api/v1/programInstances", {"name": "x", "programSlug": "nope"}).json()
    hidden = api.post("/api/v1/programInstances", {"name": "x", "programSlug": theirs.slug}).json()
    assert unknown["details"] == hidden["details"]
    assert api.post(f"/api/v1/programs/{theirs.slug}/instances", {"name": "x"}).status_code == 404
    assert not ProgramInstance.objects.filter(program=theirs).exists()


def test_own_private_program_can_be_instantiated(api, workspace):
    mine = ProgramFactory(visibility="private", organization=workspace.organization)
    response = api.post(f"/api/v1/programs/{mine.slug}/instances", {"name": "Ours"})
    assert response.status_code == 201


def test_nested_create_checks_body_program_and_scope(api, api_client_for, workspace):
    program, other = ProgramFactory(), ProgramFactory()
    mismatch = api.post(
        f"/api/v1/programs/{program.slug}/instances", {"name": "x", "programSlug": other.slug}
    )
    assert mismatch.status_code == 400
    same = api.post(
        f"/api/v1/programs/{program.slug}/instances", {"name": "x", "programSlug": program.slug}
    )
    assert same.status_code == 201
    reader = api_client_for(workspace, scopes=["programs:read", "instances:read"])
    denied = reader.post(f"/api/v1/programs/{program.slug}/instances", {"name": "x"})
    assert denied.status_code == 403
    assert "instances:write" in denied.json()["message"]


def test_instance_cannot_move_to_another_program(api, workspace):
    instance = ProgramInstanceFactory(workspace=workspace)
    other = ProgramFactory()
    response = api.patch(
        f"/api/v1/programInstances/{instance.pk}", {"programSlug": other.slug}, format="json"
    )
    assert response.status_code == 400
    same = api.patch(
        f"/api/v1/programInstances/{instance.pk}",
        {"programSlug": instance.program.slug, "programId": instance.program_id},
        format="json",
    )
    assert same.status_code == 200


def test_sending_back_a_get_body_is_harmless(api, workspace):
    instance = ProgramInstanceFactory(workspace=workspace, eligibility_criteria={"regions": ["NY"]})
    body = api.get(f"/api/v1/programInstances/{instance.pk}").json()
    response = api.patch(f"/api/v1/programInstances/{instance.pk}", body, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["criteriaVersion"] == 1


def test_slugs(api, workspace):
    program = ProgramFactory()
    first = api.post("/api/v1/programInstances", {"programSlug": program.slug, "name": "Spring"})
    second = api.post("/api/v1/programInstances", {"programSlug": program.slug, "name": "Spring"})
    assert first.json()["slug"] == "spring"
    assert second.json()["slug"] == "spring-2"
    taken = api.post(
        "/api/v1/programInstances",
        {"programSlug": program.slug, "name": "Other", "slug": "spring"},
    )
    assert taken.status_code == 409
    bad = api.post(
        "/api/v1/programInstances",
        {"programSlug": program.slug, "name": "Other", "slug": "Spring Time"},
    )
    assert bad.status_code == 400
    moved = api.patch(f"/api/v1/programInstances/{first.json()['id']}", {"slug": "autumn"})
    assert moved.status_code == 400


@pytest.mark.parametrize(
    ("criteria", "message_part"),
    [
        ({"zipCodes": ["10001"]}, "Supported rules: regions, postalCodes"),
        ({"regions": ["NY", "XX"]}, "Unknown US state code(s)"),
        ({"regions": "NY"}, "regions must be a list"),
        ({"minimumCapacity": "five"}, "minimumCapacity must be a number"),
        ({"minimumCapacity": 9, "maximumCapacity": 3}, "larger than maximumCapacity"),
        ({"requireReferenceId": 1}, "requireReferenceId must be true or false"),
        ([1, 2], "must be a string or an object"),
    ],
)
def test_rule_validation_errors_over_http(api, workspace, criteria, message_part):
    data = {"programSlug": ProgramFactory().slug, "name": "N", "eligibilityCriteria": criteria}
    response = api.post("/api/v1/programInstances", data, format="json")
    assert response.status_code == 400
    body = response.json()
    assert message_part in body["message"]
    assert body["message"].startswith("eligibilityCriteria:")
    instance = ProgramInstanceFactory(workspace=workspace)
    patched = api.patch(
        f"/api/v1/programInstances/{instance.pk}", {"eligibilityCriteria": criteria}, format="json"
    )
    assert patched.status_code == 400


def test_form_config_round_trip_and_validation(api, workspace):
    config = {
        "fields": [{"name": "phone", "required": True, "label": "Mobile"}],
        "brandColor": "#0b6bcb",
        "notifications": {"customer": True, "staff": False},
    }
    data = {"programSlug": ProgramFactory().slug, "name": "N", "formConfig": config}
    created = api.post("/api/v1/programInstances", data, format="json")
    assert created.status_code == 201
    assert created.json()["formConfig"] == config
    bad = api.patch(
        f"/api/v1/programInstances/{created.json()['id']}",
        {"formConfig": {"brandColor": "blue"}},
        format="json",
    )
    assert bad.status_code == 400
    assert bad.json()["message"].startswith("formConfig:")
    assert "#0b6bcb" in bad.json()["message"]


def test_dates_accept_dates_and_must_be_ordered(api, workspace):
    program = ProgramFactory()
    created = api.post(
        "/api/v1/programInstances",
        {
            "programSlug": program.slug,
            "name": "N",
            "startDate": "2025-01-01",
            "endDate": "2025-12-31",
        },
    )
    assert created.status_code == 201
    body = created.json()
    assert body["startDate"] == "2025-01-01T00:00:00Z"
    assert body["endDate"] == "2025-12-31T23:59:59Z"
    backwards = api.post(
        "/api/v1/programInstances",
        {
            "programSlug": program.slug,
            "name": "N",
            "startDate": "2025-06-01",
            "endDate": "2025-05-01",
        },
    )
    assert backwards.status_code == 400
    assert "endDate" in backwards.json()["details"]
    # PATCHing one side is checked against the stored other side.
    early_end = api.patch(f"/api/v1/programInstances/{body['id']}", {"endDate": "2024-12-31"})
    assert early_end.status_code == 400
    garbage = api.patch(f"/api/v1/programInstances/{body['id']}", {"startDate": "someday"})
    assert garbage.status_code == 400
    assert garbage.json()["message"].startswith("startDate:")
    cleared = api.patch(f"/api/v1/programInstances/{body['id']}", {"endDate": None})
    assert cleared.json()["endDate"] is None


@pytest.mark.parametrize(
    "body",
    [
        {"name": ""},
        {"name": None},
        {"logoUrl": "not a url"},
        {"metadata": [1]},
        {"customFields": "x"},
        {"status": "paused"},
        {"status": "archived"},
        {"description": 5 * "x", "unknownField": 1},
    ],
)
def test_create_validation(api, workspace, body):
    data = {"programSlug": ProgramFactory().slug, "name": "N", **body}
    response = api.post("/api/v1/programInstances", data, format="json")
    assert response.status_code == 400, response.content
    assert ProgramInstance.objects.count() == 0


@pytest.mark.parametrize(
    "body",
    [
        {"metadata": {"note": "a\x00b"}},
        {"eligibilityCriteria": "a\x00b"},
        {"eligibilityCriteria": {"deviceTypes": ["bat\x00tery"]}},
        {"formConfig": {"introText": "a\x00b"}},
        {"description": "a\x00b"},
    ],
)
def test_nul_characters_are_400_on_every_database(api, workspace, body):
    instance = ProgramInstanceFactory(workspace=workspace)
    response = api.patch(f"/api/v1/programInstances/{instance.pk}", body, format="json")
    assert response.status_code == 400, response.content


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/programInstances/a%00b",
        "/api/v1/programs/a%00b",
        "/api/v1/programs?search=a%00b",
        "/api/v1/programInstances?programSlug=a%00b",
    ],
)
def test_nul_in_paths_and_filters_is_not_a_500(api, path):
    assert api.get(path).status_code in (400, 404)
