"""Brute force on the login forms and on API keys (issue 14, point 1)."""

import pytest
from django.core.management import call_command
from django.test import Client

from accounts import backends
from tests.factories import MembershipFactory, UserFactory

PASSWORD = "correct horse battery"
LOGINS = ["/accounts/login/", "/admin/login/"]


def attempt(path, username, password, ip="198.51.100.7"):
    return Client(REMOTE_ADDR=ip).post(path, {"username": username, "password": password})


def signed_in(response) -> bool:
    return response.status_code == 302 and "sessionid" in response.cookies


@pytest.mark.parametrize("path", LOGINS)
def test_five_failures_lock_the_user_even_with_the_right_password(db, settings, path):
    UserFactory(username="dana", is_staff=True)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert attempt(path, "dana", "wrong").status_code == 200
    locked = attempt(path, "dana", "wrong")
    assert locked.status_code == 429
    assert "Too many failed sign-in attempts" in locked.content.decode()
    # Locked: the right password does not help, from this address or from another one.
    assert attempt(path, "dana", PASSWORD).status_code == 429
    assert attempt(path, "dana", PASSWORD, ip="203.0.113.9").status_code == 429


def test_an_address_spraying_many_usernames_is_locked(db, settings):
    UserFactory(username="erin")
    for n in range(settings.AXES_FAILURE_LIMIT):
        attempt("/accounts/login/", f"guess{n}", "wrong", ip="198.51.100.66")
    assert attempt("/accounts/login/", "erin", PASSWORD, ip="198.51.100.66").status_code == 429
    assert signed_in(attempt("/accounts/login/", "erin", PASSWORD, ip="203.0.113.10"))


def test_a_success_before_the_limit_resets_the_count(db, settings):
    UserFactory(username="dana")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        attempt("/accounts/login/", "dana", "wrong")
    assert signed_in(attempt("/accounts/login/", "dana", PASSWORD))
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        attempt("/accounts/login/", "dana", "wrong")
    assert signed_in(attempt("/accounts/login/", "dana", PASSWORD))


def _lock(settings, username="dana", ip="198.51.100.7"):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt("/accounts/login/", username, "wrong", ip=ip)
    assert attempt("/accounts/login/", username, PASSWORD, ip=ip).status_code == 429


def test_unlock_with_the_documented_commands(db, settings):
    UserFactory(username="dana")
    _lock(settings)
    # docs/security.md: `.venv/bin/python manage.py axes_reset_username dana`
    call_command("axes_reset_username", "dana")
    # The address is still counted by itself; the documented address reset lifts that too.
    call_command("axes_reset_ip", "198.51.100.7")
    assert signed_in(attempt("/accounts/login/", "dana", PASSWORD))
    # ... and `.venv/bin/python manage.py axes_reset` lifts every lock.
    _lock(settings)
    call_command("axes_reset")
    assert signed_in(attempt("/accounts/login/", "dana", PASSWORD))


def test_a_superuser_unlocks_from_the_admin(db, settings):
    from axes.models import AccessAttempt

    UserFactory(username="dana")
    _lock(settings)
    root = UserFactory(username="root", is_staff=True, is_superuser=True)
    admin = Client()
    admin.force_login(root)
    page = admin.get("/admin/axes/accessattempt/")
    assert page.status_code == 200 and "dana" in page.content.decode()
    ids = [str(pk) for pk in AccessAttempt.objects.values_list("pk", flat=True)]
    response = admin.post(
        "/admin/axes/accessattempt/",
        {"action": "delete_selected", "_selected_action": ids, "post": "yes"},
    )
    assert response.status_code == 302
    assert not AccessAttempt.objects.exists()
    assert signed_in(attempt("/accounts/login/", "dana", PASSWORD))


def test_password_hashing_is_capped_and_busy_logins_fail_fast(db, settings):
    """With every hashing slot taken, a login waits LOGIN_HASH_WAIT_SECONDS and is refused
    like a wrong password instead of adding CPU work; once a slot frees, it works."""
    settings.LOGIN_HASH_CONCURRENCY = 1
    settings.LOGIN_HASH_WAIT_SECONDS = 0.05
    UserFactory(username="dana")
    gate = backends.hashing_gate()
    assert gate.acquire(timeout=1)
    try:
        busy = attempt("/accounts/login/", "dana", PASSWORD)
        assert busy.status_code == 200 and not signed_in(busy)
    finally:
        gate.release()
    assert signed_in(attempt("/accounts/login/", "dana", PASSWORD))


def test_failing_api_keys_are_throttled_per_address(db, settings, workspace, api):
    settings.API_AUTH_FAILURE_RATE = "3/min"
    from rest_framework.test import APIClient

    bad = APIClient(REMOTE_ADDR="198.51.100.20")
    bad.credentials(HTTP_AUTHORIZATION="Bearer api_" + "x" * 40)
    for _ in range(3):
        assert bad.get("/api/v1/me").status_code == 401
    refused = bad.get("/api/v1/me")
    assert refused.status_code == 429
    assert refused.json()["code"] == "RATE_LIMITED" and int(refused["Retry-After"]) >= 1
    # Even a good key from that address waits; from another address it works.
    bad.credentials(HTTP_AUTHORIZATION=f"Bearer {api.raw_key}")
    assert bad.get("/api/v1/me").status_code == 429
    good = APIClient(REMOTE_ADDR="198.51.100.21")
    good.credentials(HTTP_AUTHORIZATION=f"Bearer {api.raw_key}")
    assert good.get("/api/v1/me").status_code == 200


def test_members_of_a_workspace_still_sign_in_normally(db, workspace):
    MembershipFactory(user=UserFactory(username="fran"), workspace=workspace)
    assert signed_in(attempt("/accounts/login/", "fran", PASSWORD))
