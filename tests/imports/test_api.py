"""The import's API door: 202 with the import, progress, per-row report, cancel, scopes and
tenancy (another workspace's import or instance is a 404)."""

from django.core.files.uploadedfile import SimpleUploadedFile

from enrollments.imports.models import Import
from enrollments.imports.service import import_run, import_start
from enrollments.models import Enrollment
from tests.api_base import ListTests, RetrieveTests
from tests.imports.helpers import HEADER, csv_rows, instance_in

FIELDS = {
    "id", "programInstanceId", "status", "dryRun", "notifyEligible",
    "fileName", "totalRows", "processedRows",
    "created", "updated", "unchanged", "failed", "eligible", "ineligible", "invited",
    "createdAt", "startedAt", "finishedAt", "createdBy",
}  # fmt: skip


def _queued(workspace, content=None):
    return import_start(
        workspace=workspace,
        instance=instance_in(workspace),
        actor=None,
        file_name="list.csv",
        content=content or csv_rows(2),
    )


class TestImportAPI(ListTests, RetrieveTests):
    path = "/api/v1/imports"
    read_scope = "enrollments:read"

    def make(self, workspace):
        return _queued(workspace)


def _start(client, instance, **data):
    path = f"/api/v1/programInstances/{instance.pk}/imports"
    if "rows" in data:
        return client.post(path, data, format="json")
    return client.post(path, data, format="multipart")


def test_upload_answers_202_with_the_import_and_the_worker_runs_it(api, workspace):
    instance = instance_in(workspace)
    upload = SimpleUploadedFile("customers.csv", csv_rows(3), content_type="text/csv")
    response = _start(api, instance, file=upload)
    assert response.status_code == 202, response.content
    body = response.json()
    assert set(body) == FIELDS
    assert (body["status"], body["totalRows"], body["fileName"]) == ("queued", 3, "customers.csv")
    assert body["createdBy"]["type"] == "apiKey"
    import_run(import_id=body["id"])
    done = api.get(f"/api/v1/imports/{body['id']}").json()
    assert (done["status"], done["processedRows"], done["created"], done["eligible"]) == (
        "completed",
        3,
        3,
        3,
    )
    rows = api.get(f"/api/v1/imports/{body['id']}/rows", {"result": "created"}).json()
    assert rows["totalItems"] == 3
    first = rows["data"][0]
    assert set(first) == {"rowNumber", "result", "enrollmentId", "errors", "eligible", "reason"}
    assert first["rowNumber"] == 2 and first["eligible"] is True
    assert Enrollment.objects.filter(pk=first["enrollmentId"]).exists()


def test_json_rows_dry_run_and_the_failed_rows_report(api, workspace):
    instance = instance_in(workspace)
    rows = [
        {"firstName": "Jo", "lastName": "A", "email": "jo@example.com", "state": "NY"},
        {"firstName": "", "lastName": "B", "email": "nope"},
    ]
    body = _start(api, instance, rows=rows, dryRun=True).json()
    assert body["dryRun"] is True
    import_run(import_id=body["id"])
    report = api.get(f"/api/v1/imports/{body['id']}/rows", {"result": "failed"}).json()
    assert report["totalItems"] == 1
    errors = report["data"][0]["errors"]
    assert {e["field"] for e in errors} == {"email", "firstName"}
    assert not Enrollment.objects.exists()


def test_a_broken_file_is_a_400_that_says_what_is_wrong(api, workspace):
    instance = instance_in(workspace)
    upload = SimpleUploadedFile("list.csv", b"First name,Email\n\x81\x8d,a@example.com\n")
    response = _start(api, instance, file=upload)
    assert response.status_code == 400
    assert "encoding" in response.json()["message"]
    assert not Import.objects.exists()


def test_neither_or_both_bodies_and_unknown_options_are_a_400(api, workspace):
    instance = instance_in(workspace)
    assert _start(api, instance, dryRun="true").status_code == 400
    rows = [{"firstName": "A", "lastName": "B", "email": "a@example.com"}]
    response = _start(api, instance, rows=rows, surelyNotAnOption=True)
    assert response.status_code == 400 and "surelyNotAnOption" in response.json()["message"]
    upload = SimpleUploadedFile("list.csv", csv_rows(1))
    both = _start(api, instance, file=upload, rows="x")
    assert both.status_code == 400
    assert not Import.objects.exists()


def test_filters_and_bad_filter_values(api, workspace):
    imp = _queued(workspace)
    other = _queued(workspace)
    listed = api.get("/api/v1/imports", {"programInstanceId": imp.program_instance_id}).json()
    assert [item["id"] for item in listed["data"]] == [imp.pk]
    assert other.pk not in {
        i["id"] for i in api.get("/api/v1/imports?status=running").json()["data"]
    }
    assert api.get("/api/v1/imports?status=sleeping").status_code == 400
    assert api.get(f"/api/v1/imports/{imp.pk}/rows?result=maybe").status_code == 400


def test_cancel(api, workspace):
    imp = _queued(workspace)
    response = api.post(f"/api/v1/imports/{imp.pk}/cancel")
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    assert api.post(f"/api/v1/imports/{imp.pk}/cancel").status_code == 409


def test_scopes(api_client_for, workspace):
    instance = instance_in(workspace)
    reader = api_client_for(workspace, scopes=["enrollments:read"])
    upload = SimpleUploadedFile("list.csv", csv_rows(1))
    response = _start(reader, instance, file=upload)
    assert response.status_code == 403 and "enrollments:write" in response.json()["message"]
    imp = _queued(workspace)
    assert reader.post(f"/api/v1/imports/{imp.pk}/cancel").status_code == 403
    assert reader.get(f"/api/v1/imports/{imp.pk}/rows").status_code == 200


def test_another_workspaces_import_and_instance_are_404(api, workspace, other_workspace):
    theirs = _queued(other_workspace, HEADER.encode() + b"A,B,a@example.com,,,NY,,,,\n")
    for path in (f"/api/v1/imports/{theirs.pk}", f"/api/v1/imports/{theirs.pk}/rows"):
        assert api.get(path).status_code == 404
    assert api.post(f"/api/v1/imports/{theirs.pk}/cancel").status_code == 404
    upload = SimpleUploadedFile("list.csv", csv_rows(1))
    assert _start(api, theirs.program_instance, file=upload).status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == "queued"
