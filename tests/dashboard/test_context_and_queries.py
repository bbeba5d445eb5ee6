"""Issue 13 point 9 (sandbox banner, webhook delivery log with bodies and enrollment links) and
constant query counts on every dashboard page that lists rows."""

import pytest

from accounts.models import Workspace
from enrollments.services import enrollment_transition
from events.models import Event, WebhookAttempt, WebhookDelivery
from events.webhooks import webhook_create
from tests.enrollments.factories import EnrollmentFactory, ProgramInstanceFactory

pytestmark = pytest.mark.django_db


def test_sandbox_banner_only_in_the_sandbox(dash, workspace):
    sandbox = Workspace.objects.get(organization=workspace.organization, slug="sandbox")
    assert "sandbox-banner" in dash(role="viewer", ws=sandbox).get("/").content.decode()
    assert "sandbox-banner" not in dash(role="viewer").get("/").content.decode()


def test_delivery_log_shows_bodies_and_links_the_enrollment(dash, workspace, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS = True
    endpoint = webhook_create(workspace=workspace, url="http://127.0.0.1:9/hook")[0]
    enrollment = EnrollmentFactory(workspace=workspace, status="eligible")
    enrollment_transition(enrollment=enrollment, to="submitted", actor=None)
    event = Event.objects.for_workspace(workspace).get(
        enrollment_id=enrollment.pk, type="enrollment.status_changed"
    )
    delivery = WebhookDelivery.objects.for_workspace(workspace).get(event=event)  # the fan-out's
    WebhookAttempt.objects.create(
        delivery=delivery,
        attempted_at=delivery.created_at,
        status_code=422,
        response_body='{"error": "unknown customer"}',
    )
    html = dash(role="admin").get(f"/settings/webhooks/{endpoint.pk}/").content.decode()
    assert "Request body" in html and "&quot;submitted&quot;" in html
    assert "Response body" in html and "unknown customer" in html
    assert f'href="/enrollments/{enrollment.pk}/"' in html


def _grow(workspace, n):
    instance = ProgramInstanceFactory(workspace=workspace)
    for _ in range(n):
        e = EnrollmentFactory(workspace=workspace, program_instance=instance, status="eligible")
        enrollment_transition(enrollment=e, to="submitted", actor=None)
    return instance


@pytest.mark.parametrize(
    "path",
    ["/", "/enrollments/", "/review/", "/instances/", "/programs/", "/settings/api-keys/"],
)
def test_constant_queries_per_page(dash, workspace, path, django_assert_max_num_queries):
    client = dash(role="owner")
    _grow(workspace, 1)
    with django_assert_max_num_queries(40) as few:
        assert client.get(path).status_code == 200
    _grow(workspace, 6)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(path).status_code == 200
