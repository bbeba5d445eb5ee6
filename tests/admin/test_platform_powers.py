"""Platform-wide powers come from being a superuser, never from `is_staff`."""

import pytest
from rest_framework.test import APIClient

from programs.models import Program
from tests.factories import MembershipFactory, OrganizationFactory, ProgramFactory, UserFactory

pytestmark = pytest.mark.django_db


def _session(user):
    client = APIClient()
    client.force_login(user)
    return client


def test_staff_member_cannot_administer_the_catalog(workspace):
    other_org = OrganizationFactory()
    public = ProgramFactory(name="Public one")
    staff = UserFactory(is_staff=True)
    MembershipFactory(user=staff, workspace=workspace, role="owner")
    client = _session(staff)
    assert "programs:admin" not in client.get("/api/v1/me").json()["user"]["scopes"]
    body = {
        "name": "Sneaky",
        "visibility": "private",
        "organizationId": other_org.pk,
        "states": ["CA"],
    }
    assert client.post("/api/v1/programs", body, format="json").status_code == 403
    response = client.patch(f"/api/v1/programs/{public.slug}", {"name": "X"}, format="json")
    assert response.status_code == 403
    assert not Program.objects.filter(name="Sneaky").exists()
    public.refresh_from_db()
    assert public.name == "Public one"
    admin_page = client.get("/admin/programs/program/add/")
    assert admin_page.status_code == 403


def test_superuser_member_holds_programs_admin(workspace):
    root = UserFactory(is_staff=True, is_superuser=True)
    MembershipFactory(user=root, workspace=workspace, role="viewer")
    scopes = _session(root).get("/api/v1/me").json()["user"]["scopes"]
    assert "programs:admin" in scopes


def test_task_queue_and_groups_are_superuser_pages(workspace):
    from django.contrib.auth.models import Permission

    staff = UserFactory(is_staff=True)
    MembershipFactory(user=staff, workspace=workspace, role="owner")
    staff.user_permissions.set(Permission.objects.all())
    client = _session(staff)
    assert client.get("/admin/auth/group/").status_code == 403
    assert client.get("/admin/django_tasks_database/dbtaskresult/").status_code == 403
