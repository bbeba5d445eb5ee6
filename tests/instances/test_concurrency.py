"""Concurrent writes to one instance apply one after the other (row lock in the services):
no lost criteria-version bump, no doubled status change.

Real threads, each with its own database connection, on PostgreSQL (row locks) and on SQLite
(the test database is a file, see config/settings/test.py, so each thread's IMMEDIATE transaction
waits for the previous writer: the same one-after-the-other outcome)."""

import pytest

from events.models import Event
from tests.concurrency import run_concurrently
from tests.factories import ProgramInstanceFactory

pytestmark = [pytest.mark.django_db(transaction=True)]


def _parallel(clients, call):
    return run_concurrently(call, list(enumerate(clients)))


def test_parallel_rule_changes_each_bump_the_version(api_client_for, workspace):
    instance = ProgramInstanceFactory(workspace=workspace)
    clients = [api_client_for(workspace) for _ in range(5)]
    codes = _parallel(
        clients,
        lambda i, c: (
            c.patch(
                f"/api/v1/programInstances/{instance.pk}",
                {"eligibilityCriteria": {"minimumCapacity": i + 1}},
                format="json",
            ).status_code
        ),
    )
    assert codes == [200] * 5
    instance.refresh_from_db()
    assert instance.criteria_version == 6
    versions = sorted(
        e.data["object"]["criteriaVersion"]
        for e in Event.objects.filter(type="programInstance.updated")
    )
    assert versions == [2, 3, 4, 5, 6]


def test_parallel_archive_records_one_change(api_client_for, workspace):
    instance = ProgramInstanceFactory(workspace=workspace)
    clients = [api_client_for(workspace) for _ in range(5)]
    codes = _parallel(
        clients,
        lambda i, c: (
            c.patch(f"/api/v1/programInstances/{instance.pk}", {"status": "archived"}).status_code
        ),
    )
    assert codes == [200] * 5
    assert Event.objects.filter(type="programInstance.updated").count() == 1
