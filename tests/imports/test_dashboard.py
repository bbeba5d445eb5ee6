"""The dashboard door: upload → dry run → adjust the columns → import → progress → report CSV.
The worker's task is run here by calling it (the test settings use the database backend)."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from enrollments.imports.models import Import
from enrollments.imports.service import import_run
from enrollments.models import Enrollment
from tests.factories import MembershipFactory, UserFactory
from tests.imports.helpers import HEADER, csv_rows, instance_in


@pytest.fixture
def operator(db, workspace):
    user = UserFactory()
    MembershipFactory(user=user, workspace=workspace, role="operator")
    client = Client()
    client.force_login(user)
    return client


def _upload(client, instance, content, name="list.csv"):
    return client.post(
        f"/instances/{instance.pk}/import/",
        {"file": SimpleUploadedFile(name, content), "evaluate": "on"},
    )


def test_upload_checks_then_imports_with_progress_and_report(operator, workspace):
    instance = instance_in(workspace)
    page = operator.get(f"/instances/{instance.pk}/")
    assert b"Import candidates" in page.content
    content = csv_rows(2) + b"=cmd|' /C calc'!A0,X,bad,,,,,,,\n"
    response = _upload(operator, instance, content)
    check = Import.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/imports/{check.pk}/")
    assert check.dry_run
    running = operator.get(f"/imports/{check.pk}/")
    assert b"hx-get" in running.content and b"<progress" in running.content
    import_run(import_id=check.pk)
    fragment = operator.get(f"/imports/{check.pk}/progress/", HTTP_HX_REQUEST="true")
    assert fragment.status_code == 204 and fragment["HX-Refresh"] == "true"
    report = operator.get(f"/imports/{check.pk}/")
    text = report.content.decode()
    assert "Nothing was changed" in text and "Program code" in text  # kept as extra data
    assert "Email: Enter a valid email address, like name@example.com." in text  # words
    assert not Enrollment.objects.exists()
    # Change a column: the program code is left out this time, then import for real.
    columns = list(check.mapping)
    form = {f"map-{i}": target for i, target in enumerate(check.mapping.values())}
    form[f"map-{columns.index('Program code')}"] = "ignore"
    response = operator.post(f"/imports/{check.pk}/action/", {**form, "action": "run"})
    real = Import.objects.exclude(pk=check.pk).get()
    assert response["Location"].endswith(f"/imports/{real.pk}/")
    assert real.mapping["Program code"] == "ignore" and not real.dry_run
    import_run(import_id=real.pk)
    assert Enrollment.objects.filter(status="eligible").count() == 2
    assert Enrollment.objects.filter(metadata={}).count() == 2
    download = operator.get(f"/imports/{real.pk}/report.csv")
    lines = list(csv.reader(io.StringIO(b"".join(download.streaming_content).decode())))
    assert lines[0] == ["Row", "Result", "Enrollment", "Eligible", "Reason", "Errors"]
    assert [line[1] for line in lines[1:]] == ["Created", "Created", "Failed"]
    assert all(not cell.startswith(("=", "+", "-", "@")) for line in lines for cell in line)


def test_a_broken_file_is_said_in_words_and_nothing_is_written(operator, workspace):
    instance = instance_in(workspace)
    response = _upload(operator, instance, b"\x00\x01\x02", name="photo.png")
    assert response.status_code == 302
    page = operator.get(response["Location"])
    assert b"not a CSV or Excel" in page.content
    assert not Import.objects.exists()


def test_cancel_from_the_dashboard(operator, workspace):
    instance = instance_in(workspace)
    _upload(operator, instance, csv_rows(1))
    imp = Import.objects.get()
    operator.post(f"/imports/{imp.pk}/action/", {"action": "cancel"})
    imp.refresh_from_db()
    assert imp.status == "cancelled"


def test_viewers_cannot_import_and_other_workspaces_are_404(db, workspace, other_workspace):
    viewer_user = UserFactory()
    MembershipFactory(user=viewer_user, workspace=workspace, role="viewer")
    viewer = Client()
    viewer.force_login(viewer_user)
    instance = instance_in(workspace)
    assert _upload(viewer, instance, csv_rows(1)).status_code == 403
    theirs_instance = instance_in(other_workspace)
    from enrollments.imports.service import import_start

    theirs = import_start(
        workspace=other_workspace,
        instance=theirs_instance,
        actor=None,
        file_name="x.csv",
        content=HEADER.encode() + b"A,B,a@example.com,,,NY,,,,\n",
    )
    for path in (
        f"/imports/{theirs.pk}/",
        f"/imports/{theirs.pk}/progress/",
        f"/imports/{theirs.pk}/report.csv",
    ):
        assert viewer.get(path).status_code == 404
