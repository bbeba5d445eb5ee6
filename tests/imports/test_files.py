"""What files are read, and every broken file: a 400 that says what is wrong, before anything
is written."""

import pytest

from config.errors import DomainValidationError
from enrollments.imports.models import Import
from enrollments.imports.service import import_preview, import_start
from enrollments.models import Enrollment
from tests.imports.helpers import csv_rows, instance_in, run_import, with_cached_values, xlsx_bytes


@pytest.mark.parametrize(
    "content",
    [
        "\ufeffFirst name;Last name;E-mail;ZIP\nJosé;Muñoz;jose@example.com;12207\n".encode(),
        "First name,Last name,Email,ZIP\nJosé,Muñoz,jose@example.com,12207\n".encode("cp1252"),
        "first_name\tlast_name\temail\tzip\nJosé\tMuñoz\tjose@example.com\t12207\n".encode(),
    ],
    ids=["utf8-bom-semicolon", "windows-1252-comma", "utf8-tab"],
)
def test_csv_encodings_and_separators(workspace, content):
    instance = instance_in(workspace, eligibility_criteria={})
    imp = run_import(workspace, instance, content)
    enrollment = Enrollment.objects.get()
    assert imp.created == 1
    assert (enrollment.first_name, enrollment.last_name) == ("José", "Muñoz")
    assert enrollment.postal_code == "12207"


def test_xlsx_reads_the_saved_values_of_formula_cells(workspace):
    instance = instance_in(workspace)
    book = xlsx_bytes(
        [
            ["First name", "Last name", "Email", "State", "ZIP", "Capacity (kWh)"],
            ["Ana", "Cell", "ana@example.com", "NY", "=12000+207", 13.5],
        ]
    )
    imp = run_import(
        workspace,
        instance,
        with_cached_values(book, {"12000+207": "12207"}),
        file_name="list.xlsx",
    )
    enrollment = Enrollment.objects.get()
    assert (imp.created, imp.eligible) == (1, 1)
    assert enrollment.postal_code == "12207"
    assert str(enrollment.device_capacity) == "13.500"


def test_header_matching_words_camel_and_snake():
    content = (
        b"First name,lastName,e_mail,Street,Postal code,ZIP,meta.campaign,Color\n"
        b"A,B,a@example.com,1 Main,12207,99999,spring,blue\n"
    )
    preview = import_preview(file_name="x.csv", content=content)
    assert preview.mapping == {
        "First name": "firstName",
        "lastName": "lastName",
        "e_mail": "email",
        "Street": "streetOne",
        "Postal code": "postalCode",
        "ZIP": "meta.ZIP",  # the postal code is already matched by "Postal code"
        "meta.campaign": "meta.campaign",
        "Color": "meta.Color",
    }
    assert preview.metadata_columns == ["ZIP", "Color"]
    assert preview.total_rows == 1


BAD = {
    "binary": (b"\x89PNG\r\n\x1a\n\x00\x00\x00", "x.png", "binary data"),
    "old-xls": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "x.xls", ".xls"),
    "broken-xlsx": (b"PK\x03\x04garbage", "x.xlsx", "not a readable Excel"),
    "empty": (b"  \n", "x.csv", "empty"),
    "no-header": (b",,,\nAna,Row,a@example.com\n", "x.csv", "no header row"),
    "encoding": (b"First name,Email\n\x81\x8d\x90,a@example.com\n", "x.csv", "encoding"),
    "no-known-column": (b"foo,bar\n1,2\n", "x.csv", "No column matches"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_broken_files_are_refused_before_anything_is_written(workspace, case):
    content, name, words = BAD[case]
    instance = instance_in(workspace)
    with pytest.raises(DomainValidationError) as caught:
        import_start(
            workspace=workspace, instance=instance, actor=None, file_name=name, content=content
        )
    assert words in caught.value.message
    assert not Import.objects.exists() and not Enrollment.objects.exists()


def test_size_and_row_limits(workspace, settings):
    instance = instance_in(workspace)
    settings.IMPORT_MAX_ROWS = 3
    with pytest.raises(DomainValidationError, match="more than 3 rows"):
        import_start(
            workspace=workspace,
            instance=instance,
            actor=None,
            file_name="a.csv",
            content=csv_rows(4),
        )
    settings.IMPORT_MAX_BYTES = 100
    with pytest.raises(DomainValidationError, match="the limit is"):
        import_start(
            workspace=workspace,
            instance=instance,
            actor=None,
            file_name="a.csv",
            content=csv_rows(2),
        )
    assert not Import.objects.exists()
