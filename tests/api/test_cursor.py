"""Sync cursors: a client paging a table that changes under it never skips a row and never
gets the same version of a row twice (docs/api.md, "Sync cursors")."""

from datetime import timedelta

import pytest
from django.utils import timezone

from enrollments.models import Lead
from tests.enrollments.factories import EnrollmentFactory, LeadFactory


@pytest.fixture(autouse=True)
def _no_settle(settings):
    settings.API_CURSOR_SETTLE_SECONDS = 0


def _page(api, cursor, **params):
    response = api.get("/api/v1/leads", {"cursor": cursor, "perPage": 7, **params})
    assert response.status_code == 200, response.content
    return response.json()


def test_cursor_never_skips_or_repeats_while_rows_change(api, workspace):
    leads = [LeadFactory(workspace=workspace) for _ in range(30)]
    # Many rows share one timestamp: the id must break the ties.
    same = timezone.now() - timedelta(minutes=5)
    Lead.objects.filter(pk__in=[lead.pk for lead in leads[:20]]).update(updated_at=same)
    seen: list[tuple[str, str]] = []
    cursor, pages = "", 0
    while True:
        body = _page(api, cursor)
        assert set(body) == {"data", "perPage", "nextCursor", "hasMore"}
        seen += [(item["id"], item["updatedAt"]) for item in body["data"]]
        pages += 1
        if pages == 2:
            # Between pages: change one row already served and one not served yet, and add one.
            served, unserved = seen[0][0], leads[-1].pk
            assert unserved not in {pk for pk, _ in seen}
            for pk in (served, unserved):
                changed = api.patch(f"/api/v1/leads/{pk}", {"phone": "+15550001111"})
                assert changed.status_code == 200
            added = LeadFactory(workspace=workspace)
        cursor = body["nextCursor"]
        if not body["hasMore"]:
            break
    assert len(seen) == len(set(seen)), "a row version was served twice"
    ids = [pk for pk, _ in seen]
    assert set(ids) == {lead.pk for lead in leads} | {added.pk}
    # Only the row changed after it was served comes twice (its new version).
    assert [pk for pk in set(ids) if ids.count(pk) > 1] == [served]
    # The last version each row was served in is its current one.
    latest = {pk: updated for pk, updated in seen}
    for lead in Lead.objects.filter(pk__in=latest):
        assert latest[lead.pk] == api.get(f"/api/v1/leads/{lead.pk}").json()["updatedAt"]
    # Kept for later, the last cursor gives only what changed since.
    assert _page(api, cursor)["data"] == []
    api.patch(f"/api/v1/leads/{leads[3].pk}", {"phone": "+15550002222"})
    assert [item["id"] for item in _page(api, cursor)["data"]] == [leads[3].pk]


def test_cursor_works_with_filters_and_other_lists(api, workspace):

    enrollments = [EnrollmentFactory(workspace=workspace) for _ in range(3)]
    body = api.get("/api/v1/enrollments", {"cursor": "", "status": "candidate"}).json()
    assert {item["id"] for item in body["data"]} == {e.pk for e in enrollments}
    events = api.get("/api/v1/events", {"cursor": ""})
    assert events.status_code == 200
    assert "nextCursor" in events.json()


@pytest.mark.parametrize(
    "params",
    [{"cursor": "garbage"}, {"cursor": "WyIyMDI2IiwiYSJd:bad:sig"}, {"cursor": "", "page": 2}],
)
def test_bad_cursor_is_400(api, workspace, params):
    response = api.get("/api/v1/leads", params)
    assert response.status_code == 400
    assert response.json()["code"] == "VALIDATION_ERROR"


def test_rows_still_settling_are_held_back(api, workspace, settings):
    settings.API_CURSOR_SETTLE_SECONDS = 60
    old = LeadFactory(workspace=workspace)
    Lead.objects.filter(pk=old.pk).update(updated_at=timezone.now() - timedelta(minutes=5))
    LeadFactory(workspace=workspace)  # just written: may still be committing elsewhere
    assert [item["id"] for item in _page(api, "")["data"]] == [old.pk]
