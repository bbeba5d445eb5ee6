"""Issue 13 points 1 and 2 in a real browser: an undecidable review row disappears or refreshes
to its real state, and the eligibility checklist with "Evaluate again"."""

import pytest
from playwright.sync_api import expect

from enrollments.services import enrollment_transition
from instances.services import instance_set_status, instance_update
from tests.enrollments.factories import EnrollmentFactory, ProgramInstanceFactory

pytestmark = pytest.mark.django_db(transaction=True)


def submitted(workspace, instance, last_name):
    e = EnrollmentFactory(
        workspace=workspace, program_instance=instance, status="eligible", last_name=last_name
    )
    return enrollment_transition(enrollment=e, to="submitted", actor=None)


def test_undecidable_rows_leave_the_queue(live_server, page, signed_in, workspace, shoot):
    live = ProgramInstanceFactory(workspace=workspace, name="Home Battery Rebate")
    old = ProgramInstanceFactory(workspace=workspace, name="Old Pilot")
    keep = submitted(workspace, live, "Adams")
    elsewhere = submitted(workspace, live, "Baker")
    submitted(workspace, old, "Cole")
    instance_set_status(instance=old, status="archived")
    signed_in(role="admin")
    page.goto(f"{live_server.url}/review/")
    expect(page.get_by_role("heading", name="Review queue")).to_contain_text("2 waiting")
    expect(page.get_by_text("Suzie Cole")).to_have_count(0)
    # Baker is approved through another door while the page is open; Reject is then refused
    # and the row shows what really happened, without buttons.
    enrollment_transition(enrollment=elsewhere, to="approved", actor=None)
    page.get_by_label("Reason to reject Suzie Baker").fill("Duplicate")
    page.get_by_role("button", name="Reject Suzie Baker").click()
    row = page.locator(f"#review-{elsewhere.pk}")
    expect(row.get_by_role("status")).to_contain_text("Now approved")
    expect(row.get_by_role("button")).to_have_count(0)
    expect(page.get_by_role("button", name="Approve Suzie Adams")).to_be_visible()
    shoot(page, "review-refused-row")
    assert keep.pk


def test_eligibility_checklist_and_evaluate_again(live_server, page, signed_in, workspace, shoot):
    instance = ProgramInstanceFactory(
        workspace=workspace,
        name="NY Batteries",
        eligibility_criteria={"regions": ["NY"], "minimumCapacity": 5},
    )
    enrollment = EnrollmentFactory(
        workspace=workspace,
        program_instance=instance,
        state="NJ",
        device_capacity=3,
        last_name="Diaz",
    )
    signed_in(role="admin")
    page.goto(f"{live_server.url}/enrollments/{enrollment.pk}/")
    checklist = page.locator("[data-eligibility]")
    expect(checklist.locator("li.fail")).to_have_count(2)
    expect(checklist.locator("[data-rule=regions]")).to_contain_text("NJ")
    expect(checklist.locator("[data-rule=regions]")).to_contain_text("one of NY")
    expect(checklist.locator("[data-rule=minimumCapacity]")).to_contain_text("at least 5 kWh")
    checklist.get_by_role("button", name="Evaluate eligibility").click()
    expect(page.locator("h1 .status")).to_have_text("Ineligible")
    # The operator fixes the address and capacity: the verdict is now stale, and the page says
    # plainly why it cannot simply be evaluated again.
    page.get_by_label("State").fill("NY")
    page.get_by_label("Device capacity (kWh)").fill("8")
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator("[data-stale]")).to_contain_text("would be eligible")
    expect(page.locator("[data-evaluate-blocked]")).to_contain_text("rules change")
    expect(checklist.locator("li.pass")).to_have_count(2)
    shoot(page, "enrollment-eligibility-stale")
    # The rules change (a new criteria version): now it can be evaluated again.
    instance_update(
        instance=instance,
        data={"eligibility_criteria": {"regions": ["NY", "NJ"], "minimumCapacity": 5}},
    )
    page.reload()
    page.get_by_role("button", name="Evaluate again").click()
    expect(page.locator("h1 .status")).to_have_text("Eligible")
    expect(page.locator("[data-stale]")).to_have_count(0)
    shoot(page, "enrollment-eligibility-checklist")
