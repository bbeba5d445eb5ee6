"""The import's statements are a constant per chunk, whatever the rows in it (bulk INSERTs,
one guarded UPDATE per target status), so a long file costs chunks, not rows."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from enrollments.imports.service import import_run, import_start
from events.models import WebhookEndpoint
from tests.imports.helpers import csv_rows, instance_in


def _statements(workspace, instance, content) -> int:
    imp = import_start(
        workspace=workspace, instance=instance, actor=None, file_name="a.csv", content=content
    )
    with CaptureQueriesContext(connection) as queries:
        done = import_run(import_id=imp.pk)
    assert done.status == "completed" and done.failed == 0
    return len(queries)


def test_statements_per_chunk_do_not_grow_with_its_rows(workspace, settings):
    settings.IMPORT_CHUNK_SIZE = 100
    WebhookEndpoint.objects.create(workspace=workspace, url="https://example.com/h", secret="x")
    instance = instance_in(workspace)
    small = _statements(workspace, instance, csv_rows(5, start=0))
    large = _statements(workspace, instance, csv_rows(60, start=100))
    assert small == large
    # The same rows again: matched and unchanged, still the same per chunk (or fewer).
    assert _statements(workspace, instance, csv_rows(60, start=100)) <= large


def test_statements_grow_with_chunks(workspace, settings):
    instance = instance_in(workspace)
    settings.IMPORT_CHUNK_SIZE = 40
    one_chunk = _statements(workspace, instance, csv_rows(40, start=0))
    settings.IMPORT_CHUNK_SIZE = 10
    four_chunks = _statements(workspace, instance, csv_rows(40, start=100))
    assert four_chunks <= 4 * one_chunk
