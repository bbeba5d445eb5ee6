"""Benchmark scenarios through the API test client: list and detail reads, writes, bulk services.

Split from bench/run.py, which runs them and prints their numbers.
"""

import time

from bench.common import _Statements, _timed_requests


def read_endpoints(data) -> list[tuple[str, str]]:
    instance = data.instances[0]
    since = "2026-01-01T00:00:00Z"
    return [
        ("enrollments page 1", "/api/v1/enrollments"),
        ("enrollments perPage=100", "/api/v1/enrollments?perPage=100"),
        ("enrollments deep page (last)", "/api/v1/enrollments?page=5000&perPage=20"),
        ("enrollments status=submitted", "/api/v1/enrollments?status=submitted"),
        ("enrollments status=approved,rejected", "/api/v1/enrollments?status=approved,rejected"),
        ("enrollments programInstanceId", f"/api/v1/enrollments?programInstanceId={instance.pk}"),
        ("enrollments email", f"/api/v1/enrollments?email={data.sample_email}"),
        ("enrollments referenceId", f"/api/v1/enrollments?referenceId={data.sample_reference}"),
        ("enrollments tag (5%)", f"/api/v1/enrollments?tag={data.sample_tag}"),
        ("enrollments manufacturer", "/api/v1/enrollments?manufacturer=tesla"),
        ("enrollments search (1 word)", "/api/v1/enrollments?search=Last42"),
        ("enrollments createdAfter", f"/api/v1/enrollments?createdAfter={since}"),
        ("enrollments updatedSince", f"/api/v1/enrollments?updatedSince={since}"),
        (
            "enrollments instance+status",
            f"/api/v1/enrollments?programInstanceId={instance.pk}&status=eligible",
        ),
        ("instance enrollments", f"/api/v1/programInstances/{instance.pk}/enrollments"),
        (
            "instance enrollments status",
            f"/api/v1/programInstances/{instance.pk}/enrollments?status=submitted",
        ),
        ("enrollment detail", None),
        ("programs?state=CA", "/api/v1/programs?state=CA"),
        ("programs perPage=100", "/api/v1/programs?perPage=100"),
        ("programInstances", "/api/v1/programInstances"),
        ("events page 1", "/api/v1/events"),
        ("events programInstanceId", f"/api/v1/events?programInstanceId={instance.pk}"),
        ("events type", "/api/v1/events?type=enrollment.created"),
    ]


def bench_reads(client, data, n: int) -> dict:
    from enrollments.models import Enrollment

    some = Enrollment.objects.for_workspace(data.workspace).order_by("pk").first()
    results = {}
    for name, path in read_endpoints(data):
        path = path or f"/api/v1/enrollments/{some.pk}"
        _timed_requests(client, "get", path, 2)  # warm up
        results[name] = {"path": path, **_timed_requests(client, "get", path, n)}
        assert results[name]["statuses"] == [200], (name, results[name]["statuses"])
    return results


def bench_writes(client, data, n: int) -> dict:
    from enrollments.models import Enrollment

    instance = data.instances[1]
    results = {}

    def body(i):
        return {
            "programInstanceId": instance.pk,
            "identificationType": "customerInfo",
            "firstName": "New",
            "lastName": f"Person{i}",
            "email": f"bench-new-{time.time_ns()}-{i}@example.com",
            "address": {"state": "CA", "postalCode": "94110"},
            "deviceType": "battery",
            "deviceCapacity": 10,
            "tags": ["bench", "new"],
        }

    results["POST /enrollments"] = _timed_requests(client, "post", "/api/v1/enrollments", n, body)
    candidates = list(
        Enrollment.objects.for_workspace(data.workspace)
        .filter(program_instance=instance, status="candidate")
        .values_list("pk", flat=True)[:n]
    )
    results["POST /enrollments/{id}/transitions"] = _timed_requests(
        client,
        "post",
        lambda i: f"/api/v1/enrollments/{candidates[i]}/transitions",
        n,
        lambda i: {"to": "eligible", "reason": "bench"},
    )
    results["POST /enrollments/{id}/evaluate"] = (
        _timed_requests(
            client,
            "post",
            lambda i: f"/api/v1/enrollments/{candidates[n + i]}/evaluate",
            min(n, len(candidates) - n),
        )
        if len(candidates) > n
        else {}
    )
    return results


def bench_bulk(data, size: int) -> dict:
    """The services the dashboard's bulk actions call, on `size` enrollments."""
    from enrollments.models import Enrollment
    from enrollments.services import enrollment_bulk_evaluate, enrollment_bulk_transition

    results = {}
    base = Enrollment.objects.for_workspace(data.workspace).select_related("program_instance")
    for name, status, call in [
        (
            "bulk evaluate",
            "candidate",
            lambda rows: enrollment_bulk_evaluate(enrollments=rows, actor=None),
        ),
        (
            "bulk transition eligible→submitted",
            "eligible",
            lambda rows: enrollment_bulk_transition(
                enrollments=rows, to="submitted", actor=None, reason="bench"
            ),
        ),
    ]:
        rows = list(base.filter(status=status, program_instance=data.instances[2])[:size])
        with _Statements() as ctx:
            start = time.perf_counter()
            outcome = call(rows)
            elapsed = time.perf_counter() - start
        results[name] = {
            "rows": len(rows),
            "ok": sum(1 for r in outcome if r.ok),
            "seconds": round(elapsed, 2),
            "rows_per_s": round(len(rows) / elapsed, 1),
            "queries": ctx.count,
            "queries_per_row": round(ctx.count / max(1, len(rows)), 1),
        }
    return results
