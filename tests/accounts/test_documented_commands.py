"""README.md's `create_api_key` block works as written on a fresh checkout: no SECRET_KEY, no
DEBUG, a database that does not exist yet. Run in a subprocess exactly as a user types it, with
only the placeholders filled in."""

import os
import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _readme_block(containing: str) -> str:
    blocks = re.findall(r"```sh\n(.*?)```", (ROOT / "README.md").read_text(), flags=re.S)
    return next(block for block in blocks if containing in block)


@pytest.fixture
def fresh_env(tmp_path):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"SECRET_KEY", "DEBUG", "DJANGO_SETTINGS_MODULE"}
    }
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    return env


def _run(script: str, env) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_create_api_key_as_documented(fresh_env):
    block = _readme_block("manage.py create_api_key")
    assert block.startswith("make migrate")
    filled = block.replace("ORG_SLUG", "acme").replace("WORKSPACE_SLUG", "production")
    plain = re.sub(r"\s*\[[^\]]*\]", "", filled)  # without the optional arguments
    result = _run(plain, fresh_env)
    assert result.returncode == 0, result.stdout + result.stderr
    key = result.stdout.strip().splitlines()[-1]
    assert key.startswith("api_")
    scoped = filled.replace("[--name NAME]", "--name CRM").replace(
        "[--scopes s1,s2,...]", "--scopes events:read,audit:read"
    )
    scoped = re.sub(r"\s*\[[^\]]*\]", "", scoped)
    result = _run(scoped, fresh_env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1].startswith("scoped_")
    assert "events:read, audit:read" in result.stdout


def test_create_api_key_before_migrating_says_what_to_run(fresh_env):
    result = _run(
        ".venv/bin/python manage.py create_api_key --org acme --workspace production", fresh_env
    )
    assert result.returncode != 0
    assert "run `make migrate`" in result.stderr
