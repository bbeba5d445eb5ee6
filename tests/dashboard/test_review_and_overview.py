"""The review queue (in-place approve/reject with htmx) and the overview's numbers and charts."""

import pytest

from enrollments.services import enrollment_transition
from tests.enrollments.factories import EnrollmentFactory, ProgramInstanceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def instance(workspace):
    return ProgramInstanceFactory(workspace=workspace, name="Battery Rebate")


def submitted(workspace, instance, **kwargs):
    """A submitted enrollment with its history row (so the queue knows when it was submitted)."""
    enrollment = EnrollmentFactory(
        workspace=workspace, program_instance=instance, status="eligible", **kwargs
    )
    return enrollment_transition(enrollment=enrollment, to="submitted", actor=None)


@pytest.mark.parametrize(("role", "status"), [("viewer", 403), ("operator", 403), ("admin", 200)])
def test_queue_needs_review_scope(dash, role, status):
    assert dash(role=role).get("/review/").status_code == status


def test_queue_lists_submitted_oldest_first(dash, workspace, instance, other_workspace):
    first = submitted(workspace, instance, last_name="First")
    second = submitted(workspace, instance, last_name="Second")
    EnrollmentFactory(workspace=workspace, program_instance=instance, status="eligible")
    EnrollmentFactory(workspace=other_workspace, status="submitted", last_name="Foreign")
    response = dash(role="admin").get("/review/")
    assert [e.pk for e in response.context["enrollments"]] == [first.pk, second.pk]
    assert "Foreign" not in response.content.decode()


def test_queue_constant_queries(dash, workspace, instance, django_assert_max_num_queries):
    client = dash(role="admin")
    submitted(workspace, instance)
    with django_assert_max_num_queries(20) as few:
        assert client.get("/review/").status_code == 200
    for _ in range(10):
        submitted(workspace, instance)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get("/review/").status_code == 200


def test_approve_in_place_with_htmx(dash, workspace, instance):
    enrollment = submitted(workspace, instance)
    response = dash(role="admin").post(
        f"/review/{enrollment.pk}/", {"decision": "approved"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith(f'<tr id="review-{enrollment.pk}"')
    assert "Approved" in html and "<html" not in html
    enrollment.refresh_from_db()
    assert enrollment.status == "approved" and enrollment.enrollment_start_date is not None


def test_reject_needs_reason_and_keeps_row_open(dash, workspace, instance):
    enrollment = submitted(workspace, instance)
    client = dash(role="admin")
    response = client.post(
        f"/review/{enrollment.pk}/", {"decision": "rejected"}, HTTP_HX_REQUEST="true"
    )
    assert "Give a reason to reject" in response.content.decode()
    enrollment.refresh_from_db()
    assert enrollment.status == "submitted"
    client.post(
        f"/review/{enrollment.pk}/",
        {"decision": "rejected", "reason": "Outside territory"},
        HTTP_HX_REQUEST="true",
    )
    enrollment.refresh_from_db()
    assert enrollment.status == "rejected" and enrollment.eligibility_reason == "Outside territory"


def test_decision_without_javascript_redirects_back(dash, workspace, instance):
    enrollment = submitted(workspace, instance)
    client = dash(role="admin")
    response = client.post(f"/review/{enrollment.pk}/", {"decision": "approved"})
    assert response.status_code == 302 and response["Location"] == "/review/"
    again = client.post(f"/review/{enrollment.pk}/", {"decision": "approved"}, follow=True)
    assert "already approved" in again.content.decode()


def test_operator_cannot_decide(dash, workspace, instance):
    enrollment = submitted(workspace, instance)
    response = dash(role="operator").post(f"/review/{enrollment.pk}/", {"decision": "approved"})
    assert response.status_code == 403
    enrollment.refresh_from_db()
    assert enrollment.status == "submitted"


def test_overview_numbers_and_charts(dash, workspace, instance, other_workspace):
    for status, n in (("candidate", 4), ("eligible", 1), ("submitted", 2), ("approved", 1)):
        for _ in range(n):
            EnrollmentFactory(workspace=workspace, program_instance=instance, status=status)
    EnrollmentFactory(workspace=other_workspace, status="approved")
    response = dash(role="viewer").get("/")
    context = response.context
    assert context["total"] == 8
    assert context["review_queue"] == 2
    funnel = {bar.label: (bar.value, bar.note) for bar in context["funnel"]["bars"]}
    assert funnel == {
        "candidate": (8, ""),
        "eligible": (4, "50%"),
        "submitted": (3, "75%"),
        "approved": (1, "33%"),
    }
    assert context["created_chart"]["totals"]["new"] == 8
    html = response.content.decode()
    assert html.count("<svg") >= 3 and "Battery Rebate" in html


def test_overview_constant_queries(dash, workspace, django_assert_max_num_queries):
    client = dash(role="viewer")
    ProgramInstanceFactory(workspace=workspace)
    with django_assert_max_num_queries(20) as few:
        assert client.get("/").status_code == 200
    for _ in range(5):
        EnrollmentFactory(
            workspace=workspace, program_instance=ProgramInstanceFactory(workspace=workspace)
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get("/").status_code == 200


def test_expired_session_on_htmx_asks_for_a_full_page_login(workspace, instance):
    from django.test import Client

    enrollment = submitted(workspace, instance)
    response = Client().post(
        f"/review/{enrollment.pk}/", {"decision": "approved"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert response["HX-Redirect"].startswith("/accounts/login/")


def test_decided_row_keeps_submission_time(dash, workspace, instance):
    enrollment = submitted(workspace, instance)
    response = dash(role="admin").post(
        f"/review/{enrollment.pk}/", {"decision": "approved"}, HTTP_HX_REQUEST="true"
    )
    assert "ago</time>" in response.content.decode()
