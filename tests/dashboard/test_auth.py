"""Sign-in, sign-out, password change and reset, the workspace switcher, no-workspace page."""

import re

import pytest
from django.core import mail
from django.test import Client

from accounts.tenancy import SESSION_WORKSPACE_KEY
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_dashboard_redirects_anonymous_to_login():
    response = Client().get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/")


def test_login_page_has_labelled_fields_and_reset_link():
    html = Client().get("/accounts/login/").content.decode()
    assert '<label for="id_username"' in html and '<label for="id_password"' in html
    assert "/accounts/password_reset/" in html


def test_sign_in_then_overview_then_sign_out(workspace):
    user = UserFactory(username="olivia")
    MembershipFactory(user=user, workspace=workspace, role="viewer")
    client = Client(enforce_csrf_checks=False)
    response = client.post(
        "/accounts/login/", {"username": "olivia", "password": "correct horse battery"}
    )
    assert response.status_code == 302 and response["Location"] == "/"
    page = client.get("/")
    assert page.status_code == 200
    assert "Overview" in page.content.decode()
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/").status_code == 302


def test_wrong_password_shows_error_and_stays(workspace):
    UserFactory(username="olivia")
    response = Client().post("/accounts/login/", {"username": "olivia", "password": "nope"})
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()


def test_password_change(dash):
    client = dash()
    response = client.post(
        "/accounts/password_change/",
        {
            "old_password": "correct horse battery",
            "new_password1": "a much longer passphrase 42",
            "new_password2": "a much longer passphrase 42",
        },
    )
    assert response.status_code == 302
    client.user.refresh_from_db()
    assert client.user.check_password("a much longer passphrase 42")


def test_password_change_shows_field_errors(dash):
    response = dash().post(
        "/accounts/password_change/",
        {"old_password": "wrong", "new_password1": "x", "new_password2": "y"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_old_password_error"' in html


def test_password_reset_by_email(workspace):
    user = UserFactory(username="rita", email="rita@example.com")
    client = Client()
    response = client.post("/accounts/password_reset/", {"email": "rita@example.com"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert mail.outbox[0].to == ["rita@example.com"]
    link = re.search(r"https?://[^/]+(/accounts/reset/\S+)", body).group(1)
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    set_url = form_page.redirect_chain[-1][0] if form_page.redirect_chain else link
    done = client.post(
        set_url,
        {"new_password1": "brand new passphrase 7", "new_password2": "brand new passphrase 7"},
    )
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password("brand new passphrase 7")


def test_user_without_workspace_sees_explanation():
    client = Client()
    client.force_login(UserFactory())
    response = client.get("/instances/")
    assert response.status_code == 403
    assert "No workspace yet" in response.content.decode()


def test_workspace_switcher(workspace, other_workspace):
    user = UserFactory()
    MembershipFactory(user=user, workspace=workspace, role="viewer")
    MembershipFactory(user=user, workspace=other_workspace, role="admin")
    client = Client()
    client.force_login(user)
    html = client.get("/").content.decode()
    assert 'id="workspace-switch"' in html
    response = client.post("/workspace/", {"workspace": other_workspace.pk})
    assert response.status_code == 302
    assert client.session[SESSION_WORKSPACE_KEY] == other_workspace.pk
    assert str(other_workspace) in client.get("/").content.decode()


def test_workspace_switcher_refuses_foreign_workspace(dash, other_workspace):
    client = dash()
    response = client.post("/workspace/", {"workspace": other_workspace.pk})
    assert response.status_code == 400
    assert SESSION_WORKSPACE_KEY not in client.session


def test_csrf_is_enforced_on_dashboard_posts(workspace):
    user = UserFactory()
    MembershipFactory(user=user, workspace=workspace, role="owner")
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    response = client.post("/settings/members/", {"email": "x@example.com", "role": "viewer"})
    assert response.status_code == 403


def test_csrf_failure_page_explains(workspace):
    user = UserFactory()
    MembershipFactory(user=user, workspace=workspace, role="owner")
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    response = client.post("/settings/members/", {"email": "x@example.com", "role": "viewer"})
    assert response.status_code == 403
    assert "This form expired" in response.content.decode()
