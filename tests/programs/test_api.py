"""The program catalog API: CRUD through the generic base, the spec's example, visibility
across organizations, slugs, states and validation."""

import pytest

from accounts.models import Organization
from accounts.services import organization_create
from programs.models import Program, ProgramState
from tests.api_base import CreateTests, ListTests, RetrieveTests, UpdateTests
from tests.factories import ProgramFactory, ProgramInstanceFactory


@pytest.fixture
def admin_api(api_client_for, workspace):
    """Platform staff: a full key of `workspace` plus programs:admin."""
    return api_client_for(workspace, platform_admin=True)


class TestProgramAPI(ListTests, RetrieveTests, CreateTests, UpdateTests):
    path = "/api/v1/programs"
    read_scope = "programs:read"
    write_scope = "programs:admin"
    update_data = {"description": "Now with evening events.", "states": ["CA", "NV"]}
    list_query_budget = 6

    @pytest.fixture
    def api(self, api_client_for, workspace):
        # Writes need programs:admin; visibility is the same as any key of the workspace.
        return api_client_for(workspace, platform_admin=True)

    def make(self, workspace):
        # A private program of the workspace's organization: the "workspace-owned" program.
        return ProgramFactory(visibility="private", organization=workspace.organization)

    def create_data(self, workspace):
        return {"name": "Summer Peak Rewards", "states": ["ca"], "type": "demand_response"}

    def detail_path(self, obj):
        return f"{self.path}/{obj.slug}"


def test_spec_private_program_example_verbatim(admin_api, api_client_for):
    """programs.md "Creating a Private Program": organizationId "org_123456" is accepted as an
    organization's id or slug; here an organization with that slug exists."""
    organization = organization_create(name="Utility XYZ", slug="org_123456")
    body = {
        "name": "Utility XYZ Battery Peak Shaving Program",
        "slug": "utility-xyz-battery-peak-shaving",
        "description": "Custom battery peak shaving program for Utility XYZ customers",
        "states": ["CA"],
        "active": True,
        "visibility": "private",
        "organizationId": "org_123456",
        "year": 2025,
    }
    response = admin_api.post("/api/v1/programs", body, format="json")
    assert response.status_code == 201, response.content
    created = response.json()
    for key in ("name", "slug", "description", "states", "active", "visibility", "year"):
        assert created[key] == body[key]
    assert created["organizationId"] == organization.pk
    assert set(created) >= {"id", "type", "endTime", "createdAt", "updatedAt"}

    owner = api_client_for(organization.workspaces.get(slug="production"))
    assert owner.get("/api/v1/programs/utility-xyz-battery-peak-shaving").status_code == 200
    listed = owner.get("/api/v1/programs", {"visibility": "private"}).json()["data"]
    assert [p["slug"] for p in listed] == ["utility-xyz-battery-peak-shaving"]
    # The creating admin's own organization is another organization: 404 for it too.
    assert admin_api.get("/api/v1/programs/utility-xyz-battery-peak-shaving").status_code == 404


def test_organization_id_accepts_the_id(admin_api):
    organization = organization_create(name="Utility ABC")
    body = {"name": "ABC", "visibility": "private", "organizationId": organization.pk}
    response = admin_api.post("/api/v1/programs", body, format="json")
    assert response.status_code == 201
    assert response.json()["organizationId"] == organization.pk


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "X", "visibility": "private"}, "organizationId"),
        ({"name": "X", "visibility": "private", "organizationId": "nope"}, "organizationId"),
        ({"name": "X", "organizationId": "ORG"}, "organizationId"),
        ({"name": "X", "states": ["NY", "ZZ"]}, "states"),
        ({"name": "X", "states": "NY"}, "states"),
        ({"name": "X", "states": ["NY", " "]}, "states"),
        ({"name": "X", "states": None}, "states"),
        ({"name": "X", "type": "lottery"}, "type"),
        ({"name": "X", "visibility": "secret"}, "visibility"),
        ({"name": "X", "year": "twenty"}, "year"),
        ({"name": "X", "endTime": "soon"}, "endTime"),
        ({"name": "X", "slug": "Not A Slug"}, "slug"),
        ({"name": "  "}, "name"),
        ({"description": "no name"}, "name"),
        ({"name": "X", "active": "maybe"}, "active"),
    ],
)
def test_create_validation_errors(admin_api, body, field):
    if field == "organizationId" and body.get("organizationId") == "ORG":
        organization_create(name="Org", slug="ORG".lower())
    response = admin_api.post("/api/v1/programs", body, format="json")
    assert response.status_code == 400, response.content
    payload = response.json()
    assert payload["code"] == "VALIDATION_ERROR"
    assert field in payload["details"] or field in payload["message"]
    assert Program.objects.count() == 0


def test_states_are_upper_cased_deduplicated_and_indexed(admin_api):
    response = admin_api.post(
        "/api/v1/programs", {"name": "Tri-state", "states": ["ny", "NJ", "ny ", "ct"]}
    )
    assert response.status_code == 201
    assert response.json()["states"] == ["NY", "NJ", "CT"]
    program = Program.objects.get(slug="tri-state")
    assert set(ProgramState.objects.filter(program=program).values_list("state", flat=True)) == {
        "NY",
        "NJ",
        "CT",
    }
    patched = admin_api.patch("/api/v1/programs/tri-state", {"states": ["ca"]}, format="json")
    assert patched.json()["states"] == ["CA"]
    assert list(ProgramState.objects.filter(program=program).values_list("state", flat=True)) == [
        "CA"
    ]


def test_slugs_generated_unique_and_stable(admin_api):
    first = admin_api.post("/api/v1/programs", {"name": "Peak Rewards 2025"}).json()
    second = admin_api.post("/api/v1/programs", {"name": "Peak Rewards 2025"}).json()
    assert first["slug"] == "peak-rewards-2025"
    assert second["slug"] == "peak-rewards-2025-2"
    taken = admin_api.post("/api/v1/programs", {"name": "Other", "slug": "peak-rewards-2025"})
    assert taken.status_code == 409
    assert taken.json()["code"] == "CONFLICT"
    renamed = admin_api.patch(
        "/api/v1/programs/peak-rewards-2025", {"name": "Renamed"}, format="json"
    )
    assert renamed.json()["slug"] == "peak-rewards-2025"
    moved = admin_api.patch(
        "/api/v1/programs/peak-rewards-2025", {"slug": "elsewhere"}, format="json"
    )
    assert moved.status_code == 400
    assert "stable" in moved.json()["message"]
    same = admin_api.patch(
        "/api/v1/programs/peak-rewards-2025", {"slug": "peak-rewards-2025"}, format="json"
    )
    assert same.status_code == 200


def test_slug_of_a_name_without_ascii_letters(admin_api):
    assert admin_api.post("/api/v1/programs", {"name": "電力"}).json()["slug"] == "program"
    assert admin_api.post("/api/v1/programs", {"name": "電力"}).json()["slug"] == "program-2"


def test_end_time_accepts_a_date_meaning_end_of_day(admin_api):
    response = admin_api.post("/api/v1/programs", {"name": "Ends", "endTime": "2025-12-31"})
    assert response.json()["endTime"] == "2025-12-31T23:59:59Z"
    response = admin_api.post(
        "/api/v1/programs", {"name": "Ends 2", "endTime": "2025-10-01T12:00:00-04:00"}
    )
    assert response.json()["endTime"] == "2025-10-01T16:00:00Z"


def test_retrieve_by_id_too(api, workspace):
    program = ProgramFactory()
    assert api.get(f"/api/v1/programs/{program.pk}").json()["slug"] == program.slug


def test_full_key_cannot_create_or_edit(api):
    program = ProgramFactory()
    response = api.post("/api/v1/programs", {"name": "X"}, format="json")
    assert response.status_code == 403
    assert "programs:admin" in response.json()["message"]
    assert api.patch(f"/api/v1/programs/{program.slug}", {"name": "Y"}).status_code == 403


def test_visibility_across_two_organizations(api_client_for, workspace, other_workspace):
    public = ProgramFactory(slug="public-one")
    mine = ProgramFactory(slug="mine", visibility="private", organization=workspace.organization)
    theirs = ProgramFactory(
        slug="theirs", visibility="private", organization=other_workspace.organization
    )
    sandbox = workspace.organization.workspaces.get(slug="sandbox")
    for client, visible, hidden in (
        (api_client_for(workspace), {public, mine}, theirs),
        (api_client_for(sandbox), {public, mine}, theirs),  # same organization, other workspace
        (api_client_for(other_workspace), {public, theirs}, mine),
        (api_client_for(workspace, platform_admin=True), {public, mine}, theirs),
    ):
        listed = {p["slug"] for p in client.get("/api/v1/programs").json()["data"]}
        assert listed == {p.slug for p in visible}
        assert client.get(f"/api/v1/programs/{hidden.slug}").status_code == 404
        assert client.get(f"/api/v1/programs/{hidden.pk}").status_code == 404
        assert (
            client.post(f"/api/v1/programs/{hidden.slug}/instances", {"name": "x"}).status_code
            == 404
        )
        assert client.get("/api/v1/programs", {"search": hidden.name}).json()["totalItems"] == 0
    admin = api_client_for(workspace, platform_admin=True)
    assert admin.patch(f"/api/v1/programs/{theirs.slug}", {"name": "x"}).status_code == 404


def test_making_a_program_private_is_refused_while_others_use_it(admin_api, other_workspace):
    program = ProgramFactory(slug="shared")
    ProgramInstanceFactory(program=program, workspace=other_workspace)
    response = admin_api.patch(
        "/api/v1/programs/shared",
        {"visibility": "private", "organizationId": Organization.objects.first().pk},
        format="json",
    )
    assert response.status_code == 409
    assert other_workspace.organization.name in response.json()["message"]
    program.refresh_from_db()
    assert program.visibility == "public"


def test_making_a_private_program_public_drops_its_owner(admin_api, workspace):
    ProgramFactory(slug="was-private", visibility="private", organization=workspace.organization)
    both = admin_api.patch(
        "/api/v1/programs/was-private",
        {"visibility": "public", "organizationId": workspace.organization_id},
    )
    assert both.status_code == 400
    assert "organizationId" in both.json()["details"]
    response = admin_api.patch("/api/v1/programs/was-private", {"visibility": "public"})
    assert response.status_code == 200
    assert response.json()["organizationId"] is None


def test_list_query_count_is_pinned(api, django_assert_max_num_queries):
    for _ in range(25):
        ProgramFactory()
    assert api.get("/api/v1/programs").status_code == 200
    with django_assert_max_num_queries(4):
        response = api.get("/api/v1/programs", {"perPage": 100, "state": "ca", "active": "true"})
    assert response.status_code == 200
    assert response.json()["totalItems"] == 25
