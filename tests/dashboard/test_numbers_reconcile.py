"""Issue 13, points 1 and 4: the review queue holds only decidable rows, and every number on the
overview reconciles with the table under it and with the enrollments list."""

from datetime import timedelta

import pytest
from django.utils import timezone

from enrollments.services import enrollment_transition
from instances.services import instance_set_status
from tests.enrollments.factories import EnrollmentFactory, ProgramInstanceFactory

pytestmark = pytest.mark.django_db


def submitted(workspace, instance, **kwargs):
    enrollment = EnrollmentFactory(
        workspace=workspace, program_instance=instance, status="eligible", **kwargs
    )
    return enrollment_transition(enrollment=enrollment, to="submitted", actor=None)


@pytest.fixture
def two_instances(workspace):
    live = ProgramInstanceFactory(workspace=workspace, name="Live")
    archived = ProgramInstanceFactory(workspace=workspace, name="Old")
    return live, archived


def test_queue_and_counts_leave_out_archived_instances(dash, workspace, two_instances):
    live, archived = two_instances
    keep = submitted(workspace, live)
    gone = submitted(workspace, archived)
    instance_set_status(instance=archived, status="archived")
    client = dash(role="admin")
    queue = client.get("/review/")
    assert [e.pk for e in queue.context["enrollments"]] == [keep.pk]
    assert gone.pk not in queue.content.decode()
    assert client.get("/").context["review_queue"] == 1


def test_refused_decision_shows_the_real_state(dash, workspace, two_instances):
    live, _ = two_instances
    enrollment = submitted(workspace, live)
    client = dash(role="admin")
    # Decided elsewhere (another reviewer, the API) after the page was loaded.
    enrollment_transition(enrollment=enrollment, to="approved", actor=None)
    row = client.post(
        f"/review/{enrollment.pk}/", {"decision": "rejected", "reason": "x"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "Now approved" in row
    assert 'name="decision"' not in row  # no buttons left on an undecidable row


def test_refused_for_archived_instance_drops_buttons(dash, workspace, two_instances):
    live, _ = two_instances
    enrollment = submitted(workspace, live)
    client = dash(role="admin")
    instance_set_status(instance=live, status="archived")
    row = client.post(
        f"/review/{enrollment.pk}/", {"decision": "approved"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "instance archived" in row and 'name="decision"' not in row


def test_tiles_table_and_list_agree(dash, workspace, two_instances):
    live, archived = two_instances
    for status in ("candidate", "approved", "approved", "submitted"):
        EnrollmentFactory(workspace=workspace, program_instance=live, status=status)
    EnrollmentFactory(workspace=workspace, program_instance=archived, status="approved")
    instance_set_status(instance=archived, status="archived")
    client = dash(role="admin")
    context = client.get("/").context
    rows = context["instances"]
    assert [r["instance"].name for r in rows] == ["Live"]
    assert context["total"] == sum(r["total"] for r in rows) == 4
    assert context["totals"]["approved"] == 2
    # The tile's link leads to a list with the same number (archived rows aside).
    listed = client.get(f"/enrollments/?status=approved&programInstanceId={live.pk}")
    assert listed.context["table"].paginator.count == 2


def test_live_means_active_and_within_dates(dash, workspace):
    now = timezone.now()
    ProgramInstanceFactory(workspace=workspace, name="Open")
    ProgramInstanceFactory(workspace=workspace, name="Later", start_date=now + timedelta(days=3))
    ended = ProgramInstanceFactory(
        workspace=workspace,
        name="Ended",
        start_date=now - timedelta(days=30),
        end_date=now - timedelta(days=1),
    )
    paused = ProgramInstanceFactory(workspace=workspace, name="Paused")
    instance_set_status(instance=paused, status="inactive")
    context = dash(role="viewer").get("/").context
    assert context["live_count"] == 1
    live = {r["instance"].name: r["instance"].is_live for r in context["instances"]}
    assert live == {"Ended": False, "Later": False, "Open": True, "Paused": False}
    assert ended.pk


def test_funnel_says_ever_and_tiles_say_now(dash, workspace, two_instances):
    live, _ = two_instances
    EnrollmentFactory(workspace=workspace, program_instance=live, status="unenrolled")
    html = dash(role="viewer").get("/").content.decode()
    assert "ever approved" in html and "approved now" in html


@pytest.mark.parametrize(
    ("query", "days", "error"),
    [
        ("", 30, False),
        ("?range=7", 7, False),
        ("?range=90", 90, False),
        ("?range=5", 30, True),
        ("?range=custom&from=2026-01-01&to=2026-01-10", 10, False),
        ("?range=custom&from=2026-01-10&to=2026-01-01", 30, True),
        ("?range=custom&from=nope&to=2026-01-01", 30, True),
    ],
)
def test_range_picker(dash, workspace, query, days, error):
    response = dash(role="viewer").get("/" + query)
    assert response.status_code == 200
    assert response.context["created_chart"]["days"] == days
    assert bool(response.context["date_range"].error) is error


def test_chart_counts_days_in_the_workspace_zone(dash, workspace, two_instances):
    live, _ = two_instances
    workspace.time_zone = "America/Los_Angeles"
    workspace.save()
    enrollment = EnrollmentFactory(workspace=workspace, program_instance=live)
    response = dash(role="viewer").get("/?range=7")
    bars = response.context["created_chart"]["bars"]
    local_day = timezone.localtime(enrollment.created_at, timezone=_zone("America/Los_Angeles"))
    by_day = {b["day"]: sum(p.value for p in b["parts"]) for b in bars}
    assert by_day[local_day.date()] == 1
    assert "America/Los_Angeles" in response.content.decode()


def _zone(name):
    import zoneinfo

    return zoneinfo.ZoneInfo(name)


def test_instance_charts_page(dash, workspace, two_instances, other_workspace):
    live, _ = two_instances
    submitted(workspace, live)
    client = dash(role="viewer")
    response = client.get(f"/instances/{live.pk}/charts/")
    assert response.status_code == 200
    assert response.context["total"] == 1
    foreign = ProgramInstanceFactory(workspace=other_workspace)
    assert client.get(f"/instances/{foreign.pk}/charts/").status_code == 404


def test_charts_have_axes_and_tooltips(dash, workspace, two_instances):
    html = dash(role="viewer").get("/?range=7").content.decode()
    assert 'class="axis"' in html and 'class="tick"' in html
    assert html.count('<g class="day"') == 14  # 7 days in each of two charts, each with a <title>


def test_instance_charts_constant_queries(dash, workspace, django_assert_max_num_queries):
    instance = ProgramInstanceFactory(workspace=workspace)
    client = dash(role="viewer")
    with django_assert_max_num_queries(20) as few:
        assert client.get(f"/instances/{instance.pk}/charts/").status_code == 200
    for _ in range(4):
        submitted(workspace, instance)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(f"/instances/{instance.pk}/charts/").status_code == 200


def test_time_zone_setting(dash, workspace):
    admin = dash(role="admin")
    response = admin.post("/settings/workspace/time-zone/", {"time_zone": "America/New_York"})
    assert response.status_code == 302
    workspace.refresh_from_db()
    assert workspace.time_zone == "America/New_York"
    html = admin.get("/settings/").content.decode()
    assert "America/New_York" in html
    admin.post("/settings/workspace/time-zone/", {"time_zone": "Mars/Olympus"}, follow=True)
    workspace.refresh_from_db()
    assert workspace.time_zone == "America/New_York"
    assert (
        dash(role="operator")
        .post("/settings/workspace/time-zone/", {"time_zone": "UTC"})
        .status_code
        == 403
    )


def test_times_render_in_the_workspace_zone(dash, workspace):
    from datetime import UTC, datetime

    from enrollments.models import Enrollment

    workspace.time_zone = "Asia/Tokyo"
    workspace.save()
    enrollment = EnrollmentFactory(workspace=workspace)
    Enrollment.objects.filter(pk=enrollment.pk).update(
        created_at=datetime(2026, 3, 1, 20, 30, tzinfo=UTC)
    )
    html = dash(role="viewer").get(f"/enrollments/{enrollment.pk}/").content.decode()
    assert "2026-03-02 05:30" in html  # 20:30 UTC is 05:30 the next day in Tokyo
    # The API is untouched by the dashboard's zone.
    assert timezone.get_current_timezone_name() == "UTC"
