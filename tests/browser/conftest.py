"""Browser tests: pytest-playwright driving Debian's Chromium against pytest-django's live server.

Playwright never downloads a browser here: every launch uses /usr/bin/chromium (installed with
apt, as .ci/run does). Without it, these tests are skipped with a clear reason. Screenshots of the
main pages go to test-artifacts/screenshots/ (git-ignored) for people to look at.
"""

import os
from pathlib import Path

import pytest

from tests.factories import MembershipFactory, UserFactory

CHROMIUM = Path(os.environ.get("GRIDPROGRAMS_CHROMIUM", "/usr/bin/chromium"))
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
PASSWORD = "correct horse battery"

# Playwright's sync API runs an event loop in the test thread; the ORM calls the tests make
# there (factories) are still synchronous, so Django must not refuse them.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)
            if not CHROMIUM.exists():
                item.add_marker(
                    pytest.mark.skip(reason=f"{CHROMIUM} is absent (apt-get install chromium)")
                )


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1280, "height": 860}}


@pytest.fixture
def shoot():
    """Save a full-page screenshot under test-artifacts/screenshots/<name>.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, name):
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)

    return take


@pytest.fixture
def signed_in(live_server, page, workspace):
    """A page signed in through the real login form as a member with the given role."""

    def sign_in(role="admin", username="dana"):
        user = UserFactory(username=username)
        MembershipFactory(user=user, workspace=workspace, role=role)
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(f"{live_server.url}/")
        return user

    return sign_in
