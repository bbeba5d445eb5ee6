"""Issue 13 point 7 in a real browser: the searchable states chips and the "test an address
against these rules" panel, answered in place by the API's dry run."""

import pytest
from playwright.sync_api import expect

from instances.models import ProgramInstance
from tests.browser.conftest import SCREENSHOTS
from tests.enrollments.factories import ProgramFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_states_chips_and_dry_run(live_server, page, signed_in, workspace, shoot):
    ProgramFactory(slug="heat-pumps", name="Heat Pump Rebate", states=["NY", "NJ"])
    signed_in(role="admin")
    page.goto(f"{live_server.url}/instances/new/?program=heat-pumps")
    page.get_by_label("Name", exact=True).fill("Tri-state heat pumps")
    page.get_by_label("Machine-checked rules").check()
    chips = page.locator(".chips")
    expect(chips).to_contain_text("None chosen")
    page.get_by_label("Search states").fill("n")
    page.locator(".chip-options").get_by_label("NY", exact=True).check()
    page.locator(".chip-options").get_by_label("NJ", exact=True).check()
    expect(chips.locator(".chip")).to_have_count(2)
    page.get_by_role("button", name="Remove NJ").click()
    expect(chips.locator(".chip")).to_have_count(1)
    expect(chips.locator(".chip")).to_contain_text("NY")
    page.get_by_label("Minimum capacity (kWh)").fill("5")
    # Try a customer in New Jersey with a small device: refused, rule by rule, no reload.
    page.evaluate("window.__noReload = true")
    panel = page.locator("#dry-run")
    panel.get_by_label("State").fill("NJ")
    panel.get_by_label("Capacity (kWh)").fill("3")
    panel.get_by_role("button", name="Test these rules").click()
    expect(page.locator("[data-verdict]")).to_contain_text("Not eligible")
    expect(page.locator("#dry-run-result li.fail")).to_have_count(2)
    panel.get_by_label("State").fill("NY")
    panel.get_by_label("Capacity (kWh)").fill("9")
    panel.get_by_role("button", name="Test these rules").click()
    expect(page.locator("[data-verdict]")).to_contain_text("Eligible")
    assert page.evaluate("window.__noReload") is True
    assert not ProgramInstance.objects.exists()
    shoot(page, "instance-editor-dry-run")
    panel.screenshot(path=str(SCREENSHOTS / "instance-editor-dry-run-panel.png"))
    page.get_by_role("button", name="Create instance").click()
    expect(page.get_by_role("heading", name="Tri-state heat pumps")).to_be_visible()
    instance = ProgramInstance.objects.get()
    assert instance.eligibility_criteria == {"regions": ["NY"], "minimumCapacity": 5}
