"""Issue 13 point 5 in a real browser: irreversible actions ask first (a <dialog> from the
static JS, or a confirmation page for bulk actions) and archiving can be undone."""

import pytest
from playwright.sync_api import expect

from accounts.models import ApiKey, Membership
from enrollments.models import Enrollment
from instances.models import ProgramInstance
from tests.enrollments.factories import EnrollmentFactory, ProgramInstanceFactory
from tests.factories import MembershipFactory, UserFactory, make_api_key

pytestmark = pytest.mark.django_db(transaction=True)


def test_revoke_key_and_remove_member_ask_first(live_server, page, signed_in, workspace, shoot):
    key, _ = make_api_key(workspace, name="Billing sync")
    MembershipFactory(user=UserFactory(username="sam"), workspace=workspace, role="viewer")
    signed_in(role="owner")
    page.goto(f"{live_server.url}/settings/api-keys/")
    page.get_by_role("button", name="Revoke Billing sync").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("cannot be undone")
    shoot(page, "confirm-revoke-key")
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()
    assert ApiKey.objects.get(pk=key.pk).revoked_at is None
    page.get_by_role("button", name="Revoke Billing sync").click()
    dialog.get_by_role("button", name="Revoke key").click()
    expect(page.locator(".messages")).to_contain_text("Revoked")
    assert ApiKey.objects.get(pk=key.pk).revoked_at is not None

    page.goto(f"{live_server.url}/settings/members/")
    page.get_by_role("button", name="Remove sam").click()
    expect(dialog).to_contain_text("loses access")
    dialog.get_by_role("button", name="Remove member").click()
    expect(page.locator(".messages")).to_contain_text("Removed sam")
    assert not Membership.objects.filter(user__username="sam").exists()


def test_archive_confirms_then_undo(live_server, page, signed_in, workspace):
    instance = ProgramInstanceFactory(workspace=workspace, name="Pilot 2025")
    EnrollmentFactory(workspace=workspace, program_instance=instance)
    signed_in(role="admin")
    page.goto(f"{live_server.url}/instances/{instance.pk}/")
    page.get_by_role("button", name="Archive").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("1 enrollment become read-only")
    dialog.get_by_role("button", name="Archive").click()
    expect(page.locator("h1 .status")).to_have_text("Archived")
    page.get_by_role("button", name="Undo (make it active again)").click()
    expect(page.locator("h1 .status")).to_have_text("Active")
    assert ProgramInstance.objects.get(pk=instance.pk).status == "active"


def test_unenroll_asks_first(live_server, page, signed_in, workspace):
    enrollment = EnrollmentFactory(workspace=workspace, status="approved", last_name="Ito")
    signed_in(role="admin")
    page.goto(f"{live_server.url}/enrollments/{enrollment.pk}/")
    page.get_by_label("Reason to unenroll").fill("Moved away")
    page.get_by_role("button", name="Unenroll").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("cannot be undone")
    dialog.get_by_role("button", name="Unenroll").click()
    expect(page.locator("h1 .status")).to_have_text("Unenrolled")


def test_bulk_approve_has_a_confirmation_step(live_server, page, signed_in, workspace, shoot):
    instance = ProgramInstanceFactory(workspace=workspace, name="Smart Thermostats")
    for status in ("submitted", "submitted", "candidate"):
        EnrollmentFactory(workspace=workspace, program_instance=instance, status=status)
    signed_in(role="admin")
    page.goto(f"{live_server.url}/enrollments/")
    page.get_by_label("Select all on this page").check()
    page.get_by_label("With the selected:").select_option("approved")
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_role("heading", name="Approve 3 enrollments?")).to_be_visible()
    expect(page.locator("[data-impact]")).to_contain_text("2 will be approved")
    expect(page.locator("[data-refused]")).to_contain_text("1 candidate now")
    shoot(page, "confirm-bulk-approve")
    assert not Enrollment.objects.filter(status="approved").exists()
    page.get_by_role("button", name="Approve 2 enrollments").click()
    expect(page.get_by_role("heading")).to_contain_text("2 of 3 done")
    assert Enrollment.objects.filter(status="approved").count() == 2
