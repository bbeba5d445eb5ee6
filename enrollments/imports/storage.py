"""The import's stored file (`Import.source`), written and read as bytes, not as SQL text.

Why: Django's psycopg cursors bind parameters on the client, so a `bytea` value travels inside
the statement's text as hex escapes (twice the file's size, built and then copied and encoded
in Python), and a read in the text format comes back as hex too. A 14 MB, 100,000-row file took
~117 MB of the uploading request's memory, and every list of imports read every file. Here, on
PostgreSQL, the bytes go as a binary parameter of a server-side-bound statement and come back
in the binary format (the file's size once each way); the `Import` manager never loads the
column (`ImportManager`). SQLite binds natively: the ORM is used there.
"""

import psycopg
from django.db import connection

from enrollments.imports.models import Import


def _raw_cursor() -> psycopg.Cursor:
    connection.ensure_connection()
    return psycopg.Cursor(connection.connection)  # server-side binding, unlike Django's


def store_source(import_id: str, content: bytes | None) -> None:
    """Set the import's file (inside the caller's transaction: it is the same connection)."""
    if connection.vendor != "postgresql":
        Import.objects.filter(pk=import_id).update(source=content)
        return
    table, quote = Import._meta.db_table, connection.ops.quote_name
    with _raw_cursor() as cursor:
        cursor.execute(
            f"UPDATE {quote(table)} SET {quote('source')} = %b WHERE {quote('id')} = %s",
            [content, import_id],
        )


def load_source(import_id: str) -> bytes | None:
    """The import's file, or None when it was cleared (a finished real import)."""
    if connection.vendor != "postgresql":
        value = Import.objects.values_list("source", flat=True).get(pk=import_id)
        return None if value is None else bytes(value)
    table, quote = Import._meta.db_table, connection.ops.quote_name
    with _raw_cursor() as cursor:
        cursor.execute(
            f"SELECT {quote('source')} FROM {quote(table)} WHERE {quote('id')} = %s",
            [import_id],
            binary=True,
        )
        row = cursor.fetchone()
    if row is None:
        raise Import.DoesNotExist(import_id)
    return None if row[0] is None else bytes(row[0])
