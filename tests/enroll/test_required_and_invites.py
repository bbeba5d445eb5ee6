"""Required form fields on every move to submitted; invitations on the API and the page."""

import pytest
from django.core import mail

from enrollments.models import Enrollment
from enrollments.services import enrollment_bulk_transition, enrollment_create
from enrollments.services.invitations import enrollment_invite_many
from tests.enroll.conftest import good_post

pytestmark = pytest.mark.django_db


def eligible_without_phone(instance):
    enrollment = enrollment_create(
        workspace=instance.workspace,
        instance=instance,
        data={
            "identification_type": "customerInfo",
            "first_name": "Al",
            "last_name": "Po",
            "email": "al@example.com",
            "address": {"state": "CA"},
        },
        actor=None,
    )
    from enrollments.services import enrollment_evaluate

    enrollment, _result = enrollment_evaluate(enrollment=enrollment, actor=None)
    assert enrollment.status == "eligible"
    return enrollment


def test_api_submit_needs_the_forms_required_fields(api, page_instance):
    enrollment = eligible_without_phone(page_instance)
    response = api.post(
        f"/api/v1/enrollments/{enrollment.pk}/transitions", {"to": "submitted"}, format="json"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "VALIDATION_ERROR"
    assert body["details"]["missingFields"] == ["phone", "address"]
    assert "Mobile phone" in body["message"]
    enrollment.refresh_from_db()
    assert enrollment.status == "eligible"


def test_bulk_submit_refuses_per_row_in_words(page_instance):
    enrollment = eligible_without_phone(page_instance)
    (result,) = enrollment_bulk_transition(enrollments=[enrollment], to="submitted", actor=None)
    assert not result.ok
    assert "Mobile phone" in result.message


def test_instances_without_form_config_keep_todays_behaviour(make_instance):
    instance = make_instance(form_config={})
    enrollment = eligible_without_phone(instance)
    (result,) = enrollment_bulk_transition(enrollments=[enrollment], to="submitted", actor=None)
    assert result.ok


def test_invite_answers_202_and_emails_a_prefilled_link(api, page_instance, run_worker, client):
    enrollment = eligible_without_phone(page_instance)
    response = api.post(f"/api/v1/enrollments/{enrollment.pk}/invite")
    assert response.status_code == 202, response.json()
    assert response.json()["sentTo"] == "al@example.com"
    assert response.json()["expiresAt"]
    run_worker()
    (message,) = mail.outbox
    link = next(w for w in message.body.split() if "?invite=" in w)
    path = link.split("://", 1)[1].split("/", 1)[1]
    page = client.get("/" + path).content.decode()
    assert 'value="Al"' in page and 'value="al@example.com"' in page
    assert (
        'value="al@example.com" autocomplete="email" required aria-required="true" readonly' in page
    )

    token = path.split("invite=")[1]
    done = client.post(
        f"/enroll/{page_instance.slug}/", good_post(email="other@example.com", invite=token)
    )
    assert done.status_code == 200, done.content.decode()[:3000]
    assert Enrollment.objects.count() == 1
    enrollment.refresh_from_db()
    assert enrollment.status == "submitted"
    assert enrollment.phone == "555-0100"
    assert enrollment.email == "al@example.com"  # the invited address stays
    assert enrollment.consent["termsVersion"] == 1
    # Used once: the link now says so instead of creating another enrollment.
    again = client.post(f"/enroll/{page_instance.slug}/", good_post(invite=token))
    assert again.status_code == 409
    assert "We could not take this enrollment." in again.content.decode()
    assert Enrollment.objects.count() == 1


def test_invite_other_statuses_is_409_and_scope_is_needed(api, api_client_for, page_instance):
    enrollment = eligible_without_phone(page_instance)
    reader = api_client_for(page_instance.workspace, scopes=["enrollments:read"])
    assert reader.post(f"/api/v1/enrollments/{enrollment.pk}/invite").status_code == 403
    Enrollment.objects.filter(pk=enrollment.pk).update(status="approved")
    response = api.post(f"/api/v1/enrollments/{enrollment.pk}/invite")
    assert response.status_code == 409
    assert response.json()["code"] == "CONFLICT"


def test_invite_many_reports_each_row(page_instance):
    enrollment = eligible_without_phone(page_instance)
    results = enrollment_invite_many(enrollments=[enrollment], actor=None)
    assert [(r.ok, r.message) for r in results] == [(True, "Invitation sent to al@example.com.")]


def test_a_forged_invitation_is_refused(client, page_instance):
    response = client.get(f"/enroll/{page_instance.slug}/?invite=forged")
    assert response.status_code == 404
    assert "The link is wrong or has expired." in response.content.decode()
