"""Issue 13 point 8 (and the screenshots of "done"): every dashboard page at 1366 px and at
390 px, with realistic data. No page may scroll sideways (only a table's own scroll box may),
the review queue's decision buttons are on screen, and each page is saved as a screenshot
under test-artifacts/screenshots/ (pages-<name>-<width>.png)."""

import pytest
from playwright.sync_api import expect

from enrollments.services import enrollment_transition
from events.models import Event, WebhookDelivery
from events.webhooks import webhook_create
from instances.services import instance_set_status
from tests.enrollments.factories import EnrollmentFactory, ProgramFactory, ProgramInstanceFactory
from tests.factories import MembershipFactory, UserFactory, make_api_key

pytestmark = pytest.mark.django_db(transaction=True)
WIDTHS = (1366, 390)
# Elements wider than the screen, for a failure message that says where to look.
OVERFLOWING = """() => {
  const w = document.documentElement.clientWidth;
  const out = [];
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    if (r.right > w + 1 && !el.closest('.table-wrap') && getComputedStyle(el).position !== 'fixed')
      out.push(el.tagName + '.' + el.className + ' ' + Math.round(r.right));
  }
  return out.slice(0, 8);
}"""


@pytest.fixture
def workspace_with_data(workspace, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS = True
    ProgramFactory(slug="battery-rebate", name="Home Battery Rebate", states=["NY", "NJ"])
    instance = ProgramInstanceFactory(
        workspace=workspace,
        name="NYC Home Battery Rebate 2026 with a long name",
        eligibility_criteria={"regions": ["NY"], "minimumCapacity": 5},
    )
    old = ProgramInstanceFactory(workspace=workspace, name="Pilot 2024")
    people = {}
    for i, status in enumerate(
        ("candidate", "eligible", "ineligible", "approved", "rejected", "unenrolled")
    ):
        people[status] = EnrollmentFactory(
            workspace=workspace,
            program_instance=instance,
            status=status,
            last_name=f"Verylonglastname-Hyphenated{i}",
            email=f"a.very.long.email.address.{i}@subdomain.example-utility.com",
        )
    for _ in range(3):
        e = EnrollmentFactory(workspace=workspace, program_instance=instance, status="eligible")
        people["submitted"] = enrollment_transition(enrollment=e, to="submitted", actor=None)
    EnrollmentFactory(workspace=workspace, program_instance=old, status="approved")
    instance_set_status(instance=old, status="archived")
    make_api_key(workspace, name="CRM sync", scopes=["enrollments:read", "enrollments:write"])
    MembershipFactory(user=UserFactory(username="sam"), workspace=workspace, role="viewer")
    endpoint = webhook_create(
        workspace=workspace, url="http://127.0.0.1:9/a/very/long/path/to/the/receiver/endpoint"
    )[0]
    event = Event.objects.for_workspace(workspace).order_by("-created_at").first()
    WebhookDelivery.objects.create(
        workspace=workspace,
        endpoint=endpoint,
        event=event,
        event_type=event.type if event else "enrollment.created",
        payload={"type": "enrollment.created", "data": {"id": people["approved"].pk}},
        status=WebhookDelivery.Status.FAILED,
        attempt_count=3,
        last_status_code=500,
        last_error="Server error from the receiver: 500 Internal Server Error",
    )
    return {"instance": instance, "people": people, "endpoint": endpoint}


def pages(data):
    instance, people, endpoint = data["instance"], data["people"], data["endpoint"]
    return [
        ("overview", "/"),
        ("programs", "/programs/"),
        ("instances", "/instances/"),
        ("instance-new", "/instances/new/?program=battery-rebate"),
        ("instance-detail", f"/instances/{instance.pk}/"),
        ("instance-edit", f"/instances/{instance.pk}/edit/"),
        ("instance-charts", f"/instances/{instance.pk}/charts/"),
        ("enrollment-new", f"/instances/{instance.pk}/enrollments/new/"),
        ("enrollments", "/enrollments/"),
        (
            "enrollments-all-columns",
            "/enrollments/?"
            + "&".join(
                f"col={c}"
                for c in (
                    "email",
                    "phone",
                    "program_instance",
                    "status",
                    "location",
                    "device",
                    "capacity",
                    "eligibility_reason",
                    "tags",
                )
            ),
        ),
        ("enrollment-detail", f"/enrollments/{people['ineligible'].pk}/"),
        ("enrollment-approved", f"/enrollments/{people['approved'].pk}/"),
        ("review", "/review/"),
        ("settings", "/settings/"),
        ("members", "/settings/members/"),
        ("api-keys", "/settings/api-keys/"),
        ("webhooks", "/settings/webhooks/"),
        ("webhook-detail", f"/settings/webhooks/{endpoint.pk}/"),
        ("password-change", "/accounts/password_change/"),
        ("not-found", "/enrollments/nope/"),
    ]


@pytest.mark.parametrize("width", WIDTHS)
def test_every_page_fits_and_is_shot(
    live_server, page, signed_in, workspace_with_data, shoot, width
):
    signed_in(role="owner")
    page.set_viewport_size({"width": width, "height": 900})
    problems = []
    for name, path in pages(workspace_with_data):
        page.goto(f"{live_server.url}{path}")
        wide = page.evaluate("document.documentElement.scrollWidth")
        if wide > width:
            problems.append(f"{path}: {wide}px wide; {page.evaluate(OVERFLOWING)}")
        shoot(page, f"pages-{name}-{width}")
    page.context.clear_cookies()  # and the signed-out pages
    for name, path in (
        ("sign-in", "/accounts/login/"),
        ("password-reset", "/accounts/password_reset/"),
    ):
        page.goto(f"{live_server.url}{path}")
        wide = page.evaluate("document.documentElement.scrollWidth")
        if wide > width:
            problems.append(f"{path}: {wide}px wide; {page.evaluate(OVERFLOWING)}")
        shoot(page, f"pages-{name}-{width}")
    assert problems == [], "\n".join(problems)


def test_review_buttons_on_a_phone_screen(live_server, page, signed_in, workspace_with_data):
    signed_in(role="admin")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/review/")
    for button in page.get_by_role("button", name="Approve").all():
        box = button.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    first = page.get_by_role("button", name="Reject").first
    box = first.bounding_box()
    assert box["x"] + box["width"] <= 390
    expect(first).to_be_visible()


def test_sandbox_is_unmistakable(live_server, page, workspace, shoot):
    from accounts.models import Workspace

    sandbox = Workspace.objects.get(organization=workspace.organization, slug="sandbox")
    user = UserFactory(username="sandy")
    MembershipFactory(user=user, workspace=sandbox, role="admin")
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("sandy")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Sign in").click()
    banner = page.get_by_role("note")
    expect(banner).to_contain_text("Sandbox")
    colour = page.locator(".topbar").evaluate("el => getComputedStyle(el).backgroundColor")
    assert colour != "rgb(18, 38, 63)"  # not production's navy
    shoot(page, "pages-sandbox-overview-1366")


def test_bulk_confirmation_and_results_fit_a_phone(
    live_server, page, signed_in, workspace_with_data, shoot
):
    signed_in(role="admin")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/enrollments/?status=submitted")
    page.get_by_label("Select all on this page").check()
    page.get_by_label("With the selected:").select_option("approved")
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_role("heading", name="Approve 3 enrollments?")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shoot(page, "pages-bulk-confirm-390")
    page.get_by_role("button", name="Approve 3 enrollments").click()
    expect(page.get_by_role("heading")).to_contain_text("3 of 3 done")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shoot(page, "pages-bulk-result-390")
