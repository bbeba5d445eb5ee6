"""The command line, run exactly as docs/import.md writes it, on the sample file it ships."""

import re
import shlex
from io import StringIO
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError

from enrollments.imports.models import Import
from enrollments.models import Enrollment
from tests.imports.helpers import csv_rows, instance_in

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "import.md").read_text()


def _documented_commands() -> list[list[str]]:
    lines = re.findall(r"^\.venv/bin/python manage\.py (import_enrollments .+)$", DOC, re.M)
    return [shlex.split(line) for line in lines]


def _run(argv) -> str:
    out = StringIO()
    call_command(*argv, stdout=out)
    return out.getvalue()


def test_the_documented_commands_do_what_the_doc_says(db, monkeypatch, run_worker):
    monkeypatch.chdir(ROOT)
    call_command("seed_demo", stdout=StringIO())  # `make demo`
    dry_run, real = _documented_commands()
    expected = re.search(r"```text\n(.+?)```", DOC, re.S).group(1)
    out = _run(dry_run)
    summary = expected.splitlines()[0].replace(" 4 invited.", "")  # a dry run invites nobody
    assert "Dry run (nothing written): " + summary in out
    assert not Enrollment.objects.filter(reference_id__startswith="CE-1000").exists()
    out = _run(real)
    assert expected in out
    assert "Kept in each enrollment's metadata (no field matched): Campaign" in out
    assert Import.objects.filter(notify_eligible=True).get().invited == 4
    sample = (ROOT / "docs" / "samples" / "candidates.csv").read_text()
    mail.outbox.clear()
    run_worker()  # the worker sends the invitations
    invited = [m for m in mail.outbox if any(address in sample for address in m.to)]
    eligible = Enrollment.objects.filter(reference_id__startswith="CE-1000", status="eligible")
    assert sorted(a for m in invited for a in m.to) == sorted(
        eligible.values_list("email", flat=True)
    )
    again = _run(real)
    assert "0 created, 0 updated, 7 unchanged, 1 failed" in again and " 0 invited." in again


def test_cli_flags_and_errors(workspace, tmp_path):
    instance = instance_in(workspace)
    path = tmp_path / "list.csv"
    path.write_bytes(csv_rows(2))
    out = _run(["import_enrollments", str(path), "--instance", instance.slug, "--no-evaluate"])
    assert "2 created" in out and "0 eligible" in out
    assert set(Enrollment.objects.values_list("status", flat=True)) == {"candidate"}
    assert Import.objects.get().actor_label == "system"
    with pytest.raises(CommandError, match="No program instance"):
        _run(["import_enrollments", str(path), "--instance", "nope"])
    path.write_bytes(b"\x00\x01binary")
    with pytest.raises(CommandError, match="binary"):
        _run(["import_enrollments", str(path), "--instance", instance.slug])
