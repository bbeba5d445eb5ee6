"""Issue 13 point 3 in a real browser: coloured pills, styled pagination with counts, sorting
with a direction arrow, page size, chosen columns and saved filters."""

import pytest
from playwright.sync_api import expect

from tests.enrollments.factories import EnrollmentFactory, ProgramInstanceFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_enrollments_list_is_a_real_list(live_server, page, signed_in, workspace, shoot):
    instance = ProgramInstanceFactory(workspace=workspace, name="Thermostat Rewards")
    for i in range(30):
        EnrollmentFactory(
            workspace=workspace,
            program_instance=instance,
            status=("submitted", "approved", "candidate")[i % 3],
            device_capacity=i + 1,
        )
    signed_in(role="admin")
    page.goto(f"{live_server.url}/enrollments/")
    # Pills are coloured by status value (not all grey).
    colours = {
        status: page.locator(f"td .status-{status}").first.evaluate(
            "el => getComputedStyle(el).backgroundColor"
        )
        for status in ("submitted", "approved", "candidate")
    }
    assert len(set(colours.values())) == 3
    assert "rgb(233, 238, 245)" not in colours.values()
    # Page size: 10 rows, a count, numbered pages.
    page.get_by_label("Rows per page").select_option("10")
    expect(page.locator("[data-range]")).to_have_text("Showing 1 to 10 of 30")
    expect(page.locator("tbody tr")).to_have_count(10)
    page.get_by_role("link", name="Page 3").click()
    expect(page.locator("[data-range]")).to_have_text("Showing 21 to 30 of 30")
    expect(page.locator("nav.pager [aria-current=page]")).to_have_text("3")
    # Sort by capacity: the header shows the direction.
    page.get_by_role("link", name="Capacity (kWh)").click()
    expect(page.locator("th.asc")).to_contain_text("Capacity")
    page.get_by_role("link", name="Capacity (kWh)").click()
    expect(page.locator("th.desc")).to_contain_text("Capacity")
    expect(page.locator("tbody tr").first.locator("td.num-col")).to_have_text("30")
    # Columns: add the eligibility reason.
    page.get_by_text("Columns", exact=True).click()
    page.get_by_label("Eligibility reason").check()
    page.get_by_role("button", name="Show these columns").click()
    expect(page.get_by_role("columnheader", name="Eligibility reason")).to_be_visible()
    # Save the filter (status + sort) with a name and use it again.
    page.get_by_role("search").get_by_label("Status").select_option("approved")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("[data-count]")).to_contain_text("10 enrollments")
    page.get_by_text("Saved filters", exact=True).click()
    page.get_by_placeholder("Name this filter").fill("Approved, biggest first")
    page.get_by_role("button", name="Save current filter").click()
    page.goto(f"{live_server.url}/enrollments/")
    page.get_by_role("link", name="Approved, biggest first").click()
    expect(page.locator("[data-count]")).to_contain_text("10 enrollments")
    expect(page.locator("th.desc")).to_contain_text("Capacity")
    shoot(page, "enrollments-list-saved-filter")
