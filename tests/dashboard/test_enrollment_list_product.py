"""Issue 13 point 3 (and 10's page size cap): the enrollments list as a real list."""

import csv
import io

import pytest

from dashboard.models import SavedFilter
from tests.enrollments.factories import EnrollmentFactory, ProgramInstanceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def rows(workspace):
    instance = ProgramInstanceFactory(workspace=workspace, name="Battery Rebate")
    made = []
    for i in range(130):
        made.append(
            EnrollmentFactory(
                workspace=workspace,
                program_instance=instance,
                status="submitted" if i % 2 else "candidate",
                device_capacity=i,
            )
        )
    return made


def test_per_page_above_100_is_capped(dash, rows):
    response = dash(role="viewer").get("/enrollments/?perPage=500")
    table = response.context["table"]
    assert len(table.page.object_list) == 100
    assert response.context["per_page"] == 100
    assert "Showing 1 to 100 of 130" in response.content.decode()


def test_status_pills_carry_the_value(dash, rows):
    html = dash(role="viewer").get("/enrollments/?perPage=10").content.decode()
    assert '<span class="status status-submitted">Submitted</span>' in html
    assert '<span class="status status-candidate">Candidate</span>' in html


def test_sort_direction_is_marked(dash, rows):
    html = dash(role="viewer").get("/enrollments/?sort=-capacity").content.decode()
    assert '<th class="desc num-col orderable" aria-sort="descending"' in html  # CSS arrow
    table = dash(role="viewer").get("/enrollments/?sort=-capacity").context["table"]
    assert table.page.object_list.data[0].device_capacity == 129


def test_columns_are_chosen_and_remembered(dash, rows):
    client = dash(role="viewer")
    html = client.get("/enrollments/?col=device&col=capacity&col=eligibility_reason").content
    html = html.decode()
    assert "Eligibility reason</" in html and ">Email</a>" not in html
    # Remembered for the next visit without the parameter.
    again = client.get("/enrollments/").context
    assert again["columns"] == ["device", "capacity", "eligibility_reason"]


def test_saved_filters_are_per_user(dash, workspace, rows, other_workspace):
    alice, bob = dash(role="viewer"), dash(role="viewer")
    response = alice.post(
        "/enrollments/saved-filters/",
        {"name": "Submitted", "query": "status=submitted&sort=-capacity&evil=1&page=3"},
    )
    assert response.status_code == 302
    saved = SavedFilter.objects.get()
    assert saved.query == "status=submitted&sort=-capacity"
    assert [f.name for f in alice.get("/enrollments/").context["saved_filters"]] == ["Submitted"]
    assert list(bob.get("/enrollments/").context["saved_filters"]) == []
    # Bob cannot delete Alice's filter.
    bob.post("/enrollments/saved-filters/", {"delete": saved.pk})
    assert SavedFilter.objects.filter(pk=saved.pk).exists()
    alice.post("/enrollments/saved-filters/", {"delete": saved.pk})
    assert not SavedFilter.objects.exists()


def test_saving_needs_a_name_and_filters(dash, rows):
    client = dash(role="viewer")
    client.post("/enrollments/saved-filters/", {"name": "", "query": "status=submitted"})
    client.post("/enrollments/saved-filters/", {"name": "Nothing", "query": ""})
    assert not SavedFilter.objects.exists()


def test_export_is_exactly_the_filtered_and_sorted_list(dash, rows):
    client = dash(role="viewer")
    listed = client.get("/enrollments/?status=submitted&sort=capacity&perPage=100")
    response = client.get("/enrollments/export.csv?status=submitted&sort=capacity")
    body = b"".join(response.streaming_content).decode()
    exported = list(csv.DictReader(io.StringIO(body)))
    assert len(exported) == listed.context["table"].paginator.count == 65
    capacities = [float(r["deviceCapacity"]) for r in exported]
    assert capacities == sorted(capacities)


def test_list_with_every_column_has_constant_queries(
    dash, workspace, django_assert_max_num_queries
):
    instance = ProgramInstanceFactory(workspace=workspace)
    client = dash(role="admin")
    cols = "&".join(f"col={c}" for c in ("device", "capacity", "eligibility_reason", "tags"))
    EnrollmentFactory(workspace=workspace, program_instance=instance)
    with django_assert_max_num_queries(30) as few:
        assert client.get(f"/enrollments/?{cols}").status_code == 200
    for _ in range(10):
        EnrollmentFactory(
            workspace=workspace, program_instance=ProgramInstanceFactory(workspace=workspace)
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(f"/enrollments/?{cols}").status_code == 200
