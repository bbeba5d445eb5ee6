"""Reading an uploaded candidate list: CSV (UTF-8 with or without BOM, or Windows-1252; `;`
or `,` separated) or Excel .xlsx (first sheet; formula cells read as the values Excel saved).

`open_table()` checks the whole file before anything is written (format, encoding, header,
size and row limits) and raises `ImportFileError` (a 400 that says what is wrong). `rows()`
then streams the records again: one row at a time, so memory does not grow with the file.
"""

import codecs
import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.conf import settings

from config.errors import DomainValidationError


class ImportFileError(DomainValidationError):
    """The file as a whole cannot be imported; nothing was written."""

    def __init__(self, message: str):
        super().__init__(message, details={"file": [message]})


XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the old binary .xls


def detect_format(file_name: str, content: bytes) -> str:
    name = (file_name or "").lower()
    if content.startswith(OLE_MAGIC) or name.endswith(".xls"):
        raise ImportFileError(
            "This is an old Excel (.xls) file; save it as .xlsx or .csv and upload it again."
        )
    if content.startswith(XLSX_MAGIC) or name.endswith((".xlsx", ".xlsm")):
        return "xlsx"
    if b"\x00" in content[:8192]:
        raise ImportFileError("This is not a CSV or Excel (.xlsx) file (it contains binary data).")
    return "csv"


def _encoding_of(content: bytes) -> str:
    """utf-8-sig, utf-8, or cp1252; checked over the whole file without keeping a copy."""
    bom = content.startswith(codecs.BOM_UTF8)
    candidates = ["utf-8-sig"] if bom else ["utf-8", "cp1252"]
    for encoding in candidates:
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            for start in range(0, len(content), 1 << 20):
                decoder.decode(content[start : start + (1 << 20)])
            decoder.decode(b"", final=True)
            return encoding
        except UnicodeDecodeError:
            continue
    raise ImportFileError(
        "The file's text encoding is not supported: save it as CSV UTF-8 (or Windows-1252) "
        "and upload it again."
    )


def _cell(value) -> str:
    """A spreadsheet value as the text a person sees (12345.0 → "12345", dates as ISO)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, float | Decimal):
        return format(value, "f").rstrip("0").rstrip(".") if "." in str(value) else str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value).strip()


@dataclass
class Table:
    """A checked file: its header, format and number of data rows."""

    content: bytes
    file_format: str
    header: list[str]
    total_rows: int
    encoding: str = ""
    delimiter: str = ","

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        """(row number as a spreadsheet shows it, cells) of each non-blank data row."""
        for number, cells in self._records():
            if number > 1 and any(cells):
                yield number, cells

    def _records(self) -> Iterator[tuple[int, list[str]]]:
        if self.file_format == "xlsx":
            yield from _xlsx_records(self.content)
        else:
            text = io.TextIOWrapper(io.BytesIO(self.content), encoding=self.encoding, newline="")
            reader = csv.reader(text, delimiter=self.delimiter)
            for number, cells in enumerate(reader, start=1):
                yield number, [c.strip() for c in cells]


def _xlsx_records(content: bytes) -> Iterator[tuple[int, list[str]]]:
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ImportFileError(
            f"This is not a readable Excel (.xlsx) file ({type(exc).__name__})."
        ) from None
    try:
        sheet = book.worksheets[0]
        first = None
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells = [_cell(v) for v in values]
            if first is None:
                if not any(cells):
                    continue  # blank rows above the header
                first = number - 1
            yield number - first, cells
    finally:
        book.close()


def _delimiter(content: bytes, encoding: str) -> str:
    head = content[:65536].decode(encoding, errors="ignore")
    line = head.lstrip("\ufeff").splitlines()[0] if head.strip() else ""
    counts = {d: line.count(d) for d in (";", ",", "\t")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def open_table(*, file_name: str, content: bytes) -> Table:
    """Check the file whole; raise ImportFileError saying what is wrong."""
    limit = settings.IMPORT_MAX_BYTES
    if len(content) > limit:
        raise ImportFileError(
            f"The file is {len(content) // 1_000_000} MB; the limit is {limit // 1_000_000} MB. "
            "Split it into smaller files."
        )
    if not content.strip():
        raise ImportFileError("The file is empty.")
    file_format = detect_format(file_name, content)
    table = Table(content=content, file_format=file_format, header=[], total_rows=0)
    if file_format == "csv":
        table.encoding = _encoding_of(content)
        table.delimiter = _delimiter(content, table.encoding)
    total = 0
    try:
        for number, cells in table._records():
            if number == 1:
                table.header = cells
            elif any(cells):
                total += 1
                if total > settings.IMPORT_MAX_ROWS:
                    raise ImportFileError(
                        f"The file has more than {settings.IMPORT_MAX_ROWS:,} rows; split it "
                        "into smaller files."
                    )
    except csv.Error as exc:
        raise ImportFileError(f"The CSV file cannot be read: {exc}.") from None
    if not any(table.header):
        raise ImportFileError("The file has no header row (the first row names the columns).")
    table.total_rows = total
    return table
