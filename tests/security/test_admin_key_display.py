"""An API key created in the admin is shown once, on the response page, and never travels in
a cookie or the session (issue 14, point 7)."""

import pytest
from django.contrib.sessions.models import Session
from django.test import Client

from accounts.models import ApiKey
from accounts.services import hash_key
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_admin_key_is_shown_once_and_stored_nowhere(workspace):
    client = Client()
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    response = client.post(
        "/admin/accounts/apikey/add/", {"workspace": workspace.pk, "name": "From admin"}
    )
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    raw = response.context["raw_key"]
    assert raw.startswith("api_") and raw in response.content.decode()
    assert ApiKey.objects.get(name="From admin").key_hash == hash_key(raw)
    # Not in any cookie set by the response or held by the client, nor in any session.
    for morsel in [*response.cookies.values(), *client.cookies.values()]:
        assert raw not in morsel.value and raw[-12:] not in morsel.value
    for session in Session.objects.all():
        assert raw not in str(session.get_decoded())
    # The next pages never show it again.
    for path in ("/admin/accounts/apikey/", "/admin/"):
        assert raw not in client.get(path).content.decode()
