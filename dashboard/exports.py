"""CSV export of enrollments, streamed, with spreadsheet formula injection neutralised.

OWASP's CSV-injection rules, for every cell: a cell that starts with `=`, `+`, `-`, `@`, a tab
or a carriage return, or that holds one of those after a separator a spreadsheet may split on
(`,` `;` tab, CR, LF: a `;`-separator locale splits `a;=cmd()` into two cells), is prefixed with
a single quote, so Excel, LibreOffice and Google Sheets show it as text; every cell is quoted so
separators inside a value never split it. Phone numbers (`+15550000100`, `+1 (555) 000-0100`)
are left as they are: digits and punctuation cannot run anything.
"""

import csv
import re
from collections.abc import Iterable, Iterator

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# A formula character after a separator, possibly after spaces or quotes.
_FORMULA_AFTER_SEPARATOR = re.compile(r"[,;\t\r\n][\s\"']*[=+\-@]")
_PHONE = re.compile(r"^\+?[0-9][0-9 ().\-]{6,}$")

ENROLLMENT_COLUMNS = (
    ("id", "pk"),
    ("programInstanceId", "program_instance_id"),
    ("programInstance", "program_instance.name"),
    ("status", "status"),
    ("eligibilityReason", "eligibility_reason"),
    ("firstName", "first_name"),
    ("lastName", "last_name"),
    ("email", "email"),
    ("phone", "phone"),
    ("streetOne", "street_one"),
    ("streetTwo", "street_two"),
    ("city", "city"),
    ("state", "state"),
    ("postalCode", "postal_code"),
    ("country", "country"),
    ("deviceType", "device_type"),
    ("deviceCapacity", "device_capacity"),
    ("manufacturerSlugs", "manufacturer_slugs"),
    ("serialNumber", "serial_number"),
    ("referenceId", "reference_id"),
    ("referenceDescription", "reference_description"),
    ("tags", "tags"),
    ("enrollmentStartDate", "enrollment_start_date"),
    ("createdAt", "created_at"),
    ("updatedAt", "updated_at"),
)


def neutralise(value) -> str:
    """The cell as text that no spreadsheet evaluates."""
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        value = ";".join(str(v) for v in value)
    elif hasattr(value, "isoformat"):
        value = value.isoformat()
    text = str(value)
    if _PHONE.match(text):
        return text
    if text.lstrip(" \"'").startswith(FORMULA_STARTS) or _FORMULA_AFTER_SEPARATOR.search(text):
        return "'" + text
    return text


def _get(obj, path: str):
    for part in path.split("."):
        obj = getattr(obj, part)
    return obj


class _Echo:
    def write(self, value):
        return value


def enrollment_csv_rows(enrollments: Iterable) -> Iterator[str]:
    writer = csv.writer(_Echo(), quoting=csv.QUOTE_ALL)
    yield writer.writerow([name for name, _ in ENROLLMENT_COLUMNS])
    for enrollment in enrollments:
        yield writer.writerow(
            [neutralise(_get(enrollment, path)) for _, path in ENROLLMENT_COLUMNS]
        )
