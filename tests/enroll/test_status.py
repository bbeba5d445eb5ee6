"""The customer's status page (signed, expiring links) and "email me my link"."""

import pytest
from django.core import mail, signing

from enrollments.models import Enrollment
from enrollments.services import enrollment_transition
from enrollments.tokens import INVITE_SALT, status_token_make
from tests.enroll.conftest import good_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(client, page_instance):
    client.post(f"/enroll/{page_instance.slug}/", good_post())
    return Enrollment.objects.get()


def status_url(enrollment):
    return f"/enroll/status/{status_token_make(enrollment_id=enrollment.pk).token}/"


def test_valid_link_shows_status_and_history_in_words(client, submitted):
    body = client.get(status_url(submitted)).content.decode()
    assert "Received, awaiting review" in body
    assert "Eligible, not yet submitted" in body  # history, in words
    assert "Leave the program" not in body  # only approved customers can leave


def test_approved_customer_can_unenroll_with_a_reason(client, submitted):
    enrollment_transition(enrollment=submitted, to="approved", actor=None)
    url = status_url(submitted)
    body = client.get(url).content.decode()
    assert "Start date" in body and "Leave the program" in body
    assert client.post(url, {"reason": ""}).status_code == 400
    response = client.post(url, {"reason": "Moving house"})
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == "unenrolled"
    assert "Moving house" in submitted.exit_reason
    assert "You have left the program" in client.get(response["Location"]).content.decode()


def test_forged_and_expired_links_do_not_work(client, submitted, settings):
    assert client.get("/enroll/status/not-a-token/").status_code == 404
    other_salt = signing.dumps({"e": submitted.pk}, salt="something-else", compress=True)
    assert client.get(f"/enroll/status/{other_salt}/").status_code == 404
    url = status_url(submitted)
    settings.ENROLL_STATUS_DAYS = 0
    response = client.get(url)
    assert response.status_code == 404
    assert "The link is wrong or has expired." in response.content.decode()
    # An invitation token is not a status link (different salts).
    invite = signing.dumps({"e": submitted.pk}, salt=INVITE_SALT, compress=True)
    assert client.get(f"/enroll/status/{invite}/").status_code == 404


def test_asking_for_a_link_never_reveals_whether_the_address_is_known(
    client, submitted, page_instance, run_worker
):
    run_worker()
    mail.outbox.clear()
    url = f"/enroll/{page_instance.slug}/status/"
    known = client.post(url, {"email": "ANA@example.com"})
    unknown = client.post(url, {"email": "nobody@example.com"})
    assert known.status_code == unknown.status_code == 200
    assert known.content == unknown.content
    run_worker()
    (message,) = mail.outbox
    assert message.to == ["ana@example.com"] and "/enroll/status/" in message.body
