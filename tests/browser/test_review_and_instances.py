"""The review queue decides in place (no reload), and an instance is created through the editor."""

import pytest
from playwright.sync_api import expect

from enrollments.models import Enrollment
from enrollments.services import enrollment_transition
from instances.models import ProgramInstance
from tests.enrollments.factories import EnrollmentFactory, ProgramFactory, ProgramInstanceFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_review_queue_approves_in_place(live_server, page, signed_in, workspace, shoot):
    instance = ProgramInstanceFactory(workspace=workspace, name="Home Battery Rebate")
    people = []
    for last in ("Adams", "Baker", "Chen"):
        e = EnrollmentFactory(
            workspace=workspace, program_instance=instance, status="eligible", last_name=last
        )
        people.append(enrollment_transition(enrollment=e, to="submitted", actor=None))
    signed_in(role="admin")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Review").click()
    expect(page.get_by_role("heading", name="Review queue")).to_be_visible()
    shoot(page, "03-review-queue")
    # A marker on the window survives only if the page is not reloaded.
    page.evaluate("window.__noReload = true")
    page.get_by_role("button", name="Approve Suzie Adams").click()
    first_row = page.locator(f"#review-{people[0].pk}")
    expect(first_row.get_by_role("status")).to_have_text("Approved")
    # Keyboard: the next row is selected; "r" focuses its reject reason, Enter rejects.
    expect(page.locator(f"#review-{people[1].pk}")).to_be_focused()
    page.keyboard.press("r")
    expect(page.get_by_label("Reason to reject Suzie Baker")).to_be_focused()
    page.keyboard.type("Outside the service territory")
    page.keyboard.press("Enter")
    expect(page.locator(f"#review-{people[1].pk}").get_by_role("status")).to_have_text("Rejected")
    assert page.evaluate("window.__noReload") is True
    shoot(page, "04-review-queue-decided")
    statuses = dict(Enrollment.objects.for_workspace(workspace).values_list("last_name", "status"))
    assert statuses == {"Adams": "approved", "Baker": "rejected", "Chen": "submitted"}


def test_create_instance_from_catalog(live_server, page, signed_in, workspace, shoot):
    ProgramFactory(slug="battery-rebate", name="Battery Rebate", states=["NY"])
    signed_in(role="admin")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Programs").click()
    shoot(page, "05-programs")
    page.get_by_role("link", name="Create instance").click()
    expect(page.get_by_label("Program", exact=True)).to_have_value("battery-rebate")
    page.get_by_label("Name", exact=True).fill("NYC Battery Rebate 2026")
    page.get_by_label("Machine-checked rules").check()
    page.get_by_label("Search states").fill("NY")
    page.locator(".chip-options").get_by_label("NY", exact=True).check()
    page.get_by_label("Device types").fill("battery")
    page.get_by_label("Minimum capacity (kWh)").fill("5")
    page.get_by_label("Ask for phone").check()
    page.get_by_label("phone required").check()
    shoot(page, "06-instance-editor")
    page.get_by_role("button", name="Create instance").click()
    expect(page.get_by_role("heading", name="NYC Battery Rebate 2026")).to_be_visible()
    shoot(page, "07-instance-detail")
    instance = ProgramInstance.objects.for_workspace(workspace).get()
    assert instance.eligibility_criteria == {
        "regions": ["NY"],
        "deviceTypes": ["battery"],
        "minimumCapacity": 5,
    }
    assert instance.form_config["fields"] == [{"name": "phone", "required": True}]


def test_pages_fit_a_phone(live_server, page, signed_in, workspace, shoot):
    instance = ProgramInstanceFactory(workspace=workspace, name="Thermostat Rewards")
    rows = {
        status: EnrollmentFactory(workspace=workspace, program_instance=instance, status=status)
        for status in ("candidate", "eligible", "submitted", "approved")
    }
    submitted = rows["submitted"]
    signed_in(role="admin")
    page.set_viewport_size({"width": 390, "height": 844})
    for path, name in (("/", "08-phone-overview"), ("/enrollments/", "09-phone-enrollments")):
        page.goto(f"{live_server.url}{path}")
        # Nothing but the scrollable table wrappers may be wider than the screen.
        overflow = page.evaluate("document.documentElement.scrollWidth")
        assert overflow <= 390, f"{path} is {overflow}px wide on a 390px screen"
        shoot(page, name)
    page.set_viewport_size({"width": 1280, "height": 860})
    page.goto(f"{live_server.url}/")
    shoot(page, "02-overview")
    page.goto(f"{live_server.url}/enrollments/")
    shoot(page, "10-enrollments")
    page.get_by_role("link", name=submitted.first_name + " " + submitted.last_name).click()
    expect(page.get_by_role("button", name="Approve")).to_be_visible()
    shoot(page, "11-enrollment-detail")
    page.goto(f"{live_server.url}/settings/api-keys/")
    shoot(page, "12-api-keys")
