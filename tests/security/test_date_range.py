"""One date rule on every door (issue 14, point 2): the API's range (config/datetimes.py) and
conversion to UTC hold in the dashboard's forms and in every admin form."""

import datetime as dt

import pytest
from django.contrib import admin
from django.db import models
from django.test import RequestFactory

from accounts.models import ApiKey
from config.datetimes import InRangeSplitDateTimeField
from instances.models import ProgramInstance
from tests.dashboard.test_instances import editor_post
from tests.enrollments.factories import ProgramFactory, ProgramInstanceFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

REFUSED = [
    ("0001-01-01T00:00", "Out of range"),
    ("0001-01-01T12:00+05:00", "Out of range"),
    ("9999-12-31T23:59:59-05:00", "Out of range"),  # year 10000 in UTC: was a 500 forever after
    ("9999-12-31T00:00", "Out of range"),
    ("10000-01-01T00:00", "Enter a valid date/time"),
]
# Offsets Python accepts but PostgreSQL (±15:59) does not: stored in UTC, so they are fine.
ACCEPTED = [
    ("2031-06-01T12:00+15:30", dt.datetime(2031, 5, 31, 20, 30, tzinfo=dt.UTC)),
    ("2031-06-01T12:00+22:00", dt.datetime(2031, 5, 31, 14, 0, tzinfo=dt.UTC)),
    ("2031-06-01T12:00-23:59", dt.datetime(2031, 6, 2, 11, 59, tzinfo=dt.UTC)),
    ("2031-06-01T12:00", dt.datetime(2031, 6, 1, 12, 0, tzinfo=dt.UTC)),
]


@pytest.mark.parametrize(("value", "message"), REFUSED)
def test_api_key_expiry_out_of_range_is_refused(dash, workspace, value, message):
    response = dash(role="admin").post(
        "/settings/api-keys/", {"name": "K", "full": "on", "expires_at": value}
    )
    assert response.status_code == 400 and message in response.content.decode()
    assert not ApiKey.objects.filter(name="K").exists()


@pytest.mark.parametrize(("value", "expected"), ACCEPTED)
def test_api_key_expiry_odd_offsets_are_stored_in_utc(dash, workspace, value, expected):
    client = dash(role="admin")
    assert (
        client.post(
            "/settings/api-keys/", {"name": "K", "full": "on", "expires_at": value}
        ).status_code
        == 200
    )
    assert ApiKey.objects.get(name="K").expires_at == expected
    assert client.get("/settings/api-keys/").status_code == 200


@pytest.mark.parametrize("field", ["start_date", "end_date"])
@pytest.mark.parametrize(("value", "message"), REFUSED)
def test_instance_editor_out_of_range_is_refused(dash, workspace, field, value, message):
    ProgramFactory(slug="p-dates")
    client = dash(role="admin")
    response = client.post("/instances/new/", editor_post("p-dates", **{field: value}))
    assert response.status_code == 400 and message in response.content.decode()
    assert not ProgramInstance.objects.exists()
    instance = ProgramInstanceFactory(workspace=workspace, name="Kept")
    response = client.post(
        f"/instances/{instance.pk}/edit/", editor_post(name="Kept", **{field: value})
    )
    assert response.status_code == 400 and message in response.content.decode()


@pytest.mark.parametrize(("value", "expected"), ACCEPTED)
def test_instance_editor_odd_offsets_are_stored_in_utc(dash, workspace, value, expected):
    instance = ProgramInstanceFactory(workspace=workspace, name="Dated")
    client = dash(role="admin")
    response = client.post(
        f"/instances/{instance.pk}/edit/", editor_post(name="Dated", start_date=value)
    )
    assert response.status_code == 302
    instance.refresh_from_db()
    assert instance.start_date == expected
    assert client.get(f"/instances/{instance.pk}/").status_code == 200


def test_every_admin_datetime_field_has_the_rule():
    """A walk over every registered admin's add form: no date field escapes the rule."""
    request = RequestFactory().get("/admin/")
    request.user = UserFactory(username="root", is_staff=True, is_superuser=True)
    checked = 0
    for model, model_admin in admin.site._registry.items():
        if not model_admin.has_add_permission(request):
            continue
        form = model_admin.get_form(request)
        for name, field in form.base_fields.items():
            db_field = next((f for f in model._meta.fields if f.name == name), None)
            if isinstance(db_field, models.DateTimeField):
                assert isinstance(field, InRangeSplitDateTimeField), (model, name)
                checked += 1
    assert checked >= 3  # instance start/end, API key expiry at least


@pytest.mark.parametrize(
    ("day", "time", "ok"),
    [
        ("0001-01-01", "00:00:00", False),
        ("9999-12-31", "23:59:59", False),
        ("10000-01-01", "00:00:00", False),
        ("2031-06-01", "12:00:00", True),
    ],
)
def test_admin_api_key_expiry_range(db, workspace, day, time, ok):
    from django.test import Client

    client = Client()
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    response = client.post(
        "/admin/accounts/apikey/add/",
        {"workspace": workspace.pk, "name": "AdminKey", "expires_at_0": day, "expires_at_1": time},
    )
    assert ApiKey.objects.filter(name="AdminKey").exists() is ok
    if not ok:
        assert response.status_code == 200
        body = response.content.decode()
        assert "Out of range" in body or "Enter a valid date" in body
