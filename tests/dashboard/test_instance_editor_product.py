"""Issue 13 points 6 and 7 (server side): the instance editor shows every problem at once, in
words, and its test panel runs the API's dry run on the rules being edited."""

import pytest

from instances.models import ProgramInstance
from tests.dashboard.test_instances import editor_post
from tests.enrollments.factories import ProgramFactory

pytestmark = pytest.mark.django_db


def test_every_problem_at_once_in_plain_words(dash, workspace):
    ProgramFactory(slug="p1")
    response = dash(role="admin").post(
        "/instances/new/",
        editor_post(
            "p1",
            start_date="2026-05-01T00:00",
            end_date="2026-04-01T00:00",
            **{"rules-postal_codes": "112, 10001", "rules-exclude_program_slugs": " "},
        ),
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_end_date_error"' in html  # the form's own check
    assert "“112” is not a postal code" in html  # the service's validator, at the same time
    assert response.context["error_count"] == 2
    assert "Invalid: 112" not in html
    assert not ProgramInstance.objects.exists()


def test_cross_rule_message_names_no_api_field(dash, workspace):
    ProgramFactory(slug="p1")
    response = dash(role="admin").post(
        "/instances/new/",
        editor_post("p1", **{"rules-minimum_capacity": "10", "rules-maximum_capacity": "5"}),
    )
    html = response.content.decode()
    assert "Must not exceed maximum capacity." in html
    assert "maximumCapacity" not in html


def test_dry_run_panel_uses_the_rules_being_edited(dash, workspace):
    ProgramFactory(slug="p1", states=["NY", "NJ"])
    client = dash(role="admin")
    data = editor_post(
        "p1",
        dry_run="1",
        **{"try-state": "NJ", "try-device_type": "battery", "try-capacity": "8"},
    )
    panel = client.post("/instances/new/", data, HTTP_HX_REQUEST="true")
    assert panel.status_code == 200
    assert "Not eligible" in panel.content.decode()
    assert "<html" not in panel.content.decode()  # only the panel
    data["rules-regions"] = ["NY", "NJ"]
    passing = client.post("/instances/new/", data, HTTP_HX_REQUEST="true").content.decode()
    assert "✓ Eligible" in passing
    assert not ProgramInstance.objects.exists()  # a test never saves


def test_form_fields_table_in_words(dash, workspace):
    ProgramFactory(slug="p1")
    html = dash(role="admin").get("/instances/new/?program=p1").content.decode()
    assert "First name" in html and "Manufacturers" in html
    assert "<code>firstName</code>" not in html and "manufacturerSlugs</" not in html


def test_403_names_no_scope(dash):
    response = dash(role="viewer").get("/review/")
    html = response.content.decode()
    assert response.status_code == 403
    assert "enrollments:review" not in html
    assert "approve or reject submitted enrollments" in html


def test_timeline_in_words(dash, workspace):
    from enrollments.services import enrollment_transition
    from tests.enrollments.factories import EnrollmentFactory

    enrollment = EnrollmentFactory(workspace=workspace, status="eligible")
    enrollment_transition(enrollment=enrollment, to="submitted", actor=None)
    html = dash(role="admin").get(f"/enrollments/{enrollment.pk}/").content.decode()
    assert "Eligible → Submitted" in html
    assert "enrollment.status_changed" not in html


def test_api_key_scopes_are_described(dash, workspace):
    from tests.factories import make_api_key

    make_api_key(workspace, name="Reader", scopes=["enrollments:read"])
    html = dash(role="owner").get("/settings/api-keys/").content.decode()
    assert "See enrollments and their history" in html
    assert "Approve or reject submitted enrollments (enrollments:review)" in html
