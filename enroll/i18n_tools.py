"""Translations without GNU gettext: find the messages of the public pages, read a .po file
and write the compiled .mo, in pure Python. A fresh machine (or CI) needs no `msgfmt`; the
compiled catalogs are committed and a test checks they match their .po sources.

    python manage.py compile_translations           # writes locale/*/LC_MESSAGES/django.mo
    python manage.py compile_translations --check   # fails if a .mo is stale
"""

import ast
import re
import struct
from pathlib import Path

from django.conf import settings
from django.utils.translation.template import templatize

# Where the customer-facing messages live (the public pages, their emails, their Python).
SOURCES = (
    "templates/enroll/*.html",
    "templates/emails/enrollment_invitation.*",
    "templates/emails/enrollment_status_link.*",
    "templates/emails/enrollment_status_customer.*",
    "events/notifications.py",
    "enroll/*.py",
    "enrollments/emails.py",
    "enrollments/inputs/*.py",
)
# Strings translated at run time (the form's default labels), not written as literals.
EXTRA_MESSAGES = (
    "First name",
    "Last name",
    "Email",
    "Phone",
    "Address",
    "Device type",
    "Device manufacturer",
    "Device capacity (kWh)",
    "Serial number",
    "Utility account number",
    "Reference description",
)
_CALL = re.compile(
    r"""\b(?:gettext|gettext_lazy|gettext_noop|_)\(\s*((?:u?'(?:[^'\\]|\\.)*'|u?"(?:[^"\\]|\\.)*"\s*)+)"""
)


def extract_messages(base: Path | None = None) -> list[str]:
    base = base or Path(settings.BASE_DIR)
    found: dict[str, None] = {}
    for pattern in SOURCES:
        for path in sorted(base.glob(pattern)):
            if path.name == "i18n_tools.py":
                continue
            text = path.read_text(encoding="utf-8")
            if path.suffix in (".html", ".txt"):
                text = templatize(text, origin=str(path))
            for match in _CALL.finditer(text):
                parts = re.findall(r"""'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*\"""", match.group(1))
                message = "".join(ast.literal_eval(p) for p in parts)
                if message:
                    found.setdefault(message)
    for message in EXTRA_MESSAGES:
        found.setdefault(message)
    return list(found)


def _unquote(value: str) -> str:
    return ast.literal_eval(value) if value else ""


def read_po(path: Path) -> dict[str, str]:
    """msgid → msgstr of a .po file (single and multi-line strings; no plurals, no contexts)."""
    catalog: dict[str, str] = {}
    msgid = msgstr = None
    target = None
    for raw in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        line = raw.strip()
        if line.startswith("msgid "):
            if msgid is not None:
                catalog[msgid] = msgstr or ""
            msgid, msgstr, target = _unquote(line[6:]), "", "id"
        elif line.startswith("msgstr "):
            msgstr, target = _unquote(line[7:]), "str"
        elif line.startswith('"') and target:
            if target == "id":
                msgid += _unquote(line)
            else:
                msgstr += _unquote(line)
        elif not line or line.startswith("#"):
            target = None if not line else target
    if msgid is not None:
        catalog[msgid] = msgstr or ""
    return catalog


def write_mo(catalog: dict[str, str]) -> bytes:
    """GNU .mo bytes (little-endian, no hash table), as Python's msgfmt.py writes them."""
    entries = sorted((k, v) for k, v in catalog.items() if v or k == "")
    ids = b""
    strs = b""
    offsets = []
    for key, value in entries:
        key_b, value_b = key.encode("utf-8"), value.encode("utf-8")
        offsets.append((len(ids), len(key_b), len(strs), len(value_b)))
        ids += key_b + b"\0"
        strs += value_b + b"\0"
    count = len(entries)
    keystart = 7 * 4 + 16 * count
    valuestart = keystart + len(ids)
    koffsets: list[int] = []
    voffsets: list[int] = []
    for id_off, id_len, str_off, str_len in offsets:
        koffsets += [id_len, id_off + keystart]
        voffsets += [str_len, str_off + valuestart]
    header = struct.pack("Iiiiiii", 0x950412DE, 0, count, 7 * 4, 7 * 4 + count * 8, 0, 0)
    return (
        header
        + struct.pack(f"{len(koffsets)}i", *koffsets)
        + struct.pack(f"{len(voffsets)}i", *voffsets)
        + ids
        + strs
    )


def po_files() -> list[Path]:
    return sorted(
        p for base in settings.LOCALE_PATHS for p in Path(base).glob("*/LC_MESSAGES/django.po")
    )
