"""The public enrollment page over HTTP (Django's test client, real services, real DB)."""

import re

import pytest
from django.core import mail

from enrollments.models import Enrollment, EnrollmentStatusChange
from tests.enroll.conftest import FORM_CONFIG, good_post

pytestmark = pytest.mark.django_db


def strip_csrf(response):
    return re.sub(r'value="[^"]*"', "", response.content.decode())


def url(instance):
    return f"/enroll/{instance.slug}/"


def test_get_shows_branded_form_with_labels(client, page_instance):
    response = client.get(url(page_instance))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Sunny Rewards" in body and "--brand: #0b6bcb" in body
    assert "Sign up in two minutes." in body
    for label in ("First name", "Last name", "Email", "Mobile phone", "Street address", "ZIP code"):
        assert label in body
    assert "You agree to let us cycle your battery." in body
    assert 'name="consent"' in body
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


def test_post_creates_submitted_enrollment_with_consent(client, page_instance):
    response = client.post(url(page_instance), good_post(), HTTP_USER_AGENT="Phone/1.0")
    assert response.status_code == 200, response.content.decode()
    assert "Thanks! We will email you." in response.content.decode()
    enrollment = Enrollment.objects.get(email="ana@example.com")
    assert enrollment.status == "submitted"
    assert enrollment.source == "form"
    assert enrollment.consent["termsVersion"] == 1
    assert enrollment.consent["userAgent"] == "Phone/1.0"
    assert len(enrollment.consent["termsSha256"]) == 64
    steps = list(
        EnrollmentStatusChange.objects.filter(enrollment=enrollment).values_list(
            "to_status", flat=True
        )
    )
    assert steps == ["eligible", "submitted"]
    labels = set(
        EnrollmentStatusChange.objects.filter(enrollment=enrollment).values_list(
            "actor_label", flat=True
        )
    )
    assert labels == {"customer (enrollment page)"}


def test_all_errors_at_once_in_words(client, page_instance):
    response = client.post(
        url(page_instance), good_post(firstName="", email="not-an-email", phone="", consent=None)
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "First name: This field is required." in body
    assert "Email: Enter a valid email address, like name@example.com." in body
    assert "Mobile phone: This field is required." in body
    assert "Please accept the terms to enroll." in body
    assert "firstName:" not in body
    assert not Enrollment.objects.exists()


def test_ineligible_shows_reason_in_plain_words(client, page_instance):
    response = client.post(url(page_instance), good_post(state="TX", postalCode="73301"))
    assert response.status_code == 200
    assert "This program is not offered in your state." in response.content.decode()
    assert Enrollment.objects.get().status == "ineligible"


def test_spanish_page(client, page_instance):
    response = client.get(url(page_instance) + "?lang=es")
    body = response.content.decode()
    assert response["Content-Language"] == "es"
    assert "Nombre" in body and "Inscribirme" in body
    assert "First name" not in body
    response = client.get(url(page_instance), HTTP_ACCEPT_LANGUAGE="es-MX,es;q=0.9")
    assert "Inscribirme" in response.content.decode()


def test_unknown_slug_is_a_styled_404(client, db):
    response = client.get("/enroll/no-such-page/")
    assert response.status_code == 404
    assert "There is no enrollment page at this address." in response.content.decode()


def test_duplicate_creates_nothing_and_emails_link(client, page_instance, run_worker):
    new = client.post(url(page_instance), good_post())
    run_worker()
    (confirmation,) = [m for m in mail.outbox if m.to == ["ana@example.com"]]
    assert "/enroll/status/" in confirmation.body  # the submitted email carries the link
    mail.outbox.clear()

    again = client.post(url(page_instance), good_post(firstName="Someone"))
    assert Enrollment.objects.count() == 1
    # The same page as a new enrollment: it never tells whether the address is known.
    assert strip_csrf(again) == strip_csrf(new)
    run_worker()
    (message,) = mail.outbox
    assert message.to == ["ana@example.com"] and "/enroll/status/" in message.body


def test_spanish_customer_gets_spanish_emails(client, page_instance, run_worker):
    client.post(url(page_instance) + "?lang=es", good_post())
    enrollment = Enrollment.objects.get()
    assert enrollment.language == "es"
    run_worker()
    (message,) = [m for m in mail.outbox if m.to == ["ana@example.com"]]
    assert message.subject == "Recibimos su inscripción en Sunny Rewards"
    assert "Hola, Ana:" in message.body and "en revisión" in message.body
    assert "/enroll/status/" in message.body and "lang=es" in message.body


def test_operator_texts_per_language_with_fallback(client, make_instance, api):
    config = {
        **FORM_CONFIG,
        "translations": {
            "es": {
                "customTerms": "Usted acepta que ciclemos su batería.",
                "fields": {"phone": {"label": "Celular"}},
            }
        },
    }
    instance = make_instance(form_config=config)
    spanish = client.get(url(instance) + "?lang=es").content.decode()
    assert "Celular" in spanish and "Mobile phone" not in spanish
    assert "Usted acepta que ciclemos su batería." in spanish
    assert "Sign up in two minutes." in spanish  # no Spanish intro: the default text
    english = client.get(url(instance)).content.decode()
    assert "Mobile phone" in english and "Celular" not in english
    response = api.patch(
        f"/api/v1/programInstances/{instance.pk}",
        {"formConfig": {"translations": {"fr": {"introText": "Bonjour"}}}},
        format="json",
    )
    assert response.status_code == 400
    assert "Unknown language 'fr'" in response.json()["message"]


def test_a_known_address_gets_the_answer_a_new_one_would(client, page_instance, run_worker):
    client.post(url(page_instance), good_post())  # ana@example.com is now submitted
    known = client.post(url(page_instance), good_post(state="TX"))
    new = client.post(url(page_instance), good_post(email="new@example.com", state="TX"))
    assert strip_csrf(known) == strip_csrf(new)
    assert "This program is not offered in your state." in known.content.decode()
    assert Enrollment.objects.filter(email="ana@example.com").get().status == "submitted"
