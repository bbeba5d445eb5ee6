# ruff: noqa: F811  (pytest fixtures imported from other conftest modules)
"""A customer enrolls on the public page in a real browser (Chromium), on a 390 px phone and on
a desktop, in English and Spanish; closed pages, status links and invitations.

With GRIDPROGRAMS_DOC_SCREENSHOTS=1 the screenshots of docs/self-enrollment.md are refreshed
(docs/img/); otherwise they go to test-artifacts/ like the other browser tests'."""

import os
from pathlib import Path

import pytest
from django.core import mail
from playwright.sync_api import expect

from enrollments.models import Enrollment
from enrollments.services.invitations import enrollment_invite
from enrollments.tokens import status_token_make
from instances.services import instance_set_status

# Fixtures shared with tests/enroll (the real instance service, the real task worker).
from tests.enroll.conftest import make_instance  # noqa: F401
from tests.events.conftest import run_worker  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)

DOCS_IMG = Path(__file__).resolve().parents[2] / "docs" / "img"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 860}


@pytest.fixture
def doc_shot(shoot):
    def take(page, name):
        if os.environ.get("GRIDPROGRAMS_DOC_SCREENSHOTS") == "1":
            DOCS_IMG.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(DOCS_IMG / f"{name}.png"))
        else:
            shoot(page, name)

    return take


def fill_form(page, *, spanish=False, state="CA"):
    labels = {
        "first": "Nombre" if spanish else "First name",
        "last": "Apellidos" if spanish else "Last name",
        "email": "Correo electrónico" if spanish else "Email",
        "street": "Calle y número" if spanish else "Street address",
        "city": "Ciudad" if spanish else "City",
        "state": "Estado" if spanish else "State",
        "zip": "Código postal" if spanish else "ZIP code",
        "device": "Tipo de equipo" if spanish else "Device type",
        "consent": "He leído y acepto las condiciones." if spanish else "I have read and accept",
    }
    page.get_by_label(labels["first"]).fill("Ana")
    page.get_by_label(labels["last"]).fill("López")
    page.get_by_label(labels["email"]).fill("ana@example.com")
    page.get_by_label("Mobile phone").fill("555-0100")
    page.get_by_label(labels["street"]).fill("1 Main St")
    page.get_by_label(labels["city"]).fill("Fresno")
    page.get_by_label(labels["state"]).select_option(state)  # a list of the program's states
    page.get_by_label(labels["zip"]).fill("93650")
    page.get_by_label(labels["device"]).fill("battery")
    page.get_by_label(labels["consent"]).check()


@pytest.mark.parametrize(
    "viewport, lang", [(PHONE, "en"), (DESKTOP, "en"), (PHONE, "es"), (DESKTOP, "es")]
)
def test_customer_enrolls(live_server, page, make_instance, doc_shot, viewport, lang):
    instance = make_instance()
    page.set_viewport_size(viewport)
    spanish = lang == "es"
    page.goto(f"{live_server.url}/enroll/{instance.slug}/" + ("?lang=es" if spanish else ""))
    heading = "Inscríbase en Sunny Rewards" if spanish else "Enroll in Sunny Rewards"
    expect(page.get_by_role("heading", name=heading)).to_be_visible()
    size = "phone" if viewport is PHONE else "desktop"
    # Submitting empty shows every problem at once, at the top and beside each field.
    page.get_by_role("button", name="Inscribirme" if spanish else "Enroll").click()
    alert = page.get_by_role("alert").first
    expect(alert).to_contain_text("Nombre:" if spanish else "First name:")
    expect(alert).to_contain_text("Mobile phone:")
    if not spanish:
        doc_shot(page, f"enroll-errors-{size}")
    fill_form(page, spanish=spanish)
    if viewport is PHONE and not spanish:
        doc_shot(page, "enroll-form-phone")
    page.get_by_role("button", name="Inscribirme" if spanish else "Enroll").click()
    thanks = "¡Gracias! Le escribiremos." if spanish else "Thanks! We will email you."
    expect(page.get_by_text(thanks)).to_be_visible()
    doc_shot(page, f"enroll-confirmation-{size}-{lang}")
    enrollment = Enrollment.objects.get(email="ana@example.com")
    assert enrollment.status == "submitted"
    assert enrollment.source == "form"
    assert enrollment.consent["termsVersion"] == 1
    assert enrollment.consent["userAgent"]
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]


def test_ineligible_address_shows_its_reason(live_server, page, make_instance, doc_shot):
    instance = make_instance()
    page.goto(f"{live_server.url}/enroll/{instance.slug}/")
    fill_form(page, state="TX")
    page.get_by_role("button", name="Enroll").click()
    expect(page.get_by_text("This program is not offered in your state.")).to_be_visible()
    doc_shot(page, "enroll-ineligible")
    assert Enrollment.objects.get().status == "ineligible"


def test_closed_instance_shows_the_closed_page(live_server, page, make_instance, doc_shot):
    instance = make_instance()
    instance_set_status(instance=instance, status="inactive")
    page.goto(f"{live_server.url}/enroll/{instance.slug}/")
    expect(page.get_by_role("heading", name="Enrollment is closed")).to_be_visible()
    expect(page.get_by_text("Enrollment is paused for now.")).to_be_visible()
    expect(page.get_by_label("First name")).to_have_count(0)
    doc_shot(page, "enroll-closed")


def test_status_link_valid_invalid_expired(live_server, page, make_instance, doc_shot, settings):
    instance = make_instance()
    page.goto(f"{live_server.url}/enroll/{instance.slug}/")
    fill_form(page)
    page.get_by_role("button", name="Enroll").click()
    expect(page.get_by_text("Thanks! We will email you.")).to_be_visible()
    enrollment = Enrollment.objects.get()
    token = status_token_make(enrollment_id=enrollment.pk).token
    page.goto(f"{live_server.url}/enroll/status/{token}/")
    expect(page.get_by_text("Received, awaiting review", exact=True)).to_be_visible()
    doc_shot(page, "enroll-status")
    page.goto(f"{live_server.url}/enroll/status/{token[:-3]}xyz/")
    expect(page.get_by_role("heading", name="This link does not work")).to_be_visible()
    settings.ENROLL_STATUS_DAYS = 0
    page.goto(f"{live_server.url}/enroll/status/{token}/")
    expect(page.get_by_text("The link is wrong or has expired.")).to_be_visible()


def test_invitation_completes_the_existing_enrollment(
    live_server,
    page,
    make_instance,
    run_worker,
):
    from tests.enroll.test_required_and_invites import eligible_without_phone

    instance = make_instance()
    enrollment = eligible_without_phone(instance)
    enrollment_invite(enrollment=enrollment, actor=None)
    run_worker()
    (message,) = mail.outbox
    link = next(word for word in message.body.split() if "?invite=" in word)
    page.goto(live_server.url + "/" + link.split("://", 1)[1].split("/", 1)[1])
    expect(page.get_by_label("First name")).to_have_value("Al")
    page.get_by_label("Mobile phone").fill("555-0101")
    page.get_by_label("Street address").fill("2 Oak Ave")
    page.get_by_label("City").fill("Fresno")
    page.get_by_label("ZIP code").fill("93650")
    page.get_by_label("I have read and accept").check()
    page.get_by_role("button", name="Enroll").click()
    expect(page.get_by_text("Thanks! We will email you.")).to_be_visible()
    assert Enrollment.objects.count() == 1
    enrollment.refresh_from_db()
    assert enrollment.status == "submitted" and enrollment.phone == "555-0101"
