"""Status, archived read-only, criteria versions, delete refusal and the outbox events."""

import datetime as dt

import pytest
from django.db.models import ProtectedError

from config.errors import ConflictError
from events.models import Event
from instances import services
from instances.models import ProgramInstance
from instances.services import (
    instance_as_dict,
    instance_create,
    instance_delete,
    instance_set_status,
    instance_update,
)
from tests.factories import ProgramFactory, ProgramInstanceFactory


def _url(instance):
    return f"/api/v1/programInstances/{instance.pk}"


def _events(instance, type_=None):
    qs = Event.objects.filter(program_instance_id=instance.pk).order_by("created_at", "id")
    return list(qs.filter(type=type_) if type_ else qs)


def test_status_changes_through_patch_and_records_events(api, workspace):
    instance = ProgramInstanceFactory(workspace=workspace)
    for status in ("inactive", "active", "archived", "inactive", "active"):
        response = api.patch(_url(instance), {"status": status})
        assert response.status_code == 200, response.content
        assert response.json()["status"] == status
    updates = _events(instance, "programInstance.updated")
    assert [e.data["object"]["status"] for e in updates] == [
        "inactive",
        "active",
        "archived",
        "inactive",
        "active",
    ]
    # The same status again changes nothing and records nothing.
    api.patch(_url(instance), {"status": "active"})
    assert len(_events(instance, "programInstance.updated")) == 5


def test_status_field_is_protected(db):
    instance = ProgramInstanceFactory()
    with pytest.raises(AttributeError):
        instance.status = "archived"


def test_archived_instances_are_read_only(api, workspace):
    instance = ProgramInstanceFactory(workspace=workspace, description="Kept")
    api.patch(_url(instance), {"status": "archived"})
    for body in (
        {"description": "Changed"},
        {"eligibilityCriteria": {"regions": ["NY"]}},
        {"status": "inactive", "description": "Changed"},
        {"formConfig": {"brandColor": "#000000"}},
    ):
        response = api.patch(_url(instance), body, format="json")
        assert response.status_code == 409, body
        assert response.json()["code"] == "CONFLICT"
        assert "archived" in response.json()["message"]
    instance.refresh_from_db()
    assert instance.description == "Kept"
    assert instance.status == "archived"
    # Unchanged values are not changes; restoring is allowed, then edits are.
    assert api.patch(_url(instance), {"description": "Kept"}).status_code == 200
    assert api.patch(_url(instance), {"status": "inactive"}).json()["status"] == "inactive"
    assert api.patch(_url(instance), {"description": "Changed"}).status_code == 200


def test_criteria_version_bumps_only_when_rules_change(api, workspace):
    instance = ProgramInstanceFactory(workspace=workspace)
    assert instance.criteria_version == 1

    def patch(body):
        response = api.patch(_url(instance), body, format="json")
        assert response.status_code == 200, response.content
        return response.json()["criteriaVersion"]

    assert patch({"eligibilityCriteria": {"regions": ["NY"]}}) == 2
    assert patch({"eligibilityCriteria": {"regions": ["ny"]}}) == 2  # same after normalising
    assert patch({"description": "other"}) == 2
    assert patch({"eligibilityCriteria": {"regions": ["NY"], "minimumCapacity": 5}}) == 3
    assert patch({"eligibilityCriteria": "Text for people."}) == 4
    assert patch({"eligibilityCriteria": None}) == 5
    instance.refresh_from_db()
    assert instance.criteria_version == 5


def test_delete_writes_a_deleted_event_with_the_last_state(api, workspace):
    instance = ProgramInstanceFactory(workspace=workspace)
    before = api.get(_url(instance)).json()
    assert api.delete(_url(instance)).status_code == 204
    deleted = _events(instance, "programInstance.deleted")
    assert len(deleted) == 1
    assert deleted[0].data["object"] == before
    assert deleted[0].workspace_id == workspace.pk


def test_delete_with_enrollments_is_409_suggesting_archive(api, workspace, monkeypatch):
    instance = ProgramInstanceFactory(workspace=workspace)
    monkeypatch.setattr(services, "_enrollment_count", lambda instance: 3)
    response = api.delete(_url(instance))
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "CONFLICT"
    assert "3 enrollment(s)" in body["message"]
    assert "archiv" in body["message"].lower()
    assert body["details"]["suggestion"] == "archive"
    assert ProgramInstance.objects.filter(pk=instance.pk).exists()
    assert not _events(instance, "programInstance.deleted")


def test_delete_refused_when_the_database_protects_enrollments(api, workspace, monkeypatch):
    """An enrollment created after the count (or an unknown protecting relation) surfaces as
    ProtectedError from the collector: still a 409, and nothing is deleted."""
    instance = ProgramInstanceFactory(workspace=workspace)

    def protected(self, *args, **kwargs):
        raise ProtectedError("protected", set())

    monkeypatch.setattr(ProgramInstance, "delete", protected)
    response = api.delete(_url(instance))
    assert response.status_code == 409
    assert response.json()["details"]["suggestion"] == "archive"
    assert ProgramInstance.objects.filter(pk=instance.pk).exists()
    assert not _events(instance)


def test_events_carry_the_api_representation(api, workspace):
    program = ProgramFactory()
    created = api.post(
        "/api/v1/programInstances", {"programSlug": program.slug, "name": "Evented"}
    ).json()
    instance = ProgramInstance.objects.get(pk=created["id"])
    [event] = _events(instance, "programInstance.created")
    assert event.data == {"object": created}
    assert event.workspace_id == workspace.pk
    patched = api.patch(_url(instance), {"title": "Renamed"}).json()
    [update] = _events(instance, "programInstance.updated")
    assert update.data["object"] == patched


def test_events_are_written_in_the_same_transaction(workspace, monkeypatch):
    """If recording the event fails, the change is rolled back (and vice versa)."""
    program = ProgramFactory()

    def boom(**kwargs):
        raise RuntimeError("outbox down")

    monkeypatch.setattr(services, "event_record", boom)
    with pytest.raises(RuntimeError):
        instance_create(workspace=workspace, program=program, data={"name": "Lost"})
    assert not ProgramInstance.objects.filter(name="Lost").exists()

    instance = ProgramInstanceFactory(workspace=workspace, description="Before")
    with pytest.raises(RuntimeError):
        instance_update(instance=instance, data={"description": "After"})
    instance.refresh_from_db()
    assert instance.description == "Before"
    with pytest.raises(RuntimeError):
        instance_set_status(instance=instance, status="archived")
    instance.refresh_from_db()
    assert instance.status == "active"
    with pytest.raises(RuntimeError):
        instance_delete(instance=instance)
    assert ProgramInstance.objects.filter(pk=instance.pk).exists()


def test_failed_write_records_no_event(api, workspace):
    instance = ProgramInstanceFactory(workspace=workspace)
    api.patch(_url(instance), {"status": "archived"})
    count = Event.objects.count()
    assert api.patch(_url(instance), {"description": "x"}).status_code == 409
    assert Event.objects.count() == count


def test_service_rejects_program_of_another_organization(workspace, other_workspace):
    theirs = ProgramFactory(visibility="private", organization=other_workspace.organization)
    from config.errors import DomainValidationError

    with pytest.raises(DomainValidationError):
        instance_create(workspace=workspace, program=theirs, data={"name": "Sneaky"})


def test_service_update_of_archived_instance_is_conflict(workspace):
    instance = ProgramInstanceFactory(workspace=workspace)
    instance_set_status(instance=instance, status="archived")
    with pytest.raises(ConflictError):
        instance_update(instance=instance, data={"name": "New"})


def test_instance_as_dict_is_json(workspace):
    instance = ProgramInstanceFactory(
        workspace=workspace, start_date=dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    )
    data = instance_as_dict(instance=instance)
    assert data["startDate"] == "2025-01-01T00:00:00Z"
    assert data["id"] == instance.pk


# --- enrollment_block_reason ---------------------------------------------------------------------
NOW = dt.datetime(2025, 6, 1, 12, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("fields", "program_fields", "expected"),
    [
        ({}, {}, None),
        (
            {
                "start_date": dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
                "end_date": dt.datetime(2025, 12, 31, tzinfo=dt.UTC),
            },
            {},
            None,
        ),
        ({"status": "inactive"}, {}, "inactive"),
        ({"status": "archived"}, {}, "archived"),
        ({"start_date": dt.datetime(2025, 7, 1, tzinfo=dt.UTC)}, {}, "opens on 2025-07-01"),
        ({"end_date": dt.datetime(2025, 5, 31, tzinfo=dt.UTC)}, {}, "closed on 2025-05-31"),
        ({}, {"active": False}, "not accepting enrollments"),
        ({}, {"end_time": dt.datetime(2025, 5, 1, tzinfo=dt.UTC)}, "ended on 2025-05-01"),
    ],
)
def test_enrollment_block_reason(workspace, fields, program_fields, expected):
    instance = ProgramInstanceFactory(
        workspace=workspace, program=ProgramFactory(**program_fields), **fields
    )
    reason = instance.enrollment_block_reason(now=NOW)
    if expected is None:
        assert reason is None
    else:
        assert expected in reason
    assert instance.is_read_only is (instance.status == "archived")
