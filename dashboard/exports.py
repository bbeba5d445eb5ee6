"""CSV export of enrollments, streamed, with spreadsheet formula injection neutralised.

A cell that starts with `=`, `+`, `-`, `@` (or a tab or carriage return, which some spreadsheet
programs skip before reading a formula) is prefixed with a single quote, so Excel, LibreOffice
and Google Sheets show it as text instead of running it (OWASP "CSV injection").
"""

import csv
from collections.abc import Iterable, Iterator

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

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
    if text.startswith(FORMULA_STARTS):
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
    writer = csv.writer(_Echo())
    yield writer.writerow([name for name, _ in ENROLLMENT_COLUMNS])
    for enrollment in enrollments:
        yield writer.writerow(
            [neutralise(_get(enrollment, path)) for _, path in ENROLLMENT_COLUMNS]
        )
