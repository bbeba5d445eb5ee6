"""Staff admin for enrollments (scoped lists, search, history inline, bulk actions through the
service) and the demo data (statuses, consistent history, idempotent)."""

import pytest
from django.contrib.messages import get_messages

from accounts.demo import seed as seed_accounts
from enrollments import demo
from enrollments.models import Enrollment, EnrollmentStatusChange
from enrollments.services import enrollment_transition
from tests.enrollments.factories import EnrollmentFactory, ProgramInstanceFactory
from tests.factories import MembershipFactory, UserFactory

CHANGELIST = "/admin/enrollments/enrollment/"


@pytest.fixture
def superuser_client(client, db):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def staff_client(client, workspace):
    """Staff, not superuser, admin of `workspace` only, with the model permissions."""
    from django.contrib.auth.models import Permission

    user = UserFactory(username="staffer", is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="enrollments"))
    MembershipFactory(user=user, workspace=workspace, role="admin")
    client.force_login(user)
    return client


def _messages(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_changelist_search_and_status_filter(superuser_client, workspace):
    a = EnrollmentFactory(workspace=workspace, first_name="Zebulon", status="approved")
    b = EnrollmentFactory(workspace=workspace, reference_id="REF-XYZ", status="submitted")
    page = superuser_client.get(CHANGELIST, {"q": "zebulon"}).content.decode()
    assert a.email in page and b.email not in page
    page = superuser_client.get(CHANGELIST, {"q": "REF-XYZ"}).content.decode()
    assert b.email in page and a.email not in page
    page = superuser_client.get(CHANGELIST, {"status__exact": "submitted"}).content.decode()
    assert b.email in page and a.email not in page


def test_change_page_shows_history_read_only(superuser_client, workspace):
    enrollment = EnrollmentFactory(workspace=workspace)
    enrollment_transition(enrollment=enrollment, to="eligible", actor=None, reason="Looks fine")
    response = superuser_client.get(f"{CHANGELIST}{enrollment.pk}/change/")
    assert response.status_code == 200
    assert "Looks fine" in response.content.decode()


def test_bulk_action_reports_each_row(superuser_client, workspace):
    ready = EnrollmentFactory(workspace=workspace, status="submitted")
    early = EnrollmentFactory(workspace=workspace, status="candidate")
    response = superuser_client.post(
        CHANGELIST,
        {"action": "move_to_approved", "_selected_action": [ready.pk, early.pk]},
        follow=True,
    )
    assert response.status_code == 200
    messages = _messages(response)
    assert any("1 enrollment" in m for m in messages)
    assert any(early.pk in m and "refused" in m for m in messages)
    ready.refresh_from_db()
    early.refresh_from_db()
    assert (ready.status, early.status) == ("approved", "candidate")
    change = EnrollmentStatusChange.objects.get(enrollment=ready)
    assert change.actor_label == "user root"


def test_evaluate_action(superuser_client, workspace):
    instance = ProgramInstanceFactory(workspace=workspace, eligibility_criteria={"regions": ["CA"]})
    enrollment = EnrollmentFactory(workspace=workspace, program_instance=instance, state="NY")
    superuser_client.post(
        CHANGELIST, {"action": "evaluate_selected", "_selected_action": [enrollment.pk]}
    )
    enrollment.refresh_from_db()
    assert enrollment.status == "ineligible"


def test_staff_see_only_their_workspaces(staff_client, workspace, other_workspace):
    mine = EnrollmentFactory(workspace=workspace)
    theirs = EnrollmentFactory(workspace=other_workspace)
    page = staff_client.get(CHANGELIST).content.decode()
    assert mine.email in page and theirs.email not in page
    assert staff_client.get(f"{CHANGELIST}{theirs.pk}/change/").status_code in (302, 404)
    for path in ("/admin/enrollments/customer/", "/admin/enrollments/enrollmentstatuschange/"):
        assert staff_client.get(path).status_code == 200


def test_admin_actions_respect_member_scopes(client, workspace):
    """An operator (no enrollments:review) cannot approve from the admin either."""
    from django.contrib.auth.models import Permission

    user = UserFactory(username="op", is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="enrollments"))
    MembershipFactory(user=user, workspace=workspace, role="operator")
    client.force_login(user)
    enrollment = EnrollmentFactory(workspace=workspace, status="submitted")
    response = client.post(
        CHANGELIST,
        {"action": "move_to_approved", "_selected_action": [enrollment.pk]},
        follow=True,
    )
    assert any("enrollments:review" in m for m in _messages(response))
    enrollment.refresh_from_db()
    assert enrollment.status == "submitted"


def test_history_of_deleted_enrollment_is_found_by_id(superuser_client, workspace):
    from enrollments.services import enrollment_delete

    enrollment = EnrollmentFactory(workspace=workspace)
    enrollment_transition(enrollment=enrollment, to="eligible", actor=None)
    enrollment_delete(enrollment=enrollment, actor=None)
    page = superuser_client.get(
        "/admin/enrollments/enrollmentstatuschange/", {"q": enrollment.pk}
    ).content.decode()
    assert enrollment.pk in page


def test_demo_seed_without_instances_does_nothing(db):
    context = seed_accounts()
    demo.seed(context)
    assert not Enrollment.objects.exists()


# The truth of the demo data (issue 13 point 11) is tested in tests/enrollments/test_demo_truth.py.
