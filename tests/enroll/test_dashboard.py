"""The operators' side: public URL, embed snippet, preview, consent shown, invitations."""

import pytest
from django.core import mail

from enrollments.models import Enrollment
from instances.services import instance_set_status
from tests.enroll.conftest import good_post

pytestmark = pytest.mark.django_db


def test_instance_page_shows_url_copy_embed_and_preview(member_client, page_instance, settings):
    settings.SITE_URL = "https://enroll.utility.example"
    client = member_client(role="operator")
    body = client.get(f"/instances/{page_instance.pk}/").content.decode()
    url = f"https://enroll.utility.example/enroll/{page_instance.slug}/"
    assert f'value="{url}"' in body
    assert 'data-copy="#public-url"' in body
    assert f'&lt;iframe src="{url}"' in body
    assert f"/instances/{page_instance.pk}/preview/" in body
    assert "<script>" not in body and 'onclick="navigator' not in body


def test_preview_renders_even_when_inactive(member_client, page_instance):
    instance_set_status(instance=page_instance, status="inactive")
    body = member_client(role="viewer").get(f"/instances/{page_instance.pk}/preview/")
    text = body.content.decode()
    assert body.status_code == 200
    assert "Preview: customers do not see this banner." in text
    assert "Enrollment is paused" in text and 'name="firstName"' in text
    assert "disabled" in text


def test_preview_of_another_workspace_is_404(member_client, other_workspace, page_instance):
    client = member_client(role="admin", ws=other_workspace)
    assert client.get(f"/instances/{page_instance.pk}/preview/").status_code == 404


def test_enrollment_page_shows_source_and_consent(member_client, page_instance, client):
    client.post(f"/enroll/{page_instance.slug}/", good_post(), REMOTE_ADDR="198.51.100.4")
    enrollment = Enrollment.objects.get()
    body = member_client(role="viewer").get(f"/enrollments/{enrollment.pk}/").content.decode()
    assert "Enrollment page" in body
    assert "terms version 1" in body and "198.51.100.4" in body


def test_invite_button_and_bulk_action(member_client, page_instance, run_worker):
    from tests.enroll.test_required_and_invites import eligible_without_phone

    enrollment = eligible_without_phone(page_instance)
    client = member_client(role="operator")
    assert "Invite to finish" in client.get(f"/enrollments/{enrollment.pk}/").content.decode()
    response = client.post(f"/enrollments/{enrollment.pk}/invite/", format="multipart")
    assert response.status_code == 302
    bulk = client.post(
        "/enrollments/bulk/", {"action": "invite", "ids": [enrollment.pk]}, format="multipart"
    )
    assert bulk.status_code == 200
    assert "Invitation sent to al@example.com." in bulk.content.decode()
    run_worker()
    assert [m.to for m in mail.outbox] == [["al@example.com"], ["al@example.com"]]
    assert all("?invite=" in m.body for m in mail.outbox)
