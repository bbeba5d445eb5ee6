"""The import's semantics: created / updated / unchanged, failed rows with every field error,
evaluation through the set-based path, dry run, history and events of every change."""

import pytest

from enrollments.imports.models import Import, ImportRow
from enrollments.models import Customer, Enrollment, EnrollmentStatusChange
from events.models import Event
from tests.imports.helpers import HEADER, csv_rows, instance_in, run_import


def _results(imp):
    return list(imp.rows.order_by("row_number").values_list("result", flat=True))


def test_import_creates_candidates_evaluates_them_and_records_everything(workspace):
    instance = instance_in(workspace)
    content = csv_rows(3) + b"Bo,Out,bo@example.com,1 Elm,Austin,TX,73301,REF-X,,\n"
    imp = run_import(workspace, instance, content)
    assert imp.status == "completed"
    assert (imp.total_rows, imp.processed_rows, imp.created) == (4, 4, 4)
    assert (imp.eligible, imp.ineligible, imp.failed) == (3, 1, 0)
    assert Enrollment.objects.filter(program_instance=instance, status="eligible").count() == 3
    texan = Enrollment.objects.get(email="bo@example.com")
    assert texan.status == "ineligible" and texan.reference_id == "REF-X"
    assert Customer.objects.filter(workspace=workspace).count() == 4
    assert Event.objects.filter(type="enrollment.created").count() == 4
    assert Event.objects.filter(type="enrollment.status_changed").count() == 4
    assert EnrollmentStatusChange.objects.count() == 4
    first = Enrollment.objects.get(email="ana0@example.com")
    assert first.tags == ["solar", "pilot"]
    assert first.postal_code == "12207" and first.street_one == "0 Main St"
    assert first.metadata == {"Program code": "P0"}
    assert imp.metadata_columns == ["Program code"]
    row = imp.rows.get(row_number=2)
    assert (row.result, row.enrollment_id, row.eligible) == ("created", first.pk, True)


def test_same_file_twice_creates_nothing_and_changed_rows_update(workspace):
    instance = instance_in(workspace)
    run_import(workspace, instance, csv_rows(3))
    again = run_import(workspace, instance, csv_rows(3))
    assert (again.created, again.unchanged) == (0, 3)
    assert Enrollment.objects.count() == 3
    changed = csv_rows(3).replace(b"1 Main St", b"1 Oak Ave")
    updates_before = Event.objects.filter(type="enrollment.updated").count()
    third = run_import(workspace, instance, changed)
    assert (third.created, third.updated, third.unchanged) == (0, 1, 2)
    assert Enrollment.objects.get(reference_id="REF-1").street_one == "1 Oak Ave"
    # One data change, one enrollment.updated (the status did not change this time).
    assert Event.objects.filter(type="enrollment.updated").count() == updates_before + 1


def test_rows_without_reference_match_by_email(workspace):
    instance = instance_in(workspace)
    body = b"first_name;last_name;email\nAna;One;ANA@example.com\n"
    run_import(workspace, instance, body)
    second = run_import(
        workspace, instance, b"firstName;lastName;email\nAnna;One;ana@example.com\n"
    )
    assert (second.created, second.updated) == (0, 1)
    assert Enrollment.objects.get().first_name == "Anna"


def test_a_bad_row_fails_with_every_error_and_the_others_go_on(workspace):
    instance = instance_in(workspace)
    content = (
        HEADER.encode()
        + b"Ana,Good,ana@example.com,1 Main,Albany,NY,12207,R1,,\n"
        + b",NoFirst,not-an-email,1 Main,Albany,NY,12207,R2,,\n"
        + b"Cy,Good,cy@example.com,1 Main,Albany,NY,12207,R3,,\n"
    )
    imp = run_import(workspace, instance, content)
    assert (imp.created, imp.failed) == (2, 1)
    failed = imp.rows.get(result="failed")
    assert failed.row_number == 3
    fields = {e["field"] for e in failed.errors}
    assert fields == {"email", "firstName"}
    assert Enrollment.objects.count() == 2


def test_dry_run_writes_nothing_but_the_import_and_its_report(workspace):
    instance = instance_in(workspace)
    imp = run_import(workspace, instance, csv_rows(4), dry_run=True)
    assert (imp.status, imp.created, imp.eligible) == ("completed", 4, 4)
    assert Enrollment.objects.count() == 0 and Customer.objects.count() == 0
    assert Event.objects.count() == 0 and EnrollmentStatusChange.objects.count() == 0
    assert ImportRow.objects.filter(import_run=imp).count() == 4


def test_without_evaluate_rows_stay_candidates(workspace):
    instance = instance_in(workspace)
    imp = run_import(workspace, instance, csv_rows(2), evaluate=False)
    assert imp.eligible == 0
    assert set(Enrollment.objects.values_list("status", flat=True)) == {"candidate"}


def test_progress_is_reported_chunk_by_chunk(workspace, settings):
    settings.IMPORT_CHUNK_SIZE = 2
    instance = instance_in(workspace)
    seen = []
    from enrollments.imports.service import import_run, import_start

    imp = import_start(
        workspace=workspace, instance=instance, actor=None, file_name="a.csv", content=csv_rows(5)
    )
    import_run(import_id=imp.pk, progress=lambda done, total: seen.append((done, total)))
    assert seen == [(2, 5), (4, 5), (5, 5)]


def test_cancel_stops_between_chunks(workspace, settings):
    settings.IMPORT_CHUNK_SIZE = 2
    instance = instance_in(workspace)
    from enrollments.imports.service import import_cancel, import_run, import_start

    imp = import_start(
        workspace=workspace, instance=instance, actor=None, file_name="a.csv", content=csv_rows(6)
    )

    def cancel_after_first(done, total):
        if done == 2:
            import_cancel(imp=imp, actor=None)

    final = import_run(import_id=imp.pk, progress=cancel_after_first)
    assert final.status == "cancelled" and final.processed_rows == 2
    assert Enrollment.objects.count() == 2


def test_cancel_of_a_queued_import_and_of_a_finished_one(workspace):
    from config.errors import ConflictError
    from enrollments.imports.service import import_cancel, import_run, import_start

    instance = instance_in(workspace)
    imp = import_start(
        workspace=workspace, instance=instance, actor=None, file_name="a.csv", content=csv_rows(1)
    )
    assert import_cancel(imp=imp, actor=None).status == "cancelled"
    assert import_run(import_id=imp.pk).processed_rows == 0  # the worker finds it cancelled
    with pytest.raises(ConflictError):
        import_cancel(imp=imp, actor=None)


def test_json_rows_use_the_api_field_names(workspace):
    from enrollments.imports.service import import_run, import_start

    instance = instance_in(workspace)
    rows = [
        {
            "firstName": "Jo",
            "lastName": "Son",
            "email": "jo@example.com",
            "address": {"state": "NY", "postalCode": "12207"},
            "tags": ["a", "b"],
            "meta": {"campaign": "spring"},
            "deviceCapacity": 13.5,
        }
    ]
    imp = import_start(workspace=workspace, instance=instance, actor=None, rows=rows)
    imp = import_run(import_id=imp.pk)
    enrollment = Enrollment.objects.get()
    assert (imp.created, imp.eligible) == (1, 1)
    assert enrollment.tags == ["a", "b"] and enrollment.metadata == {"campaign": "spring"}
    assert str(enrollment.device_capacity) == "13.500"
    assert Import.objects.get().file_format == "json"
