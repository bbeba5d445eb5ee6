"""`notifyEligible` on every door (the rows that become eligible in the import get the
self-enrollment invitation, sent by the real worker), the audit log of imports, and the
imports gauge of `/metrics`."""

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from audit.models import AuditEntry
from enrollments.imports.models import Import
from enrollments.imports.service import import_cancel, import_run, import_start
from enrollments.models import Enrollment
from tests.factories import MembershipFactory, UserFactory
from tests.imports.helpers import HEADER, csv_rows, instance_in, run_import

pytestmark = pytest.mark.django_db


def _mixed_file() -> bytes:
    """Rows 0-1 were imported (eligible) before, row 0 now with a new street; rows 3-4 are new
    in NY (eligible), rows 5-6 new in CA (ineligible)."""
    before = csv_rows(2).decode().splitlines(keepends=True)[1:]
    before[0] = before[0].replace("0 Main St", "0 Other St")
    body = "".join(before)
    body += "".join(csv_rows(2, start=3).decode().splitlines(keepends=True)[1:])
    body += "".join(csv_rows(2, start=5, state="CA").decode().splitlines(keepends=True)[1:])
    return (HEADER + body).encode()


def _recipients() -> set[str]:
    return {address for message in mail.outbox for address in message.to}


def test_api_notify_eligible_invites_exactly_the_newly_eligible_rows(api, workspace, run_worker):
    instance = instance_in(workspace)
    run_import(workspace, instance, csv_rows(2))  # rows 0-1: eligible already
    assert Enrollment.objects.filter(status="eligible").count() == 2
    upload = SimpleUploadedFile("more.csv", _mixed_file(), content_type="text/csv")
    response = api.post(
        f"/api/v1/programInstances/{instance.pk}/imports",
        {"file": upload, "notifyEligible": "true"},
        format="multipart",
    )
    assert response.status_code == 202, response.content
    assert response.json()["notifyEligible"] is True
    run_worker()  # the import, then the invitation emails it enqueued
    run_worker()
    done = api.get(f"/api/v1/imports/{response.json()['id']}").json()
    assert (done["status"], done["updated"], done["created"]) == ("completed", 1, 4)
    assert (done["eligible"], done["ineligible"], done["invited"]) == (2, 2, 2)
    assert _recipients() == {"ana3@example.com", "ana4@example.com"}


def test_without_the_option_or_on_a_dry_run_nobody_is_invited(workspace, run_worker):
    instance = instance_in(workspace)
    dry = run_import(workspace, instance, csv_rows(3), dry_run=True, notify_eligible=True)
    plain = run_import(workspace, instance, csv_rows(3, start=10))
    run_worker()
    assert (dry.eligible, dry.invited, plain.eligible, plain.invited) == (3, 0, 3, 0)
    assert mail.outbox == []


def test_invitations_cost_one_task_row_each_and_nothing_else_per_row(workspace, settings):
    """The invitations of a chunk are one read plus one task row (the email) per invitation:
    the statements of a chunk grow by exactly the invitations sent, nothing else per row."""
    settings.IMPORT_CHUNK_SIZE = 100
    instance = instance_in(workspace)

    def statements(content) -> tuple[int, int]:
        imp = import_start(
            workspace=workspace,
            instance=instance,
            actor=None,
            file_name="a.csv",
            content=content,
            notify_eligible=True,
        )
        with CaptureQueriesContext(connection) as queries:
            done = import_run(import_id=imp.pk)
        return len(queries), done.invited

    small, invited_small = statements(csv_rows(5, start=0))
    large, invited_large = statements(csv_rows(60, start=100))
    assert (invited_small, invited_large) == (5, 60)
    assert large - small == invited_large - invited_small


def test_dashboard_checkbox_then_import_invites(workspace, run_worker):
    user = UserFactory()
    MembershipFactory(user=user, workspace=workspace, role="operator")
    client = Client()
    client.force_login(user)
    instance = instance_in(workspace)
    page = client.get(f"/instances/{instance.pk}/import/").content.decode()
    assert 'name="notify_eligible"' in page
    client.post(
        f"/instances/{instance.pk}/import/",
        {
            "file": SimpleUploadedFile("l.csv", csv_rows(2)),
            "evaluate": "on",
            "notify_eligible": "on",
        },
    )
    check = Import.objects.get()
    assert check.dry_run and check.notify_eligible
    import_run(import_id=check.pk)
    assert (
        "each customer who becomes eligible is emailed"
        in client.get(f"/imports/{check.pk}/").content.decode()
    )
    form = {f"map-{i}": target for i, target in enumerate(check.mapping.values())}
    client.post(f"/imports/{check.pk}/action/", {**form, "action": "run"})
    real = Import.objects.exclude(pk=check.pk).get()
    assert real.notify_eligible and not real.dry_run
    run_worker()
    run_worker()
    real.refresh_from_db()
    assert real.invited == 2 and _recipients() == {"ana0@example.com", "ana1@example.com"}
    assert "Invitations sent" in client.get(f"/imports/{real.pk}/").content.decode()


def test_admin_upload_with_notify_eligible(client, workspace):
    from django.contrib.auth.models import Permission

    user = UserFactory(username="staffer", is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="enrollments"))
    MembershipFactory(user=user, workspace=workspace, role="admin")
    client.force_login(user)
    instance = instance_in(workspace)
    assert 'name="notify_eligible"' in client.get("/admin/enrollments/import/add/").content.decode()
    response = client.post(
        "/admin/enrollments/import/add/",
        {
            "program_instance": instance.pk,
            "file": SimpleUploadedFile("list.csv", csv_rows(2)),
            "evaluate": "on",
            "notify_eligible": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    done = import_run(import_id=Import.objects.get().pk)
    assert done.notify_eligible and done.invited == 2


def test_the_audit_log_names_who_started_the_import_and_its_counts(
    api, api_client_for, workspace, other_workspace
):
    instance = instance_in(workspace)
    response = api.post(
        f"/api/v1/programInstances/{instance.pk}/imports",
        {"rows": [{"firstName": "Al", "lastName": "Li", "email": "al@example.com"}]},
        format="json",
    )
    import_id = response.json()["id"]
    import_run(import_id=import_id)
    log = api.get("/api/v1/auditLog", {"objectType": "import"}).json()["data"]
    by_action = {entry["action"]: entry for entry in log}
    assert set(by_action) == {"import.started", "enrollments.imported"}
    finished = by_action["enrollments.imported"]
    assert finished["objectId"] == import_id and finished["actor"]["type"] == "apiKey"
    assert by_action["import.started"]["actor"] == finished["actor"]
    details = finished["details"]
    assert (details["status"], details["created"], details["failed"]) == ("completed", 1, 0)
    assert details["processedRows"] == 1 and details["invited"] == 0
    others = api_client_for(other_workspace).get("/api/v1/auditLog").json()["data"]
    assert import_id not in {entry["objectId"] for entry in others}


def test_cancel_is_audited(workspace):
    user = UserFactory()
    instance = instance_in(workspace)
    imp = import_start(
        workspace=workspace, instance=instance, actor=None, file_name="a.csv", content=csv_rows(1)
    )
    from accounts.tenancy import Tenant

    tenant = Tenant(workspace=workspace, scopes=frozenset({"enrollments:write"}), user=user)
    import_cancel(imp=imp, actor=tenant)
    entry = AuditEntry.objects.get(action="import.cancelled")
    assert (entry.object_id, entry.actor_type, entry.actor_id) == (imp.pk, "user", str(user.pk))
    assert entry.workspace_id == workspace.pk and entry.details["status"] == "cancelled"


def test_metrics_show_imports_by_status(client, workspace, settings):
    settings.METRICS_TOKEN = "s3cret-metrics-token"
    instance = instance_in(workspace)
    run_import(workspace, instance, csv_rows(1))
    run_import(workspace, instance, csv_rows(1, start=5))
    import_start(
        workspace=workspace, instance=instance, actor=None, content=csv_rows(1), file_name="q.csv"
    )
    text = client.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-metrics-token").content.decode()
    assert 'gridprograms_imports{status="completed"} 2.0' in text
    assert 'gridprograms_imports{status="queued"} 1.0' in text
