"""The import benchmark (docs/benchmarks.md) runs end to end, at a tiny scale on SQLite."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_bench_imports_runs(tmp_path):
    db = f"sqlite:///{tmp_path / 'bench.sqlite3'}"
    done = subprocess.run(
        [sys.executable, "-m", "bench.imports", "--db", db, "--rows", "60", "--bulk", "30",
         "--existing", "50", "--out", str(tmp_path / "report.json")],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout)
    assert report["import"]["created"] == 60
    # Per row: enrollment.created, then the verdict's enrollment.status_changed and .updated.
    assert report["import"]["history_rows"] == 60 and report["import"]["events"] == 180
    bulk = report["bulk"]
    assert bulk["bulk evaluate (mixed verdicts)"]["moved"] == 30
    assert bulk["bulk evaluate (all eligible)"]["moved"] == 30
    # every candidate that passed is then moved eligible → submitted, each once
    assert bulk["bulk transition eligible→submitted"]["rows"] == 30
    assert bulk["bulk transition eligible→submitted"]["moved"] == 30
    assert bulk["bulk evaluate (mixed verdicts)"]["statements"] > 0
    # ... and again on fresh rows with one connection (SQLite: never any writer connection).
    for scenario in ("bulk evaluate (mixed verdicts)", "bulk transition eligible→submitted"):
        assert bulk[f"{scenario} [one connection]"]["moved"] == 30
        assert bulk[f"{scenario} [one connection]"]["writer_connections"] == 0
        assert bulk[scenario]["writer_connections"] == 0
