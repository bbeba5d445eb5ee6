"""Enrollments table, filters, sorting, pagination, bulk actions, CSV export and the detail page."""

import csv
import io

import pytest

from enrollments.models import EnrollmentStatusChange
from events.models import Event
from tests.enrollments.factories import EnrollmentFactory, ProgramInstanceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def instance(workspace):
    return ProgramInstanceFactory(workspace=workspace, eligibility_criteria={"regions": ["NY"]})


def make(workspace, instance, n=1, **kwargs):
    return [
        EnrollmentFactory(workspace=workspace, program_instance=instance, **kwargs)
        for _ in range(n)
    ]


def test_list_is_workspace_scoped(dash, workspace, instance, other_workspace):
    make(workspace, instance, first_name="Mine")
    EnrollmentFactory(workspace=other_workspace, first_name="Foreign", last_name="Person")
    html = dash(role="viewer").get("/enrollments/").content.decode()
    assert "Mine" in html and "Foreign" not in html


def test_filters_search_sort_and_pagination(dash, workspace, instance):
    make(workspace, instance, 3, status="submitted")
    (alice,) = make(workspace, instance, last_name="Aardvark", status="eligible")
    client = dash(role="viewer")
    page = client.get("/enrollments/?status=eligible")
    assert [row.record.pk for row in page.context["table"].page.object_list] == [alice.pk]
    page = client.get("/enrollments/?search=aardvark")
    assert [row.record.pk for row in page.context["table"].page.object_list] == [alice.pk]
    page = client.get("/enrollments/?sort=name")
    assert page.context["table"].page.object_list[0].record.pk == alice.pk
    page = client.get("/enrollments/?perPage=2&page=2")
    assert len(page.context["table"].page.object_list) == 2
    assert page.context["table"].paginator.num_pages == 2


def test_bad_filter_shows_the_filtersets_message(dash, workspace, instance):
    make(workspace, instance)
    response = dash(role="viewer").get("/enrollments/?status=bogus&createdAfter=yesterday")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Check the filters" in html and "createdAfter" in html
    assert len(response.context["table"].page.object_list) == 0


def test_list_constant_queries(dash, workspace, instance, django_assert_max_num_queries):
    client = dash(role="admin")
    make(workspace, instance, 2)
    with django_assert_max_num_queries(30) as few:
        assert client.get("/enrollments/?perPage=100").status_code == 200
    make(workspace, instance, 25, status="submitted")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get("/enrollments/?perPage=100").status_code == 200


def test_viewer_gets_no_bulk_controls(dash, workspace, instance):
    make(workspace, instance)
    assert 'id="bulk-form"' not in dash(role="viewer").get("/enrollments/").content.decode()
    assert 'id="bulk-form"' in dash(role="operator").get("/enrollments/").content.decode()


def test_bulk_evaluate_reports_each_row(dash, workspace, instance, other_workspace):
    ny = make(workspace, instance, state="NY")[0]
    ca = make(workspace, instance, state="CA")[0]
    done = make(workspace, instance, status="approved")[0]
    foreign = EnrollmentFactory(workspace=other_workspace)
    response = dash(role="operator").post(
        "/enrollments/bulk/",
        {"action": "evaluate", "ids": [ny.pk, ca.pk, done.pk, foreign.pk]},
    )
    assert response.status_code == 200
    rows = {row["id"]: row for row in response.context["rows"]}
    assert rows[ny.pk]["ok"] and "eligible" in rows[ny.pk]["message"]
    assert rows[ca.pk]["ok"] and "ineligible" in rows[ca.pk]["message"]
    assert not rows[done.pk]["ok"]
    assert rows[foreign.pk]["message"] == "Not found in this workspace."
    foreign.refresh_from_db()
    assert foreign.status == "candidate"
    ny.refresh_from_db()
    assert ny.status == "eligible"


def test_bulk_approve_needs_review_scope(dash, workspace, instance):
    (enrollment,) = make(workspace, instance, status="submitted")
    operator = dash(role="operator")
    response = operator.post("/enrollments/bulk/", {"action": "approved", "ids": [enrollment.pk]})
    assert response.status_code == 403  # the documented 403 (issue 14), not a redirect
    enrollment.refresh_from_db()
    assert enrollment.status == "submitted"
    admin = dash(role="admin")
    response = admin.post(
        "/enrollments/bulk/", {"action": "approved", "ids": [enrollment.pk], "confirmed": "1"}
    )
    assert response.context["ok_count"] == 1
    enrollment.refresh_from_db()
    assert enrollment.status == "approved"


def test_bulk_reject_needs_reason(dash, workspace, instance):
    (enrollment,) = make(workspace, instance, status="submitted")
    response = dash(role="admin").post(
        "/enrollments/bulk/", {"action": "rejected", "ids": [enrollment.pk]}
    )
    assert response.status_code == 302
    enrollment.refresh_from_db()
    assert enrollment.status == "submitted"


def test_viewer_cannot_bulk(dash, workspace, instance):
    (enrollment,) = make(workspace, instance)
    response = dash(role="viewer").post(
        "/enrollments/bulk/", {"action": "evaluate", "ids": [enrollment.pk]}
    )
    assert response.status_code == 403


def test_csv_export_filters_scopes_and_neutralises(dash, workspace, instance, other_workspace):
    make(workspace, instance, first_name="=HYPERLINK(1)", last_name="+1", status="eligible")
    make(workspace, instance, first_name="Plain", last_name="-2", status="candidate")
    EnrollmentFactory(workspace=other_workspace, first_name="Foreign")
    response = dash(role="viewer").get("/enrollments/export.csv?status=eligible")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content).decode()
    rows = list(csv.DictReader(io.StringIO(body)))
    assert len(rows) == 1
    assert rows[0]["firstName"] == "'=HYPERLINK(1)"
    assert rows[0]["lastName"] == "'+1"
    assert "Foreign" not in body


def test_neutralise_every_dangerous_start():
    from dashboard.exports import neutralise

    for text in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"):
        assert neutralise(text).startswith("'")
    assert neutralise("safe") == "safe"
    assert neutralise(["a", "=b"]) == "'a;=b"  # a `;` locale would split it (tests/security)


def test_detail_shows_timeline_and_allowed_transitions(dash, workspace, instance):
    (enrollment,) = make(workspace, instance, status="submitted")
    operator = dash(role="operator")
    html = operator.get(f"/enrollments/{enrollment.pk}/").content.decode()
    assert 'value="approved"' not in html  # operators cannot review
    admin = dash(role="admin")
    html = admin.get(f"/enrollments/{enrollment.pk}/").content.decode()
    assert 'name="to" value="approved"' in html and 'name="to" value="rejected"' in html
    assert 'name="to" value="unenrolled"' not in html


def test_transition_with_reason_writes_history_and_event(dash, workspace, instance):
    (enrollment,) = make(workspace, instance, status="submitted")
    client = dash(role="admin")
    missing = client.post(f"/enrollments/{enrollment.pk}/transition/", {"to": "rejected"})
    assert missing.status_code == 400
    assert 'id="reason-rejected-error"' in missing.content.decode()
    client.post(
        f"/enrollments/{enrollment.pk}/transition/", {"to": "rejected", "reason": "No permit"}
    )
    enrollment.refresh_from_db()
    assert enrollment.status == "rejected"
    change = EnrollmentStatusChange.objects.for_workspace(workspace).get(enrollment=enrollment)
    assert change.reason == "No permit" and client.user.username in change.actor_label
    assert (
        Event.objects.for_workspace(workspace)
        .filter(type="enrollment.status_changed", enrollment_id=enrollment.pk)
        .exists()
    )
    html = client.get(f"/enrollments/{enrollment.pk}/").content.decode()
    assert "Submitted → Rejected" in html and "No permit" in html


def test_invalid_transition_is_explained(dash, workspace, instance):
    (enrollment,) = make(workspace, instance, status="candidate")
    response = dash(role="admin").post(
        f"/enrollments/{enrollment.pk}/transition/", {"to": "approved"}
    )
    assert response.status_code == 400
    assert "Cannot move an enrollment from candidate to approved" in response.content.decode()


def test_evaluate_button(dash, workspace, instance):
    (enrollment,) = make(workspace, instance, state="NY")
    response = dash(role="operator").post(
        f"/enrollments/{enrollment.pk}/transition/", {"evaluate": "1"}, follow=True
    )
    enrollment.refresh_from_db()
    assert enrollment.status == "eligible"
    assert "Evaluated: eligible" in response.content.decode()


def test_edit_form(dash, workspace, instance):
    (enrollment,) = make(workspace, instance)
    client = dash(role="operator")
    data = {
        "first_name": "New",
        "last_name": "Name",
        "email": "NEW@example.com",
        "tags": "a, b",
        "manufacturer_slugs": "Tesla",
        "device_capacity": "13.5",
    }
    response = client.post(f"/enrollments/{enrollment.pk}/edit/", data)
    assert response.status_code == 302
    enrollment.refresh_from_db()
    assert enrollment.first_name == "New" and enrollment.email == "new@example.com"
    assert enrollment.tags == ["a", "b"] and enrollment.manufacturer_slugs == ["tesla"]
    bad = client.post(f"/enrollments/{enrollment.pk}/edit/", {**data, "email": "nope"})
    assert bad.status_code == 400
    assert 'id="id_email_error"' in bad.content.decode()


def test_viewer_cannot_edit_or_transition(dash, workspace, instance):
    (enrollment,) = make(workspace, instance, status="eligible")
    client = dash(role="viewer")
    html = client.get(f"/enrollments/{enrollment.pk}/").content.decode()
    assert "Save changes" not in html and 'name="to"' not in html
    assert (
        client.post(f"/enrollments/{enrollment.pk}/transition/", {"to": "submitted"}).status_code
        == 403
    )
    assert (
        client.post(f"/enrollments/{enrollment.pk}/edit/", {"first_name": "X"}).status_code == 403
    )


def test_other_workspace_enrollment_is_404(dash, other_workspace):
    foreign = EnrollmentFactory(workspace=other_workspace, status="submitted")
    client = dash(role="owner")
    assert client.get(f"/enrollments/{foreign.pk}/").status_code == 404
    assert (
        client.post(f"/enrollments/{foreign.pk}/transition/", {"to": "approved"}).status_code == 404
    )
    assert client.post(f"/enrollments/{foreign.pk}/edit/", {"first_name": "X"}).status_code == 404
    assert client.post(f"/review/{foreign.pk}/", {"decision": "approved"}).status_code == 404
    foreign.refresh_from_db()
    assert foreign.status == "submitted"


def test_csv_export_constant_queries(dash, workspace, instance, django_assert_max_num_queries):
    client = dash(role="viewer")

    def export():
        response = client.get("/enrollments/export.csv")
        assert response.status_code == 200
        return b"".join(response.streaming_content)

    make(workspace, instance, 2)
    with django_assert_max_num_queries(15) as few:
        export()
    make(workspace, instance, 30)
    with django_assert_max_num_queries(len(few.captured_queries)):
        body = export()
    assert body.count(b"\n") == 33  # header + 32 rows


def test_bulk_back_link_stays_on_the_list(dash, workspace, instance):
    (enrollment,) = make(workspace, instance)
    client = dash(role="operator")
    response = client.post("/enrollments/bulk/", {"action": "evaluate", "back": "//evil.example/x"})
    assert response["Location"] == "/enrollments/"
    response = client.post(
        "/enrollments/bulk/",
        {"action": "evaluate", "ids": [enrollment.pk], "back": "?status=candidate"},
    )
    assert response.context["back"] == "?status=candidate"


def test_more_filters_email_and_manufacturer(dash, workspace, instance):
    (target,) = make(workspace, instance, manufacturer_slugs=["enphase"])
    make(workspace, instance)
    client = dash(role="viewer")
    page = client.get(f"/enrollments/?email={target.email.upper()}")
    assert [r.record.pk for r in page.context["table"].page.object_list] == [target.pk]
    page = client.get("/enrollments/?manufacturer=enphase")
    assert [r.record.pk for r in page.context["table"].page.object_list] == [target.pk]
    assert '<details class="more-filters" open>' in page.content.decode()


def test_create_enrollment_from_instance(dash, workspace, instance):
    client = dash(role="operator")
    assert "Add enrollment" in client.get(f"/instances/{instance.pk}/").content.decode()
    data = {"first_name": "Nia", "last_name": "Lee", "email": "nia@example.com", "state": "ny"}
    response = client.post(f"/instances/{instance.pk}/enrollments/new/", data)
    assert response.status_code == 302
    enrollment = instance.enrollments.get()
    assert enrollment.status == "candidate" and enrollment.state == "NY"
    again = client.post(f"/instances/{instance.pk}/enrollments/new/", data)
    assert again.status_code == 409  # one open enrollment per customer and instance
    assert 'role="alert"' in again.content.decode() or "errorlist" in again.content.decode()


def test_create_enrollment_roles_and_tenancy(dash, workspace, instance, other_workspace):
    assert dash(role="viewer").get(f"/instances/{instance.pk}/enrollments/new/").status_code == 403
    foreign = ProgramInstanceFactory(workspace=other_workspace)
    client = dash(role="owner")
    response = client.post(
        f"/instances/{foreign.pk}/enrollments/new/",
        {"first_name": "A", "last_name": "B", "email": "a@example.com"},
    )
    assert response.status_code == 404
    assert not foreign.enrollments.exists()
