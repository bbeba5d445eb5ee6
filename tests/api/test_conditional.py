"""ETags come from row versions; If-Match on transitions; the If-Match check and the write are
one step (a change landing between them is a 412, never a silent overwrite)."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from config.versioning import versioned_update
from enrollments import services as enrollment_services
from enrollments.models import Enrollment, Lead
from tests.enrollments.factories import EnrollmentFactory, LeadFactory


def test_every_save_bumps_the_version_in_sql(workspace):
    lead = LeadFactory(workspace=workspace)
    assert lead.version == 1
    stale = Lead.objects.get(pk=lead.pk)
    lead.phone = "+15550001"
    lead.save(update_fields=["phone"])
    assert lead.version == 2
    stale.first_name = "Other"
    stale.save()  # a writer holding an old copy still moves the version on, never back
    assert stale.version == 3
    assert Lead.objects.get(pk=lead.pk).version == 3
    assert versioned_update(Lead.objects.filter(pk=lead.pk), phone="+15550002") == 1
    assert Lead.objects.get(pk=lead.pk).version == 4


def test_transition_with_if_match(api, workspace):
    enrollment = EnrollmentFactory(workspace=workspace)
    path = f"/api/v1/enrollments/{enrollment.pk}"
    etag = api.get(path)["ETag"]
    stale = api.post(f"{path}/transitions", {"to": "ineligible"}, HTTP_IF_MATCH='"x.0"')
    assert stale.status_code == 412
    assert stale.json()["details"]["etag"] == etag
    assert Enrollment.objects.get(pk=enrollment.pk).status == "candidate"
    moved = api.post(f"{path}/transitions", {"to": "ineligible"}, HTTP_IF_MATCH=etag)
    assert moved.status_code == 200, moved.content
    assert moved["ETag"] != etag
    assert moved["ETag"] == api.get(path)["ETag"]
    weak = api.post(f"{path}/transitions", {"to": "candidate"}, HTTP_IF_MATCH=f"W/{moved['ETag']}")
    assert weak.status_code == 412  # If-Match compares strongly


def test_a_change_between_the_check_and_the_write_is_412(api, workspace, monkeypatch):
    enrollment = EnrollmentFactory(workspace=workspace, first_name="Suzie")
    path = f"/api/v1/enrollments/{enrollment.pk}"
    etag = api.get(path)["ETag"]
    real = enrollment_services.enrollment_update

    def colleague_first(**kwargs):
        # Another request's write lands after our If-Match check, before our UPDATE.
        versioned_update(Enrollment.objects.filter(pk=enrollment.pk), first_name="Colleague")
        return real(**kwargs)

    monkeypatch.setattr(enrollment_services, "enrollment_update", colleague_first)
    response = api.patch(path, {"lastName": "Mine"}, HTTP_IF_MATCH=etag)
    assert response.status_code == 412, response.content
    monkeypatch.undo()
    row = Enrollment.objects.get(pk=enrollment.pk)
    assert (row.first_name, row.last_name) == ("Colleague", enrollment.last_name)
    assert response.json()["details"]["etag"] == api.get(path)["ETag"]


def test_304_serializes_nothing_and_costs_no_more_queries(api, workspace):
    enrollment = EnrollmentFactory(workspace=workspace)
    path = f"/api/v1/enrollments/{enrollment.pk}"
    etag = api.get(path)["ETag"]
    with CaptureQueriesContext(connection) as full:
        assert api.get(path).status_code == 200
    with CaptureQueriesContext(connection) as cached:
        assert api.get(path, HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert len(cached) <= len(full)


def test_detail_routes_ignore_list_filters(api, workspace):
    enrollment = EnrollmentFactory(workspace=workspace)
    response = api.get(f"/api/v1/enrollments/{enrollment.pk}", {"status": "approved"})
    assert response.status_code == 200


def test_a_row_without_a_version_changes_its_etag_when_it_changes(workspace):
    """An import has no version column; its counters move while it runs, so a client polling
    its progress with If-None-Match must see each change (never a stale 304)."""
    from config.versioning import etag_of
    from enrollments.imports.models import Import
    from tests.enrollments.factories import ProgramInstanceFactory

    instance = ProgramInstanceFactory(workspace=workspace)
    imp = Import.objects.create(workspace=workspace, program_instance=instance, total_rows=10)
    before = etag_of(imp)
    Import.objects.filter(pk=imp.pk).update(processed_rows=5)
    imp.refresh_from_db()
    assert etag_of(imp) != before


def test_set_based_writes_move_the_etag_too(api, workspace):
    """A bulk transition, a bulk evaluation and an import's update change the row's version,
    so an If-Match taken before them is refused (412), never a silent overwrite."""
    from enrollments.imports.service import import_run, import_start

    enrollment = EnrollmentFactory(
        workspace=workspace, state="NY", reference_id="R1", email="ana@example.com"
    )
    path = f"/api/v1/enrollments/{enrollment.pk}"
    before = api.get(path)["ETag"]
    enrollment_services.enrollment_bulk_evaluate(enrollments=[enrollment], actor=None)
    evaluated = api.get(path)["ETag"]
    assert evaluated != before
    stale = api.post(f"{path}/transitions", {"to": "candidate"}, HTTP_IF_MATCH=before)
    assert stale.status_code == 412
    enrollment_services.enrollment_bulk_transition(
        enrollments=[enrollment], to="submitted", actor=None
    )
    submitted = api.get(path)["ETag"]
    assert submitted != evaluated
    imp = import_start(
        workspace=workspace,
        instance=enrollment.program_instance,
        actor=None,
        file_name="x.csv",
        content=b"First name,Last name,Email,Reference\nAnna,Lee,ana@example.com,R1\n",
        enqueue=False,
    )
    assert import_run(import_id=imp.pk).updated == 1
    assert api.get(path)["ETag"] not in (submitted, evaluated, before)
