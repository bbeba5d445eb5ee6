"""`make install` refuses a requirements.lock older than pyproject.toml's dependencies and says
to run `make lock`; edits elsewhere in pyproject.toml never make the lock stale."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = """[project]
name = "x"
dependencies = ["django>=6.1,<6.2"]
[project.optional-dependencies]
dev = ["pytest>=8"]
[tool.ruff]
line-length = 100
"""


def _run(*args):
    return subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "lockfile.py"), *args],
        capture_output=True,
        text=True,
        check=False,
    )


def test_stale_lock_fails_loudly(tmp_path, monkeypatch):
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import lockfile
    finally:
        sys.path.pop(0)
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(PYPROJECT)
    lock = tmp_path / "requirements.lock"
    lock.write_text("django==6.1.3 \\\n    --hash=sha256:00\n")
    lockfile.stamp(lock, pyproject)
    assert lockfile.check(lock, pyproject) == 0
    assert lock.read_text().startswith("django==6.1.3")
    pyproject.write_text(PYPROJECT.replace("line-length = 100", "line-length = 99"))
    assert lockfile.check(lock, pyproject) == 0  # not a dependency change
    pyproject.write_text(PYPROJECT.replace('"pytest>=8"', '"pytest>=8", "rich>=13"'))
    assert lockfile.check(lock, pyproject) == 1


def test_the_message_says_what_to_run(tmp_path):
    lock = tmp_path / "requirements.lock"
    lock.write_text("django==6.1.3\n")  # never stamped
    result = _run("check", str(lock))
    assert result.returncode == 1
    assert "requirements.lock is stale" in result.stderr
    assert "Run `make lock`" in result.stderr
    assert _run("check", str(tmp_path / "absent.lock")).returncode == 1
