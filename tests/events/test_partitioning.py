"""docs/scale-out.md's 10M step, exercised on PostgreSQL: the events table partitioned by month,
queried as the API queries it (workspace first, newest first), with retention by dropping a
month. Built from the real table's definition (`LIKE events_event INCLUDING ALL` minus the
primary key, which a partitioned table must extend with the partition column)."""

import pytest
from django.db import connection

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL partitioning"),
]

MONTHS = ["2026-09", "2026-10", "2026-11"]


def _next(month: str) -> str:
    year, mon = map(int, month.split("-"))
    return f"{year + mon // 12}-{mon % 12 + 1:02d}"


@pytest.fixture
def partitioned(db, workspace):
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE events_event_by_month (LIKE events_event INCLUDING DEFAULTS)"
            " PARTITION BY RANGE (created_at)"
        )
        cursor.execute("ALTER TABLE events_event_by_month ADD PRIMARY KEY (id, created_at)")
        cursor.execute(
            "CREATE INDEX ON events_event_by_month (workspace_id, created_at DESC, id DESC)"
        )
        for month in MONTHS:
            name = "events_event_" + month.replace("-", "_")
            cursor.execute(
                f"CREATE TABLE {name} PARTITION OF events_event_by_month "
                f"FOR VALUES FROM ('{month}-01') TO ('{_next(month)}-01')"
            )
        for i, month in enumerate(MONTHS):
            cursor.execute(
                "INSERT INTO events_event_by_month"
                " (id, workspace_id, type, data, enrollment_id, program_instance_id, actor,"
                " idempotency_key, created_at)"
                " SELECT 'evt' || %s || g, %s, 'enrollment.created', '{}'::jsonb, '', '',"
                " '{}'::jsonb, '', %s::timestamptz + (g || ' minutes')::interval"
                " FROM generate_series(1, 100) g",
                [i, workspace.pk, f"{month}-02T00:00:00Z"],
            )
        cursor.execute("ANALYZE events_event_by_month")
    return workspace


def _plan(sql, params) -> str:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def test_a_recent_page_reads_only_the_months_it_needs(partitioned):
    sql = (
        "SELECT id FROM events_event_by_month WHERE workspace_id = %s"
        " AND created_at >= '2026-11-01' ORDER BY created_at DESC, id DESC LIMIT 20"
    )
    plan = _plan(sql, [partitioned.pk])
    assert "events_event_2026_11" in plan
    assert "events_event_2026_09" not in plan and "events_event_2026_10" not in plan
    with connection.cursor() as cursor:
        cursor.execute(sql, [partitioned.pk])
        assert len(cursor.fetchall()) == 20


def test_retention_drops_a_month_without_touching_the_others(partitioned):
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE events_event_by_month DETACH PARTITION events_event_2026_09")
        cursor.execute("DROP TABLE events_event_2026_09")
        cursor.execute(
            "SELECT to_char(created_at, 'YYYY-MM'), count(*) FROM events_event_by_month"
            " GROUP BY 1 ORDER BY 1"
        )
        assert cursor.fetchall() == [("2026-10", 100), ("2026-11", 100)]
