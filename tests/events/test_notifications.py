"""Email notifications on enrollment status changes, rendered and sent by the worker."""

import pytest
from django.core import mail
from django_tasks_db.models import DBTaskResult

from accounts.models import Membership
from events.notifications import DEFAULT_BRAND_COLOR
from tests.events.conftest import make_instance, record_event
from tests.factories import MembershipFactory, UserFactory


@pytest.fixture
def staff(workspace, other_workspace):
    """Who works in the workspace: admins and operators hear about submissions, viewers not."""
    people = {
        "owner": ("owner@utility.test", Membership.Role.OWNER),
        "admin": ("admin@utility.test", Membership.Role.ADMIN),
        "operator": ("operator@utility.test", Membership.Role.OPERATOR),
        "viewer": ("viewer@utility.test", Membership.Role.VIEWER),
    }
    for email, role in people.values():
        MembershipFactory(user=UserFactory(email=email), workspace=workspace, role=role)
    MembershipFactory(user=UserFactory(email=""), workspace=workspace, role="admin")
    MembershipFactory(
        user=UserFactory(email="gone@utility.test", is_active=False),
        workspace=workspace,
        role="admin",
    )
    MembershipFactory(
        user=UserFactory(email="elsewhere@other.test"), workspace=other_workspace, role="admin"
    )
    return people


@pytest.fixture
def instance(workspace):
    return make_instance(
        workspace,
        name="Sunny Rewards",
        logo_url="https://cdn.example.com/sunny.png",
        form_config={"brandColor": "#ff8800"},
    )


def status_changed(workspace, instance, to, previous, **extra):
    enrollment = {
        "id": "enr0000000000000000000001",
        "programInstanceId": instance.pk,
        "firstName": "Suzie",
        "lastName": "Homeowner",
        "email": "suzie.homeowner@example.com",
        "eligibilityStatus": to,
        "eligibilityReason": extra.pop("reason", ""),
        **extra,
    }
    return record_event(
        workspace,
        type="enrollment.status_changed",
        obj=enrollment,
        previous_status=previous,
        program_instance_id=instance.pk,
    )


def by_recipient():
    return {message.to[0]: message for message in mail.outbox}


def test_approval_emails_the_customer_with_the_instance_branding(
    workspace, instance, staff, run_worker
):
    status_changed(
        workspace, instance, "approved", "submitted", enrollmentStartDate="2025-03-01T00:00:00Z"
    )
    run_worker()

    (message,) = mail.outbox
    assert message.to == ["suzie.homeowner@example.com"]
    assert message.subject == "You're enrolled in Sunny Rewards"
    assert "Hello Suzie" in message.body and "approved" in message.body
    assert "2025-03-01" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert "https://cdn.example.com/sunny.png" in html
    assert "#ff8800" in html
    assert "Sunny Rewards" in html


def test_submission_emails_the_customer_and_the_workspace_staff(
    workspace, instance, staff, run_worker
):
    status_changed(workspace, instance, "submitted", "eligible")
    run_worker()

    messages = by_recipient()
    assert set(messages) == {
        "suzie.homeowner@example.com",
        "owner@utility.test",
        "admin@utility.test",
        "operator@utility.test",
    }
    customer = messages["suzie.homeowner@example.com"]
    assert customer.subject == "We received your enrollment in Sunny Rewards"
    review = messages["admin@utility.test"]
    assert review.subject == "New enrollment to review: Suzie Homeowner in Sunny Rewards"
    assert "enr0000000000000000000001" in review.body
    assert "/enrollments/enr0000000000000000000001/" in review.body  # the dashboard review link
    assert "suzie.homeowner@example.com" in review.body
    assert "#ff8800" in review.alternatives[0][0]


@pytest.mark.parametrize(
    ("to", "previous", "subject"),
    [
        ("rejected", "submitted", "Your enrollment in Sunny Rewards was not approved"),
        ("unenrolled", "approved", "You have been unenrolled from Sunny Rewards"),
    ],
)
def test_rejection_and_unenrollment_email_the_customer_with_the_reason(
    workspace, instance, staff, run_worker, to, previous, subject
):
    status_changed(workspace, instance, to, previous, reason="Failed verification")
    run_worker()
    (message,) = mail.outbox
    assert message.to == ["suzie.homeowner@example.com"]
    assert message.subject == subject
    assert "Reason: Failed verification" in message.body
    assert "Failed verification" in message.alternatives[0][0]


def test_other_status_changes_send_nothing(workspace, instance, staff, run_worker):
    status_changed(workspace, instance, "eligible", "candidate")
    status_changed(workspace, instance, "ineligible", "candidate")
    assert not DBTaskResult.objects.filter(task_path__endswith="enrollment_status_notify")
    run_worker()
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("switches", "expected"),
    [
        (
            {"customer": False},
            {"owner@utility.test", "admin@utility.test", "operator@utility.test"},
        ),
        ({"staff": False}, {"suzie.homeowner@example.com"}),
        ({"customer": False, "staff": False}, set()),
    ],
)
def test_the_instance_can_switch_notifications_off(
    workspace, staff, run_worker, switches, expected
):
    instance = make_instance(workspace, form_config={"notifications": switches})
    status_changed(workspace, instance, "submitted", "eligible")
    run_worker()
    assert set(by_recipient()) == expected


def test_the_setting_switches_every_notification_off(
    workspace, instance, staff, run_worker, settings
):
    settings.NOTIFICATIONS_ENABLED = False
    status_changed(workspace, instance, "submitted", "eligible")
    run_worker()
    assert mail.outbox == []


def test_a_rolled_back_status_change_sends_no_email(workspace, instance, staff, run_worker):
    from django.db import transaction

    class Boom(Exception):
        pass

    with pytest.raises(Boom), transaction.atomic():
        status_changed(workspace, instance, "approved", "submitted")
        raise Boom
    run_worker()
    assert mail.outbox == []


def test_an_unsafe_brand_colour_is_not_put_in_the_html(workspace, staff, run_worker):
    instance = make_instance(
        workspace, form_config={"brandColor": "red;background:url(https://evil.test/x)"}
    )
    status_changed(workspace, instance, "approved", "submitted")
    run_worker()
    html = mail.outbox[0].alternatives[0][0]
    assert "evil.test" not in html
    assert DEFAULT_BRAND_COLOR in html


def test_customer_data_is_escaped_in_html(workspace, instance, run_worker):
    status_changed(workspace, instance, "approved", "submitted", firstName="<script>x</script>")
    run_worker()
    message = mail.outbox[0]
    assert "<script>" not in message.alternatives[0][0]
    assert "Hello <script>x</script>" in message.body  # plain text is not HTML


def test_a_retried_task_sends_each_email_once(workspace, instance, staff, run_worker):
    """The task runs twice for one event (a retry after a crash, or a duplicate enqueue): each
    recipient still gets one email."""
    from events.notifications import enrollment_status_notifications_send

    event = status_changed(workspace, instance, "submitted", "eligible")
    run_worker()
    assert len(mail.outbox) == 4
    assert enrollment_status_notifications_send(event_id=event.pk) == 0
    assert enrollment_status_notifications_send(event_id=event.pk) == 0
    assert len(mail.outbox) == 4
    assert sorted(m.to[0] for m in mail.outbox) == sorted(set(m.to[0] for m in mail.outbox))


def test_a_failed_send_is_sent_by_the_retry(workspace, instance, staff, monkeypatch):
    """A send that fails is not marked, so the retry sends it (and only it)."""
    from django.core.mail import EmailMultiAlternatives

    from events.notifications import enrollment_status_notifications_send

    event = status_changed(workspace, instance, "submitted", "eligible")
    original = EmailMultiAlternatives.send
    calls = {"n": 0}

    def flaky(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError("SMTP connection lost")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(EmailMultiAlternatives, "send", flaky)
    with pytest.raises(OSError):
        enrollment_status_notifications_send(event_id=event.pk)
    assert len(mail.outbox) == 1
    assert enrollment_status_notifications_send(event_id=event.pk) == 3
    assert len(mail.outbox) == 4
    assert len({m.to[0] for m in mail.outbox}) == 4
