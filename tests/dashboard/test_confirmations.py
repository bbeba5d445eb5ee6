"""Issue 13 point 5 (server side): bulk approve / reject asks first, saying how many rows will
move and why the others will not; instance archiving offers an undo; point 6's message for an
empty bulk selection."""

import pytest

from enrollments.models import Enrollment
from instances.services import instance_set_status
from tests.enrollments.factories import EnrollmentFactory, ProgramInstanceFactory

pytestmark = pytest.mark.django_db


def test_bulk_approve_confirms_with_counts(dash, workspace):
    live = ProgramInstanceFactory(workspace=workspace)
    old = ProgramInstanceFactory(workspace=workspace)
    ready = [
        EnrollmentFactory(workspace=workspace, program_instance=live, status="submitted")
        for _ in range(3)
    ]
    early = EnrollmentFactory(workspace=workspace, program_instance=live, status="candidate")
    archived = EnrollmentFactory(workspace=workspace, program_instance=old, status="submitted")
    instance_set_status(instance=old, status="archived")
    ids = [e.pk for e in (*ready, early, archived)]
    client = dash(role="admin")
    response = client.post("/enrollments/bulk/", {"action": "approved", "ids": ids})
    preview = response.context["preview"]
    assert preview["selected"] == 5 and preview["movable"] == 3
    assert dict(preview["refused"]) == {"candidate now": 1, "in an archived instance": 1}
    assert "cannot be undone" in response.content.decode()
    assert not Enrollment.objects.filter(status="approved").exists()
    done = client.post("/enrollments/bulk/", {"action": "approved", "ids": ids, "confirmed": "1"})
    assert done.context["ok_count"] == 3


def test_empty_bulk_selection_says_what_to_do(dash, workspace):
    response = dash(role="admin").post("/enrollments/bulk/", {"action": "evaluate"}, follow=True)
    html = response.content.decode()
    assert "Select at least one enrollment" in html
    assert "This field is required." not in html


def test_archive_offers_undo(dash, workspace):
    instance = ProgramInstanceFactory(workspace=workspace, name="Pilot")
    client = dash(role="admin")
    response = client.post(f"/instances/{instance.pk}/status/", {"action": "archive"}, follow=True)
    html = response.content.decode()
    assert "Undo" in html and 'value="activate"' in html
    client.post(f"/instances/{instance.pk}/status/", {"action": "activate", "undo": "1"})
    instance.refresh_from_db()
    assert instance.status == "active"
    # The undo is offered once, right after the change.
    assert "Undo" not in client.get(f"/instances/{instance.pk}/").content.decode()
