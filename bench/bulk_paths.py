"""The set-based lifecycle paths of `bench.imports` (split from it): bulk evaluation and
bulk transition of imported candidates, as configured (writer connections, `config.pipeline`)
and with one connection, each timed with its database and writer shares."""

import time

from bench.imports import STATES, _cpu, _instance, make_csv


def _candidates(name: str, rows: int, start: int, *, all_pass: bool = False):
    """An instance holding `rows` imported candidates (not evaluated); `all_pass`: criteria
    that every row meets (people in the program's states only, any device)."""
    from enrollments.imports.service import import_run, import_start
    from enrollments.models import Enrollment

    instance = _instance(name)
    states = STATES
    if all_pass:
        states = sorted(set(STATES) & set(instance.program.states))
        instance.eligibility_criteria = {"regions": states}
        instance.save(update_fields=["eligibility_criteria"])
    imp = import_start(
        workspace=instance.workspace,
        instance=instance,
        actor=None,
        file_name=f"{name}.csv",
        content=make_csv(rows, start=start, states=states),
        evaluate=False,
        enqueue=False,
    )
    import_run(import_id=imp.pk)
    return Enrollment.objects.filter(program_instance=instance)


def _timed(call, writers: int | None = None) -> dict:
    """Wall and CPU time of one bulk call, and the time its statements spent in the database
    as `connection.queries` times them (sending, PostgreSQL's work, reading the answer): all
    of them with `writers=0` (one connection), the reads only otherwise (the writes are on the
    writer connections, `config.pipeline`; their time is `writing_seconds`)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext, override_settings

    from config import pipeline

    busy = []
    original = pipeline.ChunkWriter.__exit__

    def exit_and_record(writer, *exc):  # the writers' time, read when the run ends
        original(writer, *exc)
        busy.append((writer.writers, writer.writing_seconds))

    settings = {} if writers is None else {"BULK_WRITERS": writers}
    with override_settings(**settings):
        pipeline.ChunkWriter.__exit__ = exit_and_record
        try:
            start, cpu = time.perf_counter(), _cpu()
            with CaptureQueriesContext(connection) as queries:
                results = call()
            seconds, cpu = time.perf_counter() - start, _cpu() - cpu
        finally:
            pipeline.ChunkWriter.__exit__ = original
    return {
        "rows": len(results),
        "moved": sum(r.ok for r in results),
        "seconds": round(seconds, 2),
        "rows_per_s": round(len(results) / seconds),
        "python_cpu_seconds": round(cpu, 2),
        "sql_seconds": round(sum(float(q["time"]) for q in queries.captured_queries), 2),
        "statements": len(queries),
        "writer_connections": busy[0][0] if busy else 0,
        "writing_seconds": round(sum(b for _, b in busy), 2),
    }


def bench_bulk(rows: int) -> dict:
    """Bulk evaluation of `rows` candidates with mixed verdicts (about one in eight eligible:
    two UPDATEs per chunk), then of `rows` candidates that all pass, and the bulk transition
    of those `rows` eligible enrollments to submitted: as configured (two writer connections
    on PostgreSQL), then the same three on fresh rows with one connection (`BULK_WRITERS=0`),
    the sequential path, where `sql_seconds` is the database's whole share."""
    from enrollments.services import enrollment_bulk_evaluate, enrollment_bulk_transition

    out = {}
    for label, writers, start in (("", None, 10_000_000), (" [one connection]", 0, 30_000_000)):
        mixed = _candidates(f"bulk{start}", rows, start=start)
        passing = _candidates(f"bulk-all{start}", rows, start=start + 10_000_000, all_pass=True)
        out[f"bulk evaluate (mixed verdicts){label}"] = _timed(
            lambda q=mixed: enrollment_bulk_evaluate(enrollments=q, actor=None), writers
        )
        out[f"bulk evaluate (all eligible){label}"] = _timed(
            lambda q=passing: enrollment_bulk_evaluate(enrollments=q, actor=None), writers
        )
        out[f"bulk transition eligible→submitted{label}"] = _timed(
            lambda q=passing: enrollment_bulk_transition(
                enrollments=q.filter(status="eligible"), to="submitted", actor=None
            ),
            writers,
        )
    return out
