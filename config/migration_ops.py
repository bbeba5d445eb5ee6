"""Migration helpers shared by the apps' migrations."""

from django.db import migrations


def drop_like_twins(table: str, columns: tuple[str, ...]) -> migrations.RunPython:
    """Drop the `varchar_pattern_ops` twins (`..._like`) Django's PostgreSQL backend adds to
    every indexed varchar column, ids included, for LIKE 'x%' lookups. No query runs LIKE on
    an id, so the twins only cost writes (docs/benchmarks.md). Reversible; nothing to do on
    SQLite."""

    def name(schema_editor, column: str) -> str:
        return schema_editor._create_index_name(table, [column], suffix="_like")

    def drop(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for column in columns:
                schema_editor.execute(f'DROP INDEX IF EXISTS "{name(schema_editor, column)}"')

    def restore(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for column in columns:
                schema_editor.execute(
                    f'CREATE INDEX IF NOT EXISTS "{name(schema_editor, column)}" '
                    f'ON "{table}" ("{column}" varchar_pattern_ops)'
                )

    return migrations.RunPython(drop, restore)
