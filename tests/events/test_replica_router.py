"""Lists and exports read from a replica when one is configured; writes never do.

The `replica` alias in tests mirrors the test database (config/settings/test.py), so this proves the
routing (which statements go where) without a second server; a real replica is the same alias
pointed at another host (`DATABASE_REPLICA_URL`)."""

import pytest
from django.db import connections

from tests.factories import ProgramInstanceFactory

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "replica"])


class Statements:
    def __init__(self, alias):
        self.alias, self.sql = alias, []

    def __call__(self, execute, sql, params, many, context):
        self.sql.append(sql)
        return execute(sql, params, many, context)

    def __enter__(self):
        self._cm = connections[self.alias].execute_wrapper(self)
        self._cm.__enter__()
        return self

    def __exit__(self, *exc):
        self._cm.__exit__(*exc)


def _create(api, instance, n):
    return api.post(
        f"/api/v1/programInstances/{instance.pk}/enrollments",
        {
            "identificationType": "customerInfo",
            "firstName": "Replica",
            "lastName": f"Reader {n}",
            "email": f"replica-{n}@example.com",
        },
        format="json",
    )


def test_list_reads_go_to_the_replica_and_writes_to_the_primary(api, workspace, settings):
    settings.REPLICA_READS = True
    instance = ProgramInstanceFactory(workspace=workspace)
    with Statements("replica") as replica, Statements("default") as primary:
        created = _create(api, instance, 1)
        assert created.status_code == 201
        assert replica.sql == []  # a write request: primary only
        assert any(s.startswith("INSERT") for s in primary.sql)

        primary.sql.clear()
        listed = api.get("/api/v1/enrollments")
    assert listed.status_code == 200
    assert [e["id"] for e in listed.json()["data"]] == [created.json()["id"]]
    assert any("enrollments_enrollment" in s for s in replica.sql)
    # Only authentication may touch the primary during a routed list (its last-used stamp).
    assert not any("enrollments_enrollment" in s for s in primary.sql)


def test_without_a_replica_everything_reads_the_primary(api, workspace, settings):
    settings.REPLICA_READS = False
    instance = ProgramInstanceFactory(workspace=workspace)
    _create(api, instance, 2)
    with Statements("replica") as replica:
        assert api.get("/api/v1/enrollments").status_code == 200
    assert replica.sql == []


def test_detail_reads_stay_on_the_primary(api, workspace, settings):
    settings.REPLICA_READS = True
    instance = ProgramInstanceFactory(workspace=workspace)
    enrollment_id = _create(api, instance, 3).json()["id"]
    with Statements("replica") as replica:
        assert api.get(f"/api/v1/enrollments/{enrollment_id}").status_code == 200
    assert replica.sql == []  # read-your-writes: a detail right after a change is current
