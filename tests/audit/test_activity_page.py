"""The dashboard's Activity page: owners and admins only, this workspace only, plain words,
filters, pagination and a constant number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db


def _entry(make_entry, workspace, **kwargs):
    kwargs.setdefault("actor", {"type": "user", "id": "u1", "name": "Ada Lovelace"})
    kwargs.setdefault("changes", {"endDate": [None, "2026-01-31"], "name": ["Old", "New"]})
    return make_entry(workspace, **kwargs)


@pytest.mark.parametrize(
    "role,status", [("owner", 200), ("admin", 200), ("operator", 403), ("viewer", 403)]
)
def test_only_owners_and_admins(dash, role, status):
    client = dash(role=role)
    assert client.get("/activity/").status_code == status
    nav = client.get("/").content.decode()
    assert ('href="/activity/"' in nav) == (status == 200)


def test_plain_words_and_this_workspace_only(dash, workspace, other_workspace, make_entry):
    _entry(make_entry, workspace)
    _entry(make_entry, other_workspace, actor={"type": "user", "id": "u2", "name": "Mallory"})
    html = dash(role="owner").get("/activity/").content.decode()
    assert "Ada Lovelace" in html
    assert "Changed the program instance" in html
    assert "End date: nothing → 2026-01-31" in html
    assert "Name: Old → New" in html
    assert "Mallory" not in html
    assert "programInstance.updated" not in html and "endDate" not in html


def test_filters_and_bad_filter(dash, workspace, make_entry):
    _entry(make_entry, workspace, object_type="program", object_id="p1", action="program.updated")
    _entry(make_entry, workspace, actor={"type": "apiKey", "id": "k1", "name": "CRM key"})
    client = dash(role="admin")
    html = client.get("/activity/", {"objectType": "program"}).content.decode()
    assert "Changed the program" in html and "CRM key" not in html
    assert "CRM key" in client.get("/activity/", {"actorId": "k1"}).content.decode()
    response = client.get("/activity/", {"since": "not a date"})
    assert response.status_code == 200
    assert "Check the filters" in response.content.decode()


def test_pages_and_constant_queries(dash, workspace, make_entry):
    client = dash(role="owner")
    _entry(make_entry, workspace)
    client.get("/activity/")
    with CaptureQueriesContext(connection) as one:
        assert client.get("/activity/").status_code == 200
    for _ in range(60):
        _entry(make_entry, workspace)
    with CaptureQueriesContext(connection) as many:
        response = client.get("/activity/")
    assert response.status_code == 200
    assert len(many) == len(one), [q["sql"] for q in many.captured_queries]
    assert "Page 1 of 2" in response.content.decode()
    assert client.get("/activity/", {"page": 2}).status_code == 200
