"""The import's file is stored and read back byte for byte (as a binary parameter and in the
binary format on PostgreSQL), and no list or poll of imports loads it."""

import pytest

from enrollments.imports.models import Import
from enrollments.imports.storage import load_source, store_source
from tests.enrollments.factories import ProgramInstanceFactory


@pytest.fixture
def imp(workspace):
    instance = ProgramInstanceFactory(workspace=workspace)
    return Import.objects.create(
        workspace=workspace, program_instance=instance, file_name="x.csv", file_format="csv"
    )


@pytest.mark.django_db
def test_every_byte_comes_back_as_it_was_stored(imp):
    content = bytes(range(256)) * 4096 + "é;\r\n\x00'\\".encode()  # 1 MB, quotes, NUL, CR
    store_source(imp.pk, content)
    assert load_source(imp.pk) == content
    store_source(imp.pk, b"")
    assert load_source(imp.pk) == b""
    store_source(imp.pk, None)
    assert load_source(imp.pk) is None
    with pytest.raises(Import.DoesNotExist):
        load_source("no-such-import")


@pytest.mark.django_db
def test_imports_are_read_without_their_file(imp, workspace):
    store_source(imp.pk, b"First name\nAna\n")
    assert "source" in Import.objects.get(pk=imp.pk).get_deferred_fields()
    assert all(
        "source" in row.get_deferred_fields()
        for row in Import.objects.for_workspace(workspace).select_for_update()
    )
    # Saving a row read that way keeps its file.
    row = Import.objects.get(pk=imp.pk)
    row.processed_rows = 1
    row.save()
    assert load_source(imp.pk) == b"First name\nAna\n"
