"""Members and API keys: who may manage them, the owner rules, keys shown once, tenancy."""

import pytest

from accounts.models import ApiKey, Invitation, Membership, User
from accounts.services import hash_key
from tests.factories import MembershipFactory, UserFactory, make_api_key

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("role", "status"), [("viewer", 403), ("operator", 403), ("admin", 200), ("owner", 200)]
)
def test_members_page_needs_admin(dash, role, status):
    assert dash(role=role).get("/settings/members/").status_code == status


@pytest.mark.parametrize(
    ("role", "status"), [("viewer", 403), ("operator", 403), ("admin", 200), ("owner", 200)]
)
def test_api_keys_page_needs_api_keys_scope(dash, role, status):
    assert dash(role=role).get("/settings/api-keys/").status_code == status


def test_settings_index_for_every_role(dash):
    html = dash(role="viewer").get("/settings/").content.decode()
    assert "/settings/members/" not in html
    html = dash(role="admin").get("/settings/").content.decode()
    assert "/settings/members/" in html and "/settings/api-keys/" in html


def test_members_list_shows_only_this_workspace(dash, other_workspace):
    MembershipFactory(workspace=other_workspace, user=UserFactory(username="stranger"))
    html = dash(role="admin", username="boss").get("/settings/members/").content.decode()
    assert "boss" in html and "stranger" not in html


def test_admin_adds_existing_user_and_new_email(dash, workspace):
    client = dash(role="admin")
    UserFactory(username="known", email="known@example.com")
    assert (
        client.post(
            "/settings/members/", {"email": "KNOWN@example.com", "role": "operator"}
        ).status_code
        == 302
    )
    # An invitation, not a membership, until they accept (tests/security/test_member_invitations.py)
    assert not Membership.objects.for_workspace(workspace).filter(user__username="known").exists()
    assert Invitation.objects.get(email="known@example.com").role == "operator"
    assert (
        client.post(
            "/settings/members/", {"email": "new@example.com", "role": "viewer"}
        ).status_code
        == 302
    )
    new = User.objects.get(email="new@example.com")
    assert new.has_usable_password()  # so "forgot password" can activate the account


def test_add_member_errors_show_next_to_fields(dash, workspace):
    client = dash(role="admin")
    response = client.post("/settings/members/", {"email": "not-an-email", "role": "viewer"})
    assert response.status_code == 400
    assert 'id="id_email_error"' in response.content.decode()
    client.post("/settings/members/", {"email": "twice@example.com", "role": "viewer"})
    again = client.post("/settings/members/", {"email": "twice@example.com", "role": "viewer"})
    assert again.status_code == 400
    assert "already invited" in again.content.decode().lower()


def test_only_owner_grants_owner(dash, workspace):
    admin = dash(role="admin")
    response = admin.post("/settings/members/", {"email": "o@example.com", "role": "owner"})
    assert response.status_code == 400
    assert "Only an owner" in response.content.decode()
    target = MembershipFactory(workspace=workspace, role="viewer")
    admin.post(f"/settings/members/{target.pk}/", {"role": "owner"})
    target.refresh_from_db()
    assert target.role == "viewer"
    owner = dash(role="owner")
    owner.post(f"/settings/members/{target.pk}/", {"role": "owner"})
    target.refresh_from_db()
    assert target.role == "owner"


def test_admin_cannot_remove_owner_and_last_owner_stays(dash, workspace):
    owner_client = dash(role="owner")
    owner_membership = Membership.objects.get(user=owner_client.user)
    dash(role="admin").post(f"/settings/members/{owner_membership.pk}/", {"remove": "1"})
    assert Membership.objects.filter(pk=owner_membership.pk).exists()
    # The only owner cannot demote or remove themselves.
    owner_client.post(f"/settings/members/{owner_membership.pk}/", {"role": "viewer"})
    owner_client.post(f"/settings/members/{owner_membership.pk}/", {"remove": "1"})
    owner_membership.refresh_from_db()
    assert owner_membership.role == "owner"


def test_admin_changes_role_and_removes_member(dash, workspace):
    client = dash(role="admin")
    target = MembershipFactory(workspace=workspace, role="viewer")
    client.post(f"/settings/members/{target.pk}/", {"role": "operator"})
    target.refresh_from_db()
    assert target.role == "operator"
    client.post(f"/settings/members/{target.pk}/", {"remove": "1"})
    assert not Membership.objects.filter(pk=target.pk).exists()


def test_other_workspace_member_is_404(dash, other_workspace):
    foreign = MembershipFactory(workspace=other_workspace, role="viewer")
    response = dash(role="owner").post(f"/settings/members/{foreign.pk}/", {"remove": "1"})
    assert response.status_code == 404
    assert Membership.objects.filter(pk=foreign.pk).exists()


def test_create_scoped_key_is_shown_once(dash, workspace):
    client = dash(role="admin")
    response = client.post(
        "/settings/api-keys/", {"name": "CRM", "scopes": ["enrollments:read", "events:read"]}
    )
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    raw = response.context["raw_key"]
    assert raw.startswith("scoped_") and raw in response.content.decode()
    key = ApiKey.objects.for_workspace(workspace).get(name="CRM")
    assert key.key_hash == hash_key(raw)
    assert set(key.scopes) == {"enrollments:read", "events:read"}
    assert raw not in client.get("/settings/api-keys/").content.decode()


def test_create_key_needs_scopes_or_full(dash):
    response = dash(role="admin").post("/settings/api-keys/", {"name": "Empty"})
    assert response.status_code == 400
    assert 'id="id_scopes_error"' in response.content.decode()


def test_cannot_offer_unknown_scope(dash):
    response = dash(role="admin").post(
        "/settings/api-keys/", {"name": "X", "scopes": ["programs:admin"]}
    )
    assert response.status_code == 400


def test_full_key_and_revoke(dash, workspace):
    client = dash(role="owner")
    raw = client.post("/settings/api-keys/", {"name": "Full", "full": "on"}).context["raw_key"]
    assert raw.startswith("api_")
    key = ApiKey.objects.for_workspace(workspace).get(name="Full")
    assert client.post(f"/settings/api-keys/{key.pk}/revoke/").status_code == 302
    key.refresh_from_db()
    assert key.is_revoked


def test_other_workspace_key_is_404_and_not_listed(dash, other_workspace):
    foreign, _ = make_api_key(other_workspace, name="Foreign key")
    client = dash(role="owner")
    assert "Foreign key" not in client.get("/settings/api-keys/").content.decode()
    assert client.post(f"/settings/api-keys/{foreign.pk}/revoke/").status_code == 404
    foreign.refresh_from_db()
    assert not foreign.is_revoked


def test_api_keys_page_constant_queries(dash, workspace, django_assert_max_num_queries):
    client = dash(role="admin")
    for i in range(3):
        make_api_key(workspace, name=f"k{i}")
    with django_assert_max_num_queries(12) as few:
        assert client.get("/settings/api-keys/").status_code == 200
    for i in range(15):
        make_api_key(workspace, name=f"more{i}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get("/settings/api-keys/").status_code == 200


def test_add_member_whose_email_is_someone_elses_username(dash, workspace):
    UserFactory(username="sam@example.com", email="")
    response = dash(role="admin").post(
        "/settings/members/", {"email": "sam@example.com", "role": "viewer"}
    )
    assert response.status_code == 302
    assert User.objects.get(email="sam@example.com").username == "sam@example.com-2"


def test_api_key_expiry_in_the_past_is_a_field_error(dash):
    response = dash(role="admin").post(
        "/settings/api-keys/",
        {"name": "Old", "scopes": ["events:read"], "expires_at": "2001-01-01T00:00"},
    )
    assert response.status_code == 400
    assert 'id="id_expires_at_error"' in response.content.decode()
