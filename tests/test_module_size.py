"""No module over 400 lines (docs/architecture.md: a module past that is split by sub-domain).

Every Python file git tracks counts, tests and benchmarks included; migrations are generated
and never edited, so they are left out. A file over the limit fails with its name and length.
"""

import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MAX_LINES = 400


def _tracked_python_files() -> list[Path]:
    try:
        out = subprocess.run(
            ["git", "ls-files", "-z", "--", "*.py"],
            cwd=ROOT,
            capture_output=True,
            check=True,
            text=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout: the tracked files are unknown")
    files = [ROOT / name for name in out.split("\0") if name]
    return [path for path in files if "migrations" not in path.parts and path.exists()]


def _over_limit(paths: list[Path]) -> dict[str, int]:
    sizes = {str(path.relative_to(ROOT)): len(path.read_text().splitlines()) for path in paths}
    return {name: lines for name, lines in sizes.items() if lines > MAX_LINES}


def test_no_tracked_module_is_over_400_lines():
    files = _tracked_python_files()
    assert len(files) > 50, "the project's own modules were not found"
    assert _over_limit(files) == {}


def test_the_check_catches_a_long_module(tmp_path, monkeypatch):
    monkeypatch.setattr(f"{__name__}.ROOT", tmp_path)
    long = tmp_path / "long.py"
    long.write_text("x = 1\n" * (MAX_LINES + 1))
    short = tmp_path / "short.py"
    short.write_text("x = 1\n" * MAX_LINES)
    assert _over_limit([long, short]) == {"long.py": MAX_LINES + 1}
