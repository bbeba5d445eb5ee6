"""Shared set-up of the import tests: an open instance with a region rule, files in bytes."""

import io

from enrollments.imports.service import import_run, import_start
from tests.enrollments.factories import ProgramInstanceFactory

HEADER = "First name,Last name,Email,Street,City,State,ZIP,Reference,Tags,Program code\n"


def instance_in(workspace, **kwargs):
    kwargs.setdefault("eligibility_criteria", {"regions": ["NY"]})
    return ProgramInstanceFactory(workspace=workspace, **kwargs)


def csv_rows(n, *, start=0, state="NY", header=HEADER, sep=","):
    lines = [header.replace(",", sep)]
    for i in range(start, start + n):
        fields = [
            "Ana",
            f"Row{i}",
            f"ana{i}@example.com",
            f"{i} Main St",
            "Albany",
            state,
            "12207",
            f"REF-{i}",
            "solar; pilot",
            f"P{i}",
        ]
        lines.append(sep.join(fields) + "\n")
    return "".join(lines).encode()


def xlsx_bytes(rows: list[list]) -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def run_import(workspace, instance, content=None, *, file_name="list.csv", **kwargs):
    imp = import_start(
        workspace=workspace,
        instance=instance,
        actor=None,
        file_name=file_name,
        content=content,
        **kwargs,
    )
    return import_run(import_id=imp.pk)


def with_cached_values(xlsx: bytes, values: dict[str, str]) -> bytes:
    """Give formula cells the value Excel would have saved with them (openpyxl writes none)."""
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(xlsx))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                text = data.decode()
                for formula, value in values.items():
                    text = text.replace(f"<f>{formula}</f><v />", f"<f>{formula}</f><v>{value}</v>")
                data = text.encode()
            target.writestr(item, data)
    return out.getvalue()
