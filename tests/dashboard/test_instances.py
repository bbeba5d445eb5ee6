"""Programs catalog and program instances: pages, the editor, lifecycle buttons, roles, tenancy."""

import pytest

from events.models import Event
from instances.models import ProgramInstance
from programs.models import Program
from tests.enrollments.factories import (
    EnrollmentFactory,
    ProgramFactory,
    ProgramInstanceFactory,
)

pytestmark = pytest.mark.django_db


def editor_post(program_slug="", **overrides):
    """A complete POST of the instance editor (main form, rules, form fields, settings)."""
    from instances.formconfig import ALWAYS_ASKED, FORM_FIELDS

    data = {
        "program": program_slug,
        "name": "NYC Battery Rebate 2026",
        "slug": "",
        "description": "For NYC residents",
        "logo_url": "",
        "custom_terms": "",
        "start_date": "",
        "end_date": "",
        "rules-mode": "rules",
        "rules-regions": ["NY"],
        "rules-device_types": "battery",
        "rules-minimum_capacity": "5",
        "fields-TOTAL_FORMS": str(len(FORM_FIELDS)),
        "fields-INITIAL_FORMS": str(len(FORM_FIELDS)),
        "form-notify_customer": "on",
    }
    for i, name in enumerate(FORM_FIELDS):
        data[f"fields-{i}-name"] = name
        if name in ALWAYS_ASKED:
            data[f"fields-{i}-ask"] = "on"
            data[f"fields-{i}-required"] = "on"
    data.update(overrides)
    return data


def test_programs_catalog_shows_public_and_own_private(dash, workspace, other_workspace):
    ProgramFactory(name="Public DR", states=["CA"])
    Program.objects.create(
        slug="ours", name="Our private", visibility="private", organization=workspace.organization
    )
    Program.objects.create(
        slug="theirs",
        name="Their private",
        visibility="private",
        organization=other_workspace.organization,
    )
    html = dash(role="viewer").get("/programs/").content.decode()
    assert "Public DR" in html and "Our private" in html
    assert "Their private" not in html


def test_programs_filter_by_type_and_state(dash):
    from programs.services import program_states_sync

    for program in (
        ProgramFactory(name="Rebate NY", type="rebate", states=["NY"]),
        ProgramFactory(name="DR CA", type="demand_response", states=["CA"]),
    ):
        program_states_sync(program=program)
    client = dash(role="viewer")
    html = client.get("/programs/?type=rebate").content.decode()
    assert "Rebate NY" in html and "DR CA" not in html
    html = client.get("/programs/?state=ca").content.decode()
    assert "DR CA" in html and "Rebate NY" not in html
    bad = client.get("/programs/?state=ZZ")
    assert bad.status_code == 200
    assert "Unknown US state code" in bad.content.decode()


def test_create_instance_button_only_for_admins(dash):
    ProgramFactory(name="Catalog one")
    assert "Create instance" not in dash(role="operator").get("/programs/").content.decode()
    assert "Create instance" in dash(role="admin").get("/programs/").content.decode()


def test_programs_and_instances_pages_constant_queries(
    dash, workspace, django_assert_max_num_queries
):
    client = dash(role="viewer")
    for _ in range(2):
        ProgramInstanceFactory(workspace=workspace)
    with django_assert_max_num_queries(20) as few_instances:
        assert client.get("/instances/").status_code == 200
    with django_assert_max_num_queries(20) as few_programs:
        assert client.get("/programs/").status_code == 200
    for _ in range(12):
        ProgramInstanceFactory(workspace=workspace)
    with django_assert_max_num_queries(len(few_instances.captured_queries)):
        assert client.get("/instances/").status_code == 200
    with django_assert_max_num_queries(len(few_programs.captured_queries)):
        assert client.get("/programs/").status_code == 200


def test_instances_list_and_detail_are_workspace_scoped(dash, workspace, other_workspace):
    mine = ProgramInstanceFactory(workspace=workspace, name="Mine")
    theirs = ProgramInstanceFactory(workspace=other_workspace, name="Theirs")
    client = dash(role="viewer")
    html = client.get("/instances/").content.decode()
    assert "Mine" in html and "Theirs" not in html
    assert client.get(f"/instances/{mine.pk}/").status_code == 200
    assert client.get(f"/instances/{theirs.pk}/").status_code == 404
    admin = dash(role="admin")
    assert admin.get(f"/instances/{theirs.pk}/edit/").status_code == 404
    assert admin.post(f"/instances/{theirs.pk}/status/", {"action": "archive"}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == "active"


def test_instance_detail_shows_rules_and_enrollment_counts(dash, workspace):
    instance = ProgramInstanceFactory(
        workspace=workspace, eligibility_criteria={"regions": ["NY"], "minimumCapacity": 5}
    )
    EnrollmentFactory(workspace=workspace, program_instance=instance, status="submitted")
    html = dash(role="viewer").get(f"/instances/{instance.pk}/").content.decode()
    assert "NY" in html and "5 kWh" in html
    assert "1 in all" in html


def test_instance_filters_use_the_api_filterset(dash, workspace):
    ProgramInstanceFactory(workspace=workspace, name="Alpha")
    client = dash(role="viewer")
    assert "Alpha" in client.get("/instances/?status=active").content.decode()
    bad = client.get("/instances/?status=bogus")
    assert "Unknown value" in bad.content.decode()
    assert "Alpha" not in bad.content.decode()


@pytest.mark.parametrize(("role", "status"), [("viewer", 403), ("operator", 403), ("admin", 200)])
def test_instance_editor_needs_instances_write(dash, role, status):
    assert dash(role=role).get("/instances/new/").status_code == status


def test_create_instance_with_rules_and_form_config(dash, workspace):
    program = ProgramFactory(slug="battery-rebate")
    client = dash(role="admin")
    page = client.get("/instances/new/?program=battery-rebate").content.decode()
    assert 'value="battery-rebate" selected' in page
    data = editor_post(
        "battery-rebate",
        **{
            "fields-3-name": "phone",
            "fields-3-ask": "on",
            "fields-3-required": "on",
            "fields-3-label": "Mobile phone",
            "form-use_brand_color": "on",
            "form-brand_color": "#112233",
        },
    )
    response = client.post("/instances/new/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    instance = ProgramInstance.objects.for_workspace(workspace).get()
    assert instance.program == program
    assert instance.eligibility_criteria == {
        "regions": ["NY"],
        "deviceTypes": ["battery"],
        "minimumCapacity": 5,
    }
    assert instance.form_config["fields"] == [
        {"name": "phone", "required": True, "label": "Mobile phone"}
    ]
    assert instance.form_config["brandColor"] == "#112233"
    assert Event.objects.for_workspace(workspace).filter(type="programInstance.created").exists()


def test_create_instance_errors_next_to_fields(dash, workspace):
    ProgramFactory(slug="p1")
    client = dash(role="admin")
    response = client.post(
        "/instances/new/",
        editor_post(
            "p1",
            name="",
            start_date="2026-05-01T00:00",
            end_date="2026-04-01T00:00",
            **{"rules-minimum_capacity": "-1"},
        ),
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_name_error"' in html
    assert 'id="id_end_date_error"' in html
    assert 'id="id_rules-minimum_capacity_error"' in html
    assert not ProgramInstance.objects.for_workspace(workspace).exists()


def test_service_errors_land_on_the_rule_field(dash, workspace):
    ProgramFactory(slug="p2")
    response = dash(role="admin").post(
        "/instances/new/",
        editor_post("p2", **{"rules-minimum_capacity": "10", "rules-maximum_capacity": "5"}),
    )
    assert response.status_code == 400
    assert 'id="id_rules-minimum_capacity_error"' in response.content.decode()


def test_cannot_deploy_another_organizations_private_program(dash, other_workspace):
    Program.objects.create(
        slug="secret",
        name="Secret",
        visibility="private",
        organization=other_workspace.organization,
    )
    response = dash(role="admin").post("/instances/new/", editor_post("secret"))
    assert response.status_code == 400
    assert not ProgramInstance.objects.filter(program__slug="secret").exists()


def test_edit_instance_keeps_rules_and_bumps_version(dash, workspace):
    instance = ProgramInstanceFactory(
        workspace=workspace, name="Old", eligibility_criteria={"regions": ["NY"]}
    )
    client = dash(role="admin")
    page = client.get(f"/instances/{instance.pk}/edit/")
    assert page.status_code == 200
    initial = page.context["rules"].initial
    assert initial["regions"] == ["NY"] and initial["mode"] == "rules"
    response = client.post(
        f"/instances/{instance.pk}/edit/",
        editor_post(name="New name", **{"rules-regions": ["NY", "CA"]}),
    )
    assert response.status_code == 302
    instance.refresh_from_db()
    assert instance.name == "New name"
    assert instance.eligibility_criteria["regions"] == ["NY", "CA"]
    assert instance.criteria_version == 2


def test_text_criteria(dash, workspace):
    instance = ProgramInstanceFactory(workspace=workspace)
    client = dash(role="admin")
    client.post(
        f"/instances/{instance.pk}/edit/",
        editor_post(name=instance.name, **{"rules-mode": "text", "rules-text": "Homeowners only"}),
    )
    instance.refresh_from_db()
    assert instance.eligibility_criteria == "Homeowners only"


def test_lifecycle_buttons(dash, workspace):
    instance = ProgramInstanceFactory(workspace=workspace)
    client = dash(role="admin")
    html = client.get(f"/instances/{instance.pk}/").content.decode()
    assert 'value="deactivate"' in html and 'value="archive"' in html
    client.post(f"/instances/{instance.pk}/status/", {"action": "archive"})
    instance.refresh_from_db()
    assert instance.status == "archived"
    # Archived: read-only, so no edit button; restoring is offered.
    html = client.get(f"/instances/{instance.pk}/").content.decode()
    assert f"/instances/{instance.pk}/edit/" not in html
    client.post(f"/instances/{instance.pk}/status/", {"action": "activate"})
    instance.refresh_from_db()
    assert instance.status == "active"


def test_operator_cannot_change_instance_status(dash, workspace):
    instance = ProgramInstanceFactory(workspace=workspace)
    response = dash(role="operator").post(
        f"/instances/{instance.pk}/status/", {"action": "archive"}
    )
    assert response.status_code == 403
    instance.refresh_from_db()
    assert instance.status == "active"


def test_archived_instance_edit_redirects_to_detail(dash, workspace):
    instance = ProgramInstanceFactory(workspace=workspace)
    client = dash(role="admin")
    client.post(f"/instances/{instance.pk}/status/", {"action": "archive"})
    response = client.get(f"/instances/{instance.pk}/edit/")
    assert response.status_code == 302
    assert response["Location"] == f"/instances/{instance.pk}/"


def test_instances_pagination_keeps_filters(dash, workspace):
    for i in range(27):
        ProgramInstanceFactory(workspace=workspace, name=f"Wind {i:02d}")
    client = dash(role="viewer")
    first = client.get("/instances/?search=Wind").content.decode()
    assert "Page 1 of 2" in first
    assert "?search=Wind&amp;page=2" in first
    second = client.get("/instances/?search=Wind&page=2")
    assert len(second.context["instances"]) == 2


def test_delete_only_without_enrollments(dash, workspace):
    empty = ProgramInstanceFactory(workspace=workspace)
    used = ProgramInstanceFactory(workspace=workspace)
    EnrollmentFactory(workspace=workspace, program_instance=used)
    client = dash(role="admin")
    assert 'value="delete"' not in client.get(f"/instances/{used.pk}/").content.decode()
    refused = client.post(f"/instances/{used.pk}/status/", {"action": "delete"}, follow=True)
    assert "Archive it instead" in refused.content.decode()
    assert ProgramInstance.objects.filter(pk=used.pk).exists()
    response = client.post(f"/instances/{empty.pk}/status/", {"action": "delete"})
    assert response["Location"] == "/instances/"
    assert not ProgramInstance.objects.filter(pk=empty.pk).exists()
