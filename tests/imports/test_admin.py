"""The admin door: staff upload a file (the same service runs it) and inspect imports of their
own workspaces only."""

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile

from enrollments.imports.models import Import
from enrollments.imports.service import import_run, import_start
from tests.factories import MembershipFactory, UserFactory
from tests.imports.helpers import csv_rows, instance_in

ADD = "/admin/enrollments/import/add/"
LIST = "/admin/enrollments/import/"


@pytest.fixture
def staff(client, workspace):
    user = UserFactory(username="staffer", is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="enrollments"))
    MembershipFactory(user=user, workspace=workspace, role="admin")
    client.force_login(user)
    client.user = user
    return client


def test_staff_start_an_import_and_read_its_report(staff, workspace):
    instance = instance_in(workspace)
    content = csv_rows(2) + b"Bad,Row,not-an-email,,,,,,,\n"
    response = staff.post(
        ADD,
        {
            "program_instance": instance.pk,
            "file": SimpleUploadedFile("list.csv", content),
            "evaluate": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    imp = Import.objects.get()
    assert imp.created_by == staff.user and imp.total_rows == 3
    import_run(import_id=imp.pk)
    page = staff.get(f"{LIST}{imp.pk}/change/").content.decode()
    assert "Row 4: Email: Enter a valid email address, like name@example.com." in page


def test_a_broken_file_is_a_form_error(staff, workspace):
    instance = instance_in(workspace)
    response = staff.post(
        ADD,
        {"program_instance": instance.pk, "file": SimpleUploadedFile("x.csv", b"foo,bar\n1,2\n")},
    )
    assert response.status_code == 200
    assert "No column matches" in response.content.decode()
    assert not Import.objects.exists()


def test_staff_see_only_their_workspaces(staff, workspace, other_workspace):
    theirs_instance = instance_in(other_workspace)
    theirs = import_start(
        workspace=other_workspace,
        instance=theirs_instance,
        actor=None,
        file_name="theirs.csv",
        content=csv_rows(1),
    )
    mine = import_start(
        workspace=workspace,
        instance=instance_in(workspace),
        actor=None,
        file_name="mine.csv",
        content=csv_rows(1),
    )
    listing = staff.get(LIST).content.decode()
    assert "mine.csv" in listing and "theirs.csv" not in listing
    assert staff.get(f"{LIST}{theirs.pk}/change/").status_code in (302, 404)
    assert staff.get(f"{LIST}{mine.pk}/change/").status_code == 200
    form = staff.get(ADD).content.decode()
    assert theirs_instance.pk not in form
