"""Spanish without GNU gettext: the committed catalog is compiled from its .po by Python and
covers every message of the public pages."""

from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.utils import translation

from enroll.i18n_tools import extract_messages, read_po, write_mo

PO = Path(settings.BASE_DIR) / "locale" / "es" / "LC_MESSAGES" / "django.po"


def test_committed_catalog_is_compiled_from_its_po():
    call_command("compile_translations", "--check")
    assert PO.with_suffix(".mo").read_bytes() == write_mo(read_po(PO))


def test_every_customer_message_has_a_spanish_text():
    catalog = read_po(PO)
    missing = [m for m in extract_messages() if not catalog.get(m)]
    assert missing == []


def test_django_reads_the_catalog():
    with translation.override("es"):
        assert translation.gettext("Enroll") == "Inscribirme"
        assert translation.gettext("ZIP code") == "Código postal"


def test_documented_commands_work_as_written(tmp_path):
    """docs/self-enrollment.md's two commands, run by a shell exactly as written."""
    import shutil
    import subprocess

    root = Path(settings.BASE_DIR)
    doc = (root / "docs" / "self-enrollment.md").read_text()
    commands = [line for line in doc.splitlines() if "manage.py compile_translations" in line]
    commands = [c for c in commands if c.startswith("DEBUG=1 ")]
    assert len(commands) == 2
    mo = PO.with_suffix(".mo")
    saved = tmp_path / "django.mo"
    shutil.copy(mo, saved)
    try:
        for command in commands:
            result = subprocess.run(
                command, shell=True, cwd=root, capture_output=True, text=True, timeout=120
            )
            assert result.returncode == 0, result.stderr
    finally:
        shutil.copy(saved, mo)
