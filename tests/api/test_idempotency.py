"""Idempotency-Key on POST: a retried request never does its work twice (docs/api.md).

Run on SQLite by default and on PostgreSQL with DATABASE_URL (the in-flight test uses real
threads and separate connections, so the lock is the database's unique constraint).
"""

import threading
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import IdempotencyRecord
from enrollments import services as enrollment_services
from enrollments.models import Enrollment, Lead
from events.models import Event
from tests.concurrency import Concurrently
from tests.factories import ProgramInstanceFactory, make_api_key

LEAD = {"firstName": "Ada", "lastName": "Lovelace", "email": "ada@example.com"}


def post(client, path, data, key, **extra):
    return client.post(path, data, format="json", HTTP_IDEMPOTENCY_KEY=key, **extra)


def test_retry_replays_the_first_response_and_creates_one_lead(api, workspace):
    first = post(api, "/api/v1/leads", LEAD, "lead-import-42")
    assert first.status_code == 201, first.content
    assert "Idempotent-Replayed" not in first
    again = post(api, "/api/v1/leads", LEAD, "lead-import-42")
    assert again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert again["Content-Type"] == first["Content-Type"]
    assert Lead.objects.for_workspace(workspace).count() == 1
    lead = Lead.objects.get(pk=first.json()["id"])
    assert lead.idempotency_key == "lead-import-42"


def test_json_key_order_and_spacing_do_not_matter(api, workspace):
    assert post(api, "/api/v1/leads", LEAD, "k1").status_code == 201
    reordered = dict(reversed(list(LEAD.items())))
    assert post(api, "/api/v1/leads", reordered, "k1")["Idempotent-Replayed"] == "true"


def test_same_key_with_another_body_is_422(api, workspace):
    assert post(api, "/api/v1/leads", LEAD, "k1").status_code == 201
    other = post(api, "/api/v1/leads", {**LEAD, "email": "grace@example.com"}, "k1")
    assert other.status_code == 422
    assert other.json()["code"] == "IDEMPOTENCY_KEY_REUSED"
    # ... and so is the same key on another path.
    assert post(api, "/api/v1/customers", LEAD, "k1").status_code == 422
    assert Lead.objects.for_workspace(workspace).count() == 1


@pytest.mark.parametrize("value", ["", "x" * 256, "caf\u00e9", "tab\there"])
def test_invalid_keys_are_400(api, workspace, value):
    response = post(api, "/api/v1/leads", LEAD, value)
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["message"]
    assert not Lead.objects.exists()


def test_longest_and_odd_printable_keys_work(api, workspace):
    for value in ("x" * 255, " ~!@#$%^&*()_+{}|:<>?"):
        assert post(api, "/api/v1/leads", LEAD, value).status_code == 201
        assert post(api, "/api/v1/leads", LEAD, value)["Idempotent-Replayed"] == "true"


def test_keys_are_per_api_key(api_client_for, workspace):
    one, two = api_client_for(workspace), api_client_for(workspace)
    assert post(one, "/api/v1/leads", LEAD, "same").status_code == 201
    response = post(two, "/api/v1/leads", LEAD, "same")
    assert response.status_code == 201
    assert "Idempotent-Replayed" not in response
    assert Lead.objects.for_workspace(workspace).count() == 2


def test_keys_are_per_session_user(member_client, workspace):
    alice, bob = member_client(role="operator"), member_client(role="operator")
    assert post(alice, "/api/v1/leads", LEAD, "same").status_code == 201
    assert post(alice, "/api/v1/leads", LEAD, "same")["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in post(bob, "/api/v1/leads", LEAD, "same")
    assert Lead.objects.for_workspace(workspace).count() == 2


def test_server_errors_are_not_stored(api, workspace, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("database went away")

    with monkeypatch.context() as patch:
        patch.setattr(enrollment_services, "lead_create", broken)
        failed = post(api, "/api/v1/leads", LEAD, "k-5xx")
    assert failed.status_code == 500
    assert not IdempotencyRecord.objects.exists()
    retried = post(api, "/api/v1/leads", LEAD, "k-5xx")
    assert retried.status_code == 201
    assert "Idempotent-Replayed" not in retried


def test_refused_requests_are_not_stored_so_the_fix_can_reuse_the_key(api, workspace):
    assert post(api, "/api/v1/leads", {"firstName": "No contact"}, "k").status_code == 400
    assert post(api, "/api/v1/leads", LEAD, "k").status_code == 201


def test_conflicts_are_stored_and_replayed(api, workspace):
    """A 409 did run (and found the state it found): the retry gets the same answer."""
    instance = ProgramInstanceFactory(workspace=workspace)
    body = {**LEAD, "identificationType": "customerInfo"}
    path = f"/api/v1/programInstances/{instance.pk}/enrollments"
    assert post(api, path, body, "e1").status_code == 201
    duplicate = post(api, path, body, "e2")
    assert duplicate.status_code == 409, duplicate.content
    assert post(api, path, body, "e2")["Idempotent-Replayed"] == "true"


def test_the_key_is_recorded_on_the_enrollment_and_its_event(api, workspace):
    instance = ProgramInstanceFactory(workspace=workspace)
    body = {**LEAD, "identificationType": "customerInfo"}
    response = post(api, f"/api/v1/programInstances/{instance.pk}/enrollments", body, "enr-1")
    assert response.status_code == 201, response.content
    enrollment = Enrollment.objects.get(pk=response.json()["id"])
    assert enrollment.idempotency_key == "enr-1"
    assert enrollment.customer.idempotency_key == "enr-1"
    event = Event.objects.get(enrollment_id=enrollment.pk, type="enrollment.created")
    assert event.idempotency_key == "enr-1"
    # Outside a keyed request nothing is recorded.
    assert post(api, "/api/v1/leads", LEAD, "lead-1").status_code == 201
    assert api.post("/api/v1/leads", LEAD, format="json").status_code == 201
    assert Lead.objects.filter(idempotency_key="").count() == 1


def test_transitions_and_actions_are_idempotent_too(api, workspace):
    instance = ProgramInstanceFactory(workspace=workspace)
    created = api.post(
        "/api/v1/enrollments",
        {**LEAD, "identificationType": "customerInfo", "programInstanceId": instance.pk},
        format="json",
    ).json()
    path = f"/api/v1/enrollments/{created['id']}/transitions"
    first = post(api, path, {"to": "ineligible", "reason": "moved"}, "t1")
    assert first.status_code == 200, first.content
    again = post(api, path, {"to": "ineligible", "reason": "moved"}, "t1")
    assert again.status_code == 200
    assert again["Idempotent-Replayed"] == "true"
    assert again["ETag"] == first["ETag"]
    changes = Event.objects.filter(enrollment_id=created["id"], type="enrollment.status_changed")
    assert changes.count() == 1


def test_expired_keys_run_again_and_are_pruned(api, workspace):
    assert post(api, "/api/v1/leads", LEAD, "old").status_code == 201
    IdempotencyRecord.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    again = post(api, "/api/v1/leads", LEAD, "old")
    assert again.status_code == 201
    assert "Idempotent-Replayed" not in again
    assert Lead.objects.count() == 2
    assert post(api, "/api/v1/leads", LEAD, "fresh").status_code == 201
    IdempotencyRecord.objects.filter(key="old").update(
        expires_at=timezone.now() - timedelta(hours=1)
    )
    call_command("prune_idempotency_keys")
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["fresh"]


def test_the_worker_task_prunes(api, workspace):
    from accounts.tasks import idempotency_records_prune

    assert post(api, "/api/v1/leads", LEAD, "old").status_code == 201
    IdempotencyRecord.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert idempotency_records_prune.call() == 1
    assert not IdempotencyRecord.objects.exists()


def test_get_and_unkeyed_posts_are_untouched(api, workspace):
    assert api.get("/api/v1/leads", HTTP_IDEMPOTENCY_KEY="x").status_code == 200
    assert api.post("/api/v1/leads", LEAD, format="json").status_code == 201
    assert not IdempotencyRecord.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_retry_while_the_first_runs_is_409_and_never_a_second_execution(monkeypatch):
    from tests.factories import OrganizationFactory

    workspace = OrganizationFactory().workspaces.get(slug="production")
    _, raw = make_api_key(workspace)
    started, release = threading.Event(), threading.Event()
    real = enrollment_services.lead_create
    calls = []

    def slow(**kwargs):
        calls.append(1)
        started.set()
        assert release.wait(30)
        return real(**kwargs)

    monkeypatch.setattr(enrollment_services, "lead_create", slow)

    def first():
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
        return post(client, "/api/v1/leads", LEAD, "in-flight")

    running = Concurrently(first, [()], timeout=60).start()
    try:
        assert started.wait(30)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
        retry = post(client, "/api/v1/leads", LEAD, "in-flight")
        assert retry.status_code == 409
        assert retry.json()["code"] == "IDEMPOTENCY_KEY_IN_USE"
    finally:
        release.set()
        (first_response,) = running.join()
    assert first_response.status_code == 201
    replay = post(client, "/api/v1/leads", LEAD, "in-flight")
    assert replay["Idempotent-Replayed"] == "true"
    assert replay.json()["id"] == first_response.json()["id"]
    assert len(calls) == 1
    assert Lead.objects.count() == 1


def test_prune_command_runs_as_documented(tmp_path):
    """docs/api.md: `.venv/bin/python manage.py prune_idempotency_keys` (here with this venv's
    Python, on a fresh SQLite file)."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "DEBUG": "1", "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    env.pop("DJANGO_SETTINGS_MODULE", None)  # manage.py's own: base, not test
    run = [sys.executable, "manage.py"]
    subprocess.run(
        [*run, "migrate", "--noinput"],
        env=env,
        cwd=root,
        check=True,
        timeout=180,
        capture_output=True,
    )
    out = subprocess.run(
        [*run, "prune_idempotency_keys"],
        env=env,
        cwd=root,
        check=True,
        timeout=60,
        capture_output=True,
        text=True,
    ).stdout
    assert "Deleted 0 expired idempotency record(s)." in out
