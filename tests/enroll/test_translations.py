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
