"""Import and set-based lifecycle benchmarks (issue 11's "Speed"), on demand only.

    .venv/bin/python -m bench.imports --db postgres://postgres@127.0.0.1:5432/gp_bench
    .venv/bin/python -m bench.imports --db sqlite:///var/bench-imports.sqlite3 --rows 20000

The database is DROPPED and re-created. Measured in one process: a `rows`-row CSV imported and
evaluated (history rows and events included) with the process's peak RSS; on PostgreSQL a
COPY of the same rows into a table of the enrollment's shape (same indexes), and the write
cost of each enrollment index alone; then bulk evaluation and bulk transition of `bulk`
candidates; and the plans of the statements the set-based path runs. Prints Markdown and
saves var/bench-imports-<engine>.json.
"""

import argparse
import io
import json
import os
import random
import re
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEADER = "First name,Last name,Email,Phone,Street,City,State,ZIP,Device type,Manufacturer,Capacity (kWh),Serial number,Account number,Campaign\n"  # noqa: E501
STATES = ["NY", "CA", "TX", "WA"]


def make_csv(rows: int, *, start: int = 0, seed: int = 11, states=STATES) -> bytes:
    rng = random.Random(seed)
    out = io.StringIO()
    out.write(HEADER)
    for i in range(start, start + rows):
        state = rng.choice(states)
        device = rng.choice(["battery", "battery", "thermostat", "heat_pump"])
        out.write(
            f"Ana{i % 97},Person{i},person{i}@bench.example.com,+1555{i:07d},{i} Main St,"
            f"Springfield,{state},{10000 + i % 80000},{device},tesla,{rng.randint(1, 20)},"
            f"SN{i},ACC-{i:08d},wave-{i % 5}\n"
        )
    return out.getvalue().encode()


def _cpu() -> float:
    """This process's CPU seconds: on a shared machine, what the work itself cost."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


class _ReaderPeak:
    """The import's reader process's own peak RSS (VmHWM, sampled while it runs).
    `RUSAGE_CHILDREN` would not do: its `ru_maxrss` counts the moment between `fork` and
    `exec`, when the child still shows this process's pages."""

    def __enter__(self):
        import threading

        self.peak_kb, self._stop = 0, threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self):
        import multiprocessing

        while not self._stop.wait(0.1):
            for child in multiprocessing.active_children():
                try:
                    status = Path(f"/proc/{child.pid}/status").read_text()
                except OSError:
                    continue
                for line in status.splitlines():
                    if line.startswith("VmHWM:"):
                        self.peak_kb = max(self.peak_kb, int(line.split()[1]))

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    @property
    def mb(self) -> float:
        return round(self.peak_kb / 1024, 1)


def _instance(name: str):
    from bench import seed as seeding
    from instances.models import ProgramInstance

    data = seeding.data("")
    template = data.instances[0]
    return ProgramInstance.objects.create(
        program=template.program,
        workspace=data.workspace,
        name=name,
        slug=f"bench-import-{name}",
        eligibility_criteria={"regions": ["NY", "CA"], "deviceTypes": ["battery"]},
    )


def bench_import(rows: int) -> dict:
    from enrollments.imports.service import import_run, import_start
    from enrollments.models import EnrollmentStatusChange
    from events.models import Event

    instance = _instance("main")
    content = make_csv(rows)
    before = _peak_rss_mb()
    start, cpu = time.perf_counter(), _cpu()
    imp = import_start(
        workspace=instance.workspace,
        instance=instance,
        actor=None,
        file_name="bench.csv",
        content=content,
        enqueue=False,
    )
    with _ReaderPeak() as reader:
        imp = import_run(import_id=imp.pk)
    seconds, cpu = time.perf_counter() - start, _cpu() - cpu
    return {
        "rows": rows,
        "seconds": round(seconds, 1),
        "rows_per_s": round(rows / seconds),
        "python_cpu_seconds": round(cpu, 1),
        "created": imp.created,
        "eligible": imp.eligible,
        "ineligible": imp.ineligible,
        "history_rows": EnrollmentStatusChange.objects.filter(
            program_instance_ref=instance.pk
        ).count(),
        "events": Event.objects.filter(program_instance_id=instance.pk).count(),
        "peak_rss_mb_before": before,
        "peak_rss_mb": _peak_rss_mb(),
        "reader_process_peak_rss_mb": reader.mb,
        "file_mb": round(len(content) / 1e6, 1),
    }


def _copy_rows(rows: int):
    """The import's rows as the enrollment table's columns (for COPY)."""
    from config.ids import new_id

    now = "2026-01-01 00:00:00+00"
    for i in range(rows):
        yield (
            new_id(), "ws", "inst", new_id(), None, None, "customerInfo", f"Ana{i % 97}",
            f"Person{i}", f"person{i}@bench.example.com", f"+1555{i:07d}", "[]", "battery",
            "5.000", f"SN{i}", f"ACC-{i:08d}", "", "[]", '{"Campaign": "wave"}', "candidate", "",
            None, None, "", now, now, f"{i} Main St", "", "Springfield", "NY", "10001", "",
            1, "import", None, "en", "",
        )  # fmt: skip


COPY_COLUMNS = (
    "id, workspace_id, program_instance_id, customer_id, lead_id, previous_enrollment_id, "
    "identification_type, first_name, last_name, email, phone, manufacturer_slugs, device_type, "
    "device_capacity, serial_number, reference_id, reference_description, tags, metadata, "
    "status, eligibility_reason, evaluated_criteria_version, enrollment_start_date, "
    "exit_reason, created_at, updated_at, street_one, street_two, city, state, postal_code, "
    "country, version, source, consent, language, idempotency_key"
)


def _copy_seconds(cursor, table: str, rows: list[tuple]) -> float:
    start = time.perf_counter()
    with cursor.copy(f"COPY {table} ({COPY_COLUMNS}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
    return time.perf_counter() - start


def bench_copy(rows: int) -> dict:
    """COPY of the same number of rows into a table shaped like the enrollment table (every
    index), and each index's write cost alone (COPY into a bare copy with only that index)."""
    from django.db import connection

    result = {}
    rows = list(_copy_rows(rows))  # made before the clock starts (ids cost ~0.1 ms each)
    with connection.cursor() as django_cursor:
        cursor = django_cursor.cursor  # psycopg's own, for COPY
        cursor.execute("DROP TABLE IF EXISTS bench_copy")
        cursor.execute("CREATE TABLE bench_copy (LIKE enrollments_enrollment INCLUDING ALL)")
        result["copy_all_indexes_s"] = round(_copy_seconds(cursor, "bench_copy", rows), 2)
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'enrollments_enrollment'"
        )
        indexes = cursor.fetchall()
        cursor.execute("DROP TABLE bench_copy")
        cursor.execute("CREATE TABLE bench_copy (LIKE enrollments_enrollment INCLUDING DEFAULTS)")
        bare = _copy_seconds(cursor, "bench_copy", rows)
        result["copy_no_index_s"] = round(bare, 2)
        costs = {}
        for name, definition in sorted(indexes):
            cursor.execute("TRUNCATE bench_copy")
            cursor.execute("DROP INDEX IF EXISTS bench_copy_one")
            cursor.execute(
                definition.replace(f"INDEX {name} ON", "INDEX bench_copy_one ON").replace(
                    "public.enrollments_enrollment", "public.bench_copy"
                )
            )
            costs[name] = round(_copy_seconds(cursor, "bench_copy", rows) - bare, 2)
        cursor.execute("DROP TABLE bench_copy")
        result["index_write_cost_s"] = costs
    return result


def plans() -> dict:
    """EXPLAIN of the statements the import and the set-based path run, on the loaded data."""
    from django.db import connection

    from enrollments.models import Enrollment
    from enrollments.statuses import CLOSED_STATUSES

    sample = list(Enrollment.objects.order_by("?").values_list("pk", "workspace_id")[:500])
    ids = [pk for pk, _ in sample]
    workspace = sample[0][1]
    refs = [f"ACC-{i:08d}" for i in range(0, 1000)]
    emails = [f"person{i}@bench.example.com" for i in range(0, 1000)]
    queries = {
        "chunk read of a list of ids (id = ANY)": (
            "SELECT id, status FROM enrollments_enrollment WHERE id = ANY(%s)",
            [ids],
        ),
        "customers' enrolled programs (customer_id IN, status)": (
            "SELECT customer_id FROM enrollments_enrollment WHERE customer_id = ANY("
            "SELECT customer_id FROM enrollments_enrollment WHERE id = ANY(%s)) "
            "AND status IN ('submitted', 'approved')",
            [ids],
        ),
    }
    # The import's match, as `enrollments.imports.rows.process_chunk` builds it: two queries
    # (an OR of both lists was planned as a scan of the table).
    open_ones = Enrollment.objects.filter(workspace_id=workspace).exclude(
        status__in=CLOSED_STATUSES
    )
    matches = {
        "import match by reference (workspace + reference_id = ANY)": open_ones.filter(
            reference_id__in_array=refs
        ),
        "import match by email (workspace + email = ANY)": open_ones.filter(email__in_array=emails),
    }
    # A QuerySet is walked by keyset pages, each read whole (`bulk.chunks`): one instance's rows.
    instance_id = Enrollment.objects.filter(pk=ids[0]).values_list("program_instance_id").get()[0]
    matches["bulk keyset page (program_instance, pk > last ORDER BY pk LIMIT 500)"] = (
        Enrollment.objects.filter(program_instance_id=instance_id, pk__gt=ids[0]).order_by("pk")[
            :500
        ]
    )
    prefix = "EXPLAIN " if connection.vendor == "postgresql" else "EXPLAIN QUERY PLAN "
    out = {}
    with connection.cursor() as cursor:
        for name, (sql, params) in queries.items():
            if connection.vendor != "postgresql":
                continue
            cursor.execute(prefix + sql, params)
            # Plan lines without the literal id/email lists (thousands of characters each).
            out[name] = [
                re.sub(r"'\{[^}]*\}'", "'{...}'", " | ".join(str(c) for c in row))[:200]
                for row in cursor.fetchall()
            ]
    if connection.vendor == "postgresql":
        for name, queryset in matches.items():
            out[name] = [
                re.sub(r"'\{[^}]*\}'", "'{...}'", line)[:200]
                for line in queryset.values("id").explain().splitlines()
            ]
    return out


def _measure(args) -> dict:
    """In its own process (so that its peak RSS is the import's, not the seeding's)."""
    from django.db import connection

    report = {
        "engine": connection.vendor,
        "load": subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip(),
        "existing_enrollments": args.existing,
        "import": bench_import(args.rows),
    }
    if connection.vendor == "postgresql":
        report["copy"] = bench_copy(args.rows)
        report["import"]["ratio_to_copy"] = round(
            report["import"]["seconds"] / max(report["copy"]["copy_all_indexes_s"], 0.01), 1
        )
    from bench.bulk_paths import bench_bulk

    report["bulk"] = bench_bulk(args.bulk)
    report["plans"] = plans()
    report["load_after"] = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    return report


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=f"sqlite:///{ROOT / 'var' / 'bench-imports.sqlite3'}")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--bulk", type=int, default=10_000)
    parser.add_argument("--existing", type=int, default=50_000, help="enrollments seeded first")
    parser.add_argument("--out", default="", help="JSON report path (var/bench-imports-*.json)")
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from bench.run import _environment, _fresh_database

    _environment(args.db)
    os.environ.setdefault("IMPORT_CHUNK_SIZE", "1000")
    if not args.measure:
        _fresh_database(args.db)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from bench import seed as seeding

    if not args.measure:  # seed here, measure in a fresh process
        call_command("migrate", verbosity=0, interactive=False)
        seeding.seed(enrollments=args.existing, instances=3, events=0, noise=0)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
        connection.close()
        argv = [*(argv if argv is not None else sys.argv[1:]), "--measure"]
        return subprocess.call([sys.executable, "-m", "bench.imports", *argv], cwd=ROOT)
    report = _measure(args)
    out = Path(args.out) if args.out else ROOT / "var" / f"bench-imports-{connection.vendor}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(report, indent=2))
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
