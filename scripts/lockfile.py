"""Keep requirements.lock honest about pyproject.toml.

    python scripts/lockfile.py stamp requirements.lock   # after pip-compile (`make lock`)
    python scripts/lockfile.py check requirements.lock   # before installing (`make install`, CI)

The lock's last line records a hash of pyproject.toml's dependency lists (`dependencies` and
`optional-dependencies`, nothing else, so editing the ruff or pytest configuration never makes
it stale). `check` fails, saying what to run, when someone changed a dependency without
regenerating the lock: an install from a stale lock would silently miss the new package.
"""

import hashlib
import json
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PREFIX = "# pyproject-dependencies-sha256: "


def dependencies_hash(pyproject: Path = ROOT / "pyproject.toml") -> str:
    project = tomllib.loads(pyproject.read_text())["project"]
    wanted = {
        "dependencies": sorted(project.get("dependencies", [])),
        "optional-dependencies": {
            name: sorted(items)
            for name, items in sorted(project.get("optional-dependencies", {}).items())
        },
    }
    return hashlib.sha256(json.dumps(wanted, sort_keys=True).encode()).hexdigest()


def recorded_hash(lock: Path) -> str | None:
    for line in lock.read_text().splitlines():
        if line.startswith(PREFIX):
            return line[len(PREFIX) :].strip()
    return None


def stamp(lock: Path, pyproject: Path = ROOT / "pyproject.toml") -> None:
    lines = [line for line in lock.read_text().splitlines() if not line.startswith(PREFIX)]
    lines.append(PREFIX + dependencies_hash(pyproject))
    lock.write_text("\n".join(lines) + "\n")


def check(lock: Path, pyproject: Path = ROOT / "pyproject.toml") -> int:
    if not lock.exists():
        print(f"{lock.name} is missing: run `make lock` and commit it.", file=sys.stderr)
        return 1
    if recorded_hash(lock) != dependencies_hash(pyproject):
        print(
            f"{lock.name} is stale: pyproject.toml's dependencies changed since it was generated.\n"
            "Run `make lock` (regenerates it with pip-compile, keeping other pins) and commit "
            f"{lock.name}.",
            file=sys.stderr,
        )
        return 1
    return 0


def main(argv: list[str]) -> int:
    if len(argv) != 3 or argv[1] not in ("stamp", "check"):
        print(__doc__, file=sys.stderr)
        return 2
    lock = Path(argv[2])
    if argv[1] == "stamp":
        stamp(lock)
        return 0
    return check(lock)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
