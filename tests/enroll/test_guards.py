"""Abuse guards and closed pages of the public enrollment page."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from enrollments.models import Enrollment
from instances.services import instance_set_status
from tests.enroll.conftest import good_post

pytestmark = pytest.mark.django_db


def url(instance):
    return f"/enroll/{instance.slug}/"


def test_honeypot_answers_like_success_and_creates_nothing(client, page_instance):
    response = client.post(url(page_instance), good_post(website="http://spam.example"))
    assert response.status_code == 200
    assert "Thanks! We will email you." in response.content.decode()
    assert not Enrollment.objects.exists()


def test_rate_limit_per_ip_gives_a_429_page(client, page_instance, settings):
    settings.ENROLL_RATE_LIMIT_PER_MINUTE = 3
    for _ in range(3):
        assert client.post(url(page_instance), good_post(email="")).status_code == 400
    response = client.post(url(page_instance), good_post())
    assert response.status_code == 429
    assert int(response["Retry-After"]) >= 1
    assert "Please wait a minute" in response.content.decode()
    assert not Enrollment.objects.exists()
    # Another address is not affected.
    other = client.post(url(page_instance), good_post(), REMOTE_ADDR="10.0.0.9")
    assert other.status_code == 200


def test_body_size_limit(client, page_instance, settings):
    settings.ENROLL_MAX_BODY_BYTES = 2000
    response = client.post(url(page_instance), good_post(lastName="x" * 5000))
    assert response.status_code == 413
    assert not Enrollment.objects.exists()


def test_bad_input_is_a_form_error_never_a_500(client, page_instance):
    response = client.post(url(page_instance), good_post(deviceCapacity="lots", lastName="y" * 300))
    assert response.status_code == 400
    body = response.content.decode()
    assert "Last name: At most 100 characters (this has 300)." in body


def test_csrf_is_enforced(page_instance):
    response = Client(enforce_csrf_checks=True).post(url(page_instance), good_post())
    assert response.status_code == 403
    assert not Enrollment.objects.exists()


@pytest.mark.parametrize(
    "change, words",
    [
        ({"start_date": timezone.now() + timedelta(days=3)}, "Enrollment has not opened yet."),
        (
            {
                "start_date": timezone.now() - timedelta(days=9),
                "end_date": timezone.now() - timedelta(days=1),
            },
            "Enrollment has closed.",
        ),
    ],
)
def test_closed_by_dates(client, make_instance, change, words):
    instance = make_instance(**change)
    response = client.get(url(instance))
    assert words in response.content.decode()
    assert 'name="firstName"' not in response.content.decode()
    assert client.post(url(instance), good_post()).status_code == 200
    assert not Enrollment.objects.exists()


def test_closed_when_inactive_archived_or_program_inactive(client, page_instance):
    instance_set_status(instance=page_instance, status="inactive")
    assert "Enrollment is paused" in client.get(url(page_instance)).content.decode()
    instance_set_status(instance=page_instance, status="archived")
    assert "has closed" in client.get(url(page_instance)).content.decode()
    instance_set_status(instance=page_instance, status="active")
    page_instance.program.active = False
    page_instance.program.save()
    body = client.get(url(page_instance) + "?lang=es").content.decode()
    assert "Este programa no acepta inscripciones por ahora." in body


def test_embed_origins_allow_framing(client, make_instance):
    config = {"embedOrigins": ["https://www.utility.example"]}
    instance = make_instance(form_config=config)
    response = client.get(url(instance))
    assert "frame-ancestors https://www.utility.example" in response["Content-Security-Policy"]
    assert "X-Frame-Options" not in response


def test_embed_origins_are_validated(api, make_instance):
    instance = make_instance()
    response = api.patch(
        f"/api/v1/programInstances/{instance.pk}",
        {"formConfig": {"embedOrigins": ["http://insecure.example/path"]}},
        format="json",
    )
    assert response.status_code == 400
    assert "formConfig.embedOrigins[0]: Must be an https origin" in response.json()["message"]


def test_an_excluded_program_is_a_reason_in_words(client, make_instance, page_instance):
    client.post(url(page_instance), good_post())  # submitted in "Sunny Rewards"
    other = make_instance(
        name="Cool Rewards",
        eligibility_criteria={"excludeProgramSlugs": [page_instance.program.slug]},
    )
    response = client.post(url(other), good_post())
    assert response.status_code == 409
    body = response.content.decode()
    assert "cannot be combined with this one" in body
    assert "excludeProgramSlugs" not in body


def test_public_pages_run_a_constant_number_of_queries(
    client, page_instance, django_assert_max_num_queries
):
    with django_assert_max_num_queries(3):
        assert client.get(url(page_instance)).status_code == 200
    client.post(url(page_instance), good_post())
    from enrollments.models import Enrollment
    from enrollments.tokens import status_token_make

    token = status_token_make(enrollment_id=Enrollment.objects.get().pk).token
    with django_assert_max_num_queries(3):
        assert client.get(f"/enroll/status/{token}/").status_code == 200
