"""A large file is read and validated by a child process (enrollments.imports.reader): the
report is exactly the in-process one, a failure in the child fails the import with its
message, and the created events show each row as it was created."""

import pytest

from enrollments.imports.models import Import
from enrollments.imports.service import import_run, import_start
from enrollments.models import Enrollment, EnrollmentStatus
from enrollments.payloads import EnrollmentSerializer
from events.models import Event
from tests.imports.helpers import HEADER, csv_rows, instance_in, run_import

BAD_ROWS = (
    b",NoFirst,not-an-email,1 Main,Albany,NY,12207,R-BAD,,\n"
    + b"Cy,Texan,cy@example.com,1 Main,Austin,TX,73301,R-TX,,\n"
)


def _queued(workspace, instance):
    """A queued three-row import, run below by `import_run` itself."""
    return import_start(
        workspace=workspace,
        instance=instance,
        actor=None,
        file_name="list.csv",
        content=csv_rows(3),
        enqueue=False,
    )


def _report(imp):
    return [
        (row.row_number, row.result, row.errors, row.eligible, row.reason)
        for row in imp.rows.order_by("row_number")
    ]


@pytest.mark.django_db(transaction=True)
def test_the_child_process_gives_the_in_process_report(workspace, settings):
    settings.IMPORT_CHUNK_SIZE = 4
    content = csv_rows(9) + BAD_ROWS
    settings.IMPORT_PARALLEL_MIN_ROWS = 10_000
    alone = run_import(workspace, instance_in(workspace, slug="alone"), content)
    settings.IMPORT_PARALLEL_MIN_ROWS = 1
    parallel = run_import(workspace, instance_in(workspace, slug="parallel"), content)
    assert parallel.status == alone.status == "completed"
    assert _report(parallel) == _report(alone)
    assert (parallel.created, parallel.failed, parallel.ineligible) == (10, 1, 1)
    failed = parallel.rows.get(result="failed")
    assert {e["field"] for e in failed.errors} == {"email", "firstName"}


@pytest.mark.django_db(transaction=True)
def test_a_failure_in_the_child_fails_the_import_with_its_message(workspace, settings):
    settings.IMPORT_PARALLEL_MIN_ROWS = 1
    instance = instance_in(workspace)
    imp = _queued(workspace, instance)
    Import.objects.filter(pk=imp.pk).update(source=b"\x00\x01 not a table")
    with pytest.raises(RuntimeError):
        import_run(import_id=imp.pk)
    imp.refresh_from_db()
    assert imp.status == "failed"
    assert "ImportFileError" in imp.error
    assert not Enrollment.objects.filter(program_instance=instance).exists()


def test_created_events_show_the_row_as_created_before_its_verdict(workspace):
    """New rows are decided before their INSERT; their `enrollment.created` body is still the
    candidate the API would have shown, and the status events show the verdict."""
    instance = instance_in(workspace)
    run_import(
        workspace, instance, HEADER.encode() + b"Ana,Lee,ana@x.com,1 Main,Albany,NY,12207,R1,,\n"
    )
    enrollment = Enrollment.objects.select_related("program_instance").get()
    assert enrollment.status == EnrollmentStatus.ELIGIBLE
    created = Event.objects.get(type="enrollment.created").data["object"]
    as_candidate = Enrollment.objects.select_related("program_instance").get()
    vars(as_candidate).update(status=EnrollmentStatus.CANDIDATE, eligibility_reason="")
    expected = dict(EnrollmentSerializer(as_candidate).data)
    assert created == {
        **expected,
        "address": dict(expected["address"]),
        "eligibility": dict(expected["eligibility"]),
    }
    changed = Event.objects.get(type="enrollment.status_changed").data
    assert changed["previousStatus"] == "candidate"
    assert changed["object"] == dict(EnrollmentSerializer(enrollment).data) | {
        "address": changed["object"]["address"],
        "eligibility": changed["object"]["eligibility"],
    }
    assert changed["object"]["eligibility"]["status"] == "eligible"


@pytest.mark.django_db(transaction=True)
def test_a_child_that_dies_at_startup_fails_the_import_without_hanging(
    workspace, settings, monkeypatch, tmp_path
):
    """The child cannot even set Django up (here: a settings module that does not exist in its
    environment): the import fails with the reader's exit, and the file handed over is gone."""
    settings.IMPORT_PARALLEL_MIN_ROWS = 1
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    instance = instance_in(workspace)
    imp = _queued(workspace, instance)
    monkeypatch.setenv("DJANGO_SETTINGS_MODULE", "no_such_settings_module")
    with pytest.raises(RuntimeError, match="reader process stopped"):
        import_run(import_id=imp.pk)
    imp.refresh_from_db()
    assert imp.status == "failed"
    assert not Enrollment.objects.filter(program_instance=instance).exists()
    assert list(tmp_path.iterdir()) == []
