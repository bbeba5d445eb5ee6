"""The transition table walked through every door.

For every row of `enrollments.transitions.TABLE`: the one-row service, the API, the dashboard
(detail buttons, reason box, bulk action list), the admin action and the bulk service agree on
whether the move is possible, which scope it needs, whether a reason is required, and the
label people see; the notifications sent are the row's.
"""

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.core import mail
from django.test import Client

from accounts import scopes as scope_names
from accounts.tenancy import Tenant
from config.errors import DomainValidationError, ForbiddenError
from dashboard.forms.enrollments import bulk_action_choices
from enrollments import transitions
from enrollments.models import Enrollment, EnrollmentStatus, EnrollmentStatusChange
from enrollments.services import enrollment_bulk_transition, enrollment_transition
from enrollments.transitions import TABLE, allowed_targets, transition_for
from events.models import Event
from tests.enrollments.factories import EnrollmentFactory, ProgramInstanceFactory
from tests.events.conftest import run_worker  # noqa: F401  (fixture)
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(workspace):
    """A signed-in dashboard client (Django's test Client) of `workspace` with a role."""

    def make(role="operator"):
        user = UserFactory()
        MembershipFactory(user=user, workspace=workspace, role=role)
        client = Client()
        client.force_login(user)
        return client

    return make


ROWS = [pytest.param(row, id=f"{row.source}-{row.target}") for row in TABLE]
REASON = "Checked against the program rules"
# A role that holds the row's scope and one that does not.
ROLE_WITH = {scope_names.ENROLLMENTS_WRITE: "operator", scope_names.ENROLLMENTS_REVIEW: "admin"}
ROLE_WITHOUT = {scope_names.ENROLLMENTS_WRITE: "viewer", scope_names.ENROLLMENTS_REVIEW: "operator"}
OTHER_SCOPE = {
    scope_names.ENROLLMENTS_WRITE: scope_names.ENROLLMENTS_REVIEW,
    scope_names.ENROLLMENTS_REVIEW: scope_names.ENROLLMENTS_WRITE,
}


def ready(workspace, row) -> Enrollment:
    """An enrollment in the row's source status whose instance's criteria changed since its
    evaluation (so the reopening rows' condition holds)."""
    instance = ProgramInstanceFactory(workspace=workspace, criteria_version=2, name="Sunny")
    return EnrollmentFactory(
        workspace=workspace,
        program_instance=instance,
        status=row.source,
        evaluated_criteria_version=1,
    )


def actor(workspace, *scopes) -> Tenant:
    return Tenant(workspace=workspace, scopes=frozenset({scope_names.ENROLLMENTS_READ, *scopes}))


def status_of(enrollment) -> str:
    return Enrollment.objects.values_list("status", flat=True).get(pk=enrollment.pk)


def test_the_table_is_consistent():
    pairs = [(row.source, row.target) for row in TABLE]
    assert len(pairs) == len(set(pairs))
    for row in TABLE:
        assert row.source in EnrollmentStatus.values and row.target in EnrollmentStatus.values
        assert row.scope in scope_names.WORKSPACE_SCOPES and row.label and row.done
        assert not row.notify_customer or row.customer_subject
        assert not row.notify_staff or row.staff_subject
        # Rows sharing a target share its policy (bulk actions know only the target).
        first = transitions.transition_to(row.target)
        for name in ("scope", "reason_required", "notify_customer", "notify_staff", "label"):
            assert getattr(row, name) == getattr(first, name), (row, name)
    assert {EnrollmentStatus.REJECTED} == transitions.REASON_REQUIRED_TARGETS


def test_the_models_fsm_graph_is_the_table():
    field = Enrollment._meta.get_field("status")
    graph = {(str(t.source), str(t.target)) for t in field.get_all_transitions(Enrollment)}
    assert graph == {(row.source, row.target) for row in TABLE}
    for row in TABLE:
        method = getattr(Enrollment, row.method)
        assert row.target == str(method._django_fsm.transitions[row.source].target)


@pytest.mark.parametrize("row", ROWS)
def test_service_door(workspace, row):
    enrollment = ready(workspace, row)
    assert row.target in enrollment.allowed_transitions
    assert row.target in allowed_targets(enrollment, {row.scope})
    assert row.target not in allowed_targets(enrollment, {OTHER_SCOPE[row.scope]})
    with pytest.raises(ForbiddenError, match=row.scope):
        enrollment_transition(
            enrollment=enrollment, to=row.target, actor=actor(workspace), reason=REASON
        )
    if row.reason_required:
        with pytest.raises(DomainValidationError) as refused:
            enrollment_transition(
                enrollment=enrollment, to=row.target, actor=actor(workspace, row.scope), reason=" "
            )
        assert "reason" in refused.value.details
        assert status_of(enrollment) == row.source
    enrollment_transition(
        enrollment=enrollment,
        to=row.target,
        actor=actor(workspace, row.scope),
        reason=REASON if row.reason_required else "",
    )
    assert status_of(enrollment) == row.target
    change = EnrollmentStatusChange.objects.get(enrollment=enrollment)
    assert (change.from_status, change.to_status) == (row.source, row.target)


@pytest.mark.parametrize("row", ROWS)
def test_notifications_are_the_rows(workspace, row, run_worker):  # noqa: F811
    MembershipFactory(user=UserFactory(email="staff@utility.test"), workspace=workspace)
    enrollment = ready(workspace, row)
    enrollment_transition(enrollment=enrollment, to=row.target, actor=None, reason=REASON)
    assert Event.objects.filter(type="enrollment.status_changed", enrollment_id=enrollment.pk)
    run_worker()
    subjects = {message.to[0]: message.subject for message in mail.outbox}
    customer = row.customer_subject.format(program="Sunny")
    staff = row.staff_subject.format(
        name=f"{enrollment.first_name} {enrollment.last_name}", program="Sunny"
    )
    assert subjects.get(enrollment.email) == (customer if row.notify_customer else None)
    assert subjects.get("staff@utility.test") == (staff if row.notify_staff else None)
    if row.notify_customer and row.reason_required:
        assert REASON in mail.outbox[0].body


@pytest.mark.parametrize("row", ROWS)
def test_api_door(api_client_for, workspace, row):
    enrollment = ready(workspace, row)
    url = f"/api/v1/enrollments/{enrollment.pk}"
    permitted = api_client_for(workspace, scopes=[scope_names.ENROLLMENTS_READ, row.scope])
    other = api_client_for(workspace, scopes=[scope_names.ENROLLMENTS_READ, OTHER_SCOPE[row.scope]])
    assert row.target in permitted.get(url).json()["allowedTransitions"]
    refused = other.post(f"{url}/transitions", {"to": row.target, "reason": REASON}, format="json")
    assert refused.status_code == 403 and row.scope in refused.json()["message"]
    bare = permitted.post(f"{url}/transitions", {"to": row.target}, format="json")
    if row.reason_required:
        assert bare.status_code == 400, bare.content
        assert bare.json()["code"] == "VALIDATION_ERROR"
        assert "reason" in bare.json()["details"]
        moved = permitted.post(
            f"{url}/transitions", {"to": row.target, "reason": REASON}, format="json"
        )
        assert moved.status_code == 200
    else:
        assert bare.status_code == 200, bare.content
    assert permitted.get(url).json()["eligibilityStatus"] == row.target
    # Moving again is a 409 whose details.allowed are the table's possible targets now.
    again = permitted.post(f"{url}/transitions", {"to": row.target}, format="json")
    assert again.status_code == 409
    assert set(again.json()["details"]["allowed"]) <= set(transitions.targets_from(row.target))


@pytest.mark.parametrize("row", ROWS)
def test_dashboard_door(member, workspace, row):
    enrollment = ready(workspace, row)
    page = f"/enrollments/{enrollment.pk}/"
    hidden = f'name="to" value="{row.target}"'
    without = member(role=ROLE_WITHOUT[row.scope]).get(page).content.decode()
    assert hidden not in without
    client = member(role=ROLE_WITH[row.scope])
    html = client.get(page).content.decode()
    assert hidden in html and f">{row.label}</button>" in html
    assert (f'id="reason-{row.target}"' in html) == row.reason_asked
    assert row.reason_prompt in html
    if row.reason_required:
        response = client.post(f"{page}transition/", {"to": row.target})
        assert response.status_code == 400
        assert "Give a reason" in response.content.decode()
        assert status_of(enrollment) == row.source
    response = client.post(f"{page}transition/", {"to": row.target, "reason": REASON})
    assert response.status_code == 302
    assert status_of(enrollment) == row.target
    # The bulk action list offers the row exactly when the table says so, to who may.
    choices = bulk_action_choices(actor(workspace, row.scope))
    assert ((row.target, row.label) in choices) == row.bulk
    assert (row.target, row.label) not in bulk_action_choices(actor(workspace))


@pytest.mark.parametrize("row", ROWS)
def test_dashboard_bulk_door(member, workspace, row):
    if not row.bulk:
        pytest.skip("not offered as a bulk action (the table says so)")
    enrollment = ready(workspace, row)
    client = member(role=ROLE_WITH[row.scope])
    data = {"action": row.target, "ids": [enrollment.pk], "back": "?"}
    if row.reason_required:
        response = client.post("/enrollments/bulk/", data, follow=True)
        assert any("Give a reason" in str(m) for m in get_messages(response.wsgi_request))
        assert status_of(enrollment) == row.source
    response = client.post("/enrollments/bulk/", {**data, "reason": REASON, "confirmed": "1"})
    assert response.status_code == 200
    assert status_of(enrollment) == row.target


@pytest.mark.parametrize("row", ROWS)
def test_bulk_service_door(workspace, row):
    enrollment = ready(workspace, row)
    with pytest.raises(ForbiddenError):
        enrollment_bulk_transition(
            enrollments=[enrollment], to=row.target, actor=actor(workspace), reason=REASON
        )
    if row.reason_required:
        with pytest.raises(DomainValidationError):
            enrollment_bulk_transition(
                enrollments=[enrollment], to=row.target, actor=actor(workspace, row.scope)
            )
    (result,) = enrollment_bulk_transition(
        enrollments=[enrollment], to=row.target, actor=actor(workspace, row.scope), reason=REASON
    )
    assert result.ok, result.message
    assert status_of(enrollment) == row.target


def staff_admin(workspace, role) -> Client:
    user = UserFactory(is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="enrollments"))
    MembershipFactory(user=user, workspace=workspace, role=role)
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("row", ROWS)
def test_admin_door(workspace, row):
    enrollment = ready(workspace, row)
    changelist = "/admin/enrollments/enrollment/"
    action = {"action": f"move_to_{row.target}", "_selected_action": [enrollment.pk]}
    client = staff_admin(workspace, ROLE_WITH[row.scope])
    page = client.get(changelist).content.decode()
    assert f'value="move_to_{row.target}"' in page and f"{row.label} selected" in page
    refused = staff_admin(workspace, ROLE_WITHOUT[row.scope]).post(
        changelist, {**action, "reason": REASON}, follow=True
    )
    assert any(row.scope in str(m) for m in get_messages(refused.wsgi_request))
    assert status_of(enrollment) == row.source
    if row.reason_required:
        response = client.post(changelist, action, follow=True)
        assert any("Give a reason" in str(m) for m in get_messages(response.wsgi_request))
        assert status_of(enrollment) == row.source
    client.post(changelist, {**action, "reason": REASON})
    assert status_of(enrollment) == row.target
    reason = EnrollmentStatusChange.objects.get(enrollment=enrollment).reason
    assert reason == REASON


def test_refused_pairs_agree_on_every_door(api, member, workspace):
    """A move absent from the table: 409 on the API with the table's targets, no button."""
    enrollment = ready(workspace, transition_for("submitted", "approved"))
    response = api.post(
        f"/api/v1/enrollments/{enrollment.pk}/transitions", {"to": "eligible"}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["details"]["allowed"] == ["approved", "rejected"]
    html = member(role="admin").get(f"/enrollments/{enrollment.pk}/").content.decode()
    assert 'name="to" value="eligible"' not in html
