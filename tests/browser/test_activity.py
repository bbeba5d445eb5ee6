"""An owner adds a member in the dashboard, then finds it on the Activity page, in words."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)


def test_owner_sees_what_they_did(live_server, page, signed_in, shoot):
    signed_in(role="owner", username="olivia")
    page.goto(f"{live_server.url}/settings/members/")
    page.get_by_label("Email").fill("newcomer@example.com")
    page.get_by_role("button", name="Add member").click()
    expect(page.get_by_text("Invitation sent to newcomer@example.com")).to_be_visible()

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Activity").click()
    expect(page.get_by_role("heading", name="Activity")).to_be_visible()
    row = page.get_by_role("row").filter(has_text="newcomer@example.com")
    expect(row).to_contain_text("olivia")
    expect(row).to_contain_text("Invited the member")
    expect(row).to_contain_text("Role: nothing → viewer")
    expect(row).not_to_contain_text("User:")  # an id means nothing to a person
    shoot(page, "activity")

    page.get_by_label("About").select_option("member")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_role("row").filter(has_text="newcomer@example.com")).to_have_count(1)
