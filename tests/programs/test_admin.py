"""The admin for programs and instances: writes go through the services; staff who are not
superusers see only what their workspaces may see."""

import pytest
from django.contrib.auth.models import Permission

from events.models import Event
from instances.models import ProgramInstance
from programs.models import Program, ProgramState
from tests.factories import MembershipFactory, ProgramFactory, ProgramInstanceFactory, UserFactory


@pytest.fixture
def superuser_client(client, db):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def staff_client(client, workspace):
    staff = UserFactory(username="staffer", is_staff=True)
    staff.user_permissions.set(
        Permission.objects.filter(content_type__app_label__in=["programs", "instances"])
    )
    MembershipFactory(user=staff, workspace=workspace, role="admin")
    client.force_login(staff)
    return client


def test_superuser_creates_a_program_through_the_service(superuser_client, workspace):
    response = superuser_client.post(
        "/admin/programs/program/add/",
        {
            "name": "Admin Program",
            "slug": "",
            "description": "",
            "type": "rebate",
            "states": "ny, nj",
            "active": "on",
            "visibility": "private",
            "organization": workspace.organization_id,
            "year": "2025",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    program = Program.objects.get(slug="admin-program")
    assert program.states == ["NY", "NJ"]
    assert set(ProgramState.objects.filter(program=program).values_list("state", flat=True)) == {
        "NY",
        "NJ",
    }


def test_program_admin_form_errors(superuser_client):
    response = superuser_client.post(
        "/admin/programs/program/add/",
        {"name": "Bad", "states": "NY, ZZ", "visibility": "private", "type": ""},
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "Unknown US state code(s): ZZ" in text
    assert "A private program needs its organization." in text
    assert not Program.objects.filter(name="Bad").exists()


def test_program_changelist_and_filters(superuser_client):
    ProgramFactory(states=["CA"])
    for query in ("", "?type__exact=rebate", "?state_rows__state=CA", "?q=program"):
        assert superuser_client.get(f"/admin/programs/program/{query}").status_code == 200


def test_superuser_creates_an_instance_with_an_event(superuser_client, workspace):
    program = ProgramFactory()
    response = superuser_client.post(
        "/admin/instances/programinstance/add/",
        {
            "program": program.pk,
            "workspace": workspace.pk,
            "name": "From the admin",
            "slug": "",
            "eligibility_criteria": '{"regions": ["ny"]}',
            "form_config": '{"brandColor": "#0b6bcb"}',
            "metadata": "{}",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    instance = ProgramInstance.objects.get(name="From the admin")
    assert instance.slug == "from-the-admin"
    assert instance.eligibility_criteria == {"regions": ["NY"]}
    assert Event.objects.filter(
        type="programInstance.created", program_instance_id=instance.pk
    ).exists()


def test_instance_admin_validates_rules_and_form(superuser_client, workspace, other_workspace):
    theirs = ProgramFactory(visibility="private", organization=other_workspace.organization)
    response = superuser_client.post(
        "/admin/instances/programinstance/add/",
        {
            "program": theirs.pk,
            "workspace": workspace.pk,
            "name": "Bad",
            "eligibility_criteria": '{"zip": ["1"]}',
            "form_config": '{"brandColor": "blue"}',
            "metadata": "{}",
        },
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "Unknown eligibility rule(s): zip" in text
    assert "hex colour" in text
    assert "private to another organization" in text
    assert not ProgramInstance.objects.filter(name="Bad").exists()


def test_instance_admin_edit_bumps_criteria_version(superuser_client, workspace):
    instance = ProgramInstanceFactory(workspace=workspace, eligibility_criteria={"regions": ["NY"]})
    response = superuser_client.post(
        f"/admin/instances/programinstance/{instance.pk}/change/",
        {
            "name": instance.name,
            "description": "",
            "logo_url": "",
            "eligibility_criteria": '{"regions": ["NJ"]}',
            "custom_terms": "",
            "form_config": "{}",
            "metadata": "{}",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    instance.refresh_from_db()
    assert instance.criteria_version == 2
    assert Event.objects.filter(type="programInstance.updated").count() == 1


def test_instance_admin_status_actions(superuser_client, workspace):
    instance = ProgramInstanceFactory(workspace=workspace)
    superuser_client.post(
        "/admin/instances/programinstance/",
        {"action": "archive", "_selected_action": [instance.pk]},
    )
    instance.refresh_from_db()
    assert instance.status == "archived"
    page = superuser_client.get(f"/admin/instances/programinstance/{instance.pk}/change/")
    assert page.status_code == 200
    assert 'name="name"' not in page.content.decode()  # read-only while archived
    superuser_client.post(
        "/admin/instances/programinstance/",
        {"action": "activate", "_selected_action": [instance.pk]},
    )
    instance.refresh_from_db()
    assert instance.status == "active"


def test_staff_see_only_their_workspaces(staff_client, workspace, other_workspace):
    mine = ProgramInstanceFactory(workspace=workspace, name="Mine instance")
    theirs = ProgramInstanceFactory(workspace=other_workspace, name="Theirs instance")
    private_theirs = ProgramFactory(
        name="Their private", visibility="private", organization=other_workspace.organization
    )
    public = ProgramFactory(name="Public one")

    listing = staff_client.get("/admin/instances/programinstance/").content.decode()
    assert "Mine instance" in listing and "Theirs instance" not in listing
    # Sidebar filters offer nothing of the other organization.
    assert theirs.program.name not in listing
    assert other_workspace.organization.name not in listing
    assert (
        staff_client.get(f"/admin/instances/programinstance/{theirs.pk}/change/").status_code == 302
    )
    assert (
        staff_client.get(f"/admin/instances/programinstance/{mine.pk}/change/").status_code == 200
    )

    programs = staff_client.get("/admin/programs/program/").content.decode()
    assert "Public one" in programs and "Their private" not in programs
    assert staff_client.get(f"/admin/programs/program/{public.pk}/change/").status_code == 200
    assert (
        staff_client.get(f"/admin/programs/program/{private_theirs.pk}/change/").status_code == 302
    )
    # The program choice list of the add form omits the other organization's private program.
    form = staff_client.get("/admin/instances/programinstance/add/").content.decode()
    assert "Public one" in form and "Their private" not in form
    assert "Production" in form  # own workspace offered
    # Staff cannot edit the catalog.
    denied = staff_client.post(f"/admin/programs/program/{public.pk}/change/", {"name": "x"})
    assert denied.status_code == 403
