"""CSV formula injection per OWASP, on every cell (issue 14, point 5)."""

import csv
import io

import pytest

from dashboard.exports import enrollment_csv_rows, neutralise
from tests.enrollments.factories import EnrollmentFactory

DANGEROUS = [
    "=1+1",
    "+SUM(A1)",
    "-2+3",
    "@SUM(A1)",
    "\t=cmd",
    "\r=cmd",
    " =1+1",  # spaces first: some programs skip them
    '"=1+1',
    'solar;=HYPERLINK("http://x")',  # tags joined with `;`
    "a,=1+1",
    "a;+1",
    "a;-1",
    "a;@x",
    "a\t=1",
    "a\r\n=1",
    "a\n@x",
    "a; =1",
]
HARMLESS = ["Suzie", "+15550000100", "+1 (555) 000-0100", "555-000-0100", "a;b", "10.5", "O'Neil"]


@pytest.mark.parametrize("text", DANGEROUS)
def test_formulas_anywhere_are_neutralised(text):
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("text", HARMLESS)
def test_phone_numbers_and_plain_text_are_kept(text):
    assert neutralise(text) == text


def test_lists_are_checked_after_joining():
    assert neutralise(["solar", "=cmd|' /C calc'!A0"]) == "'solar;=cmd|' /C calc'!A0"
    assert neutralise(["solar", "battery"]) == "solar;battery"


def test_every_exported_cell_is_quoted_and_neutralised(db, workspace):
    EnrollmentFactory(
        workspace=workspace,
        first_name="=HYPERLINK(1)",
        city="Paris;=1+1",
        phone="+15550000100",
        tags=["vip", "=2+2"],
    )
    body = "".join(enrollment_csv_rows(workspace.enrollments.select_related("program_instance")))
    header, row = list(csv.reader(io.StringIO(body)))
    cells = dict(zip(header, row, strict=True))
    assert cells["firstName"] == "'=HYPERLINK(1)"
    assert cells["city"] == "'Paris;=1+1"
    assert cells["phone"] == "+15550000100"
    assert cells["tags"] == "'vip;=2+2"
    # Quoted cells: a `;`-separator spreadsheet does not split "Paris;=1+1" into a formula cell.
    assert '"\'Paris;=1+1"' in body
