"""One trigram index for `?search=` instead of five, and the indexes of the two nullable
foreign keys only over the rows that have one.

Why: every status change rewrites an enrollment row and, since `status` is indexed, an entry in
each of its indexes (no UPDATE can be HOT). Five trigram GIN indexes (one per searched column)
were about a third of a bulk UPDATE's work and of an import's COPY; one index over the columns
joined by spaces (`enrollments.querysets.SearchText`) answers the same searches (a word holds
no space, so it is in the joined text exactly when it is in one of the columns) for less
(docs/benchmarks.md). `lead` and `previous_enrollment` are NULL on nearly every row; their
indexes serve only the `SET NULL` when a lead or an enrollment is deleted (`lead_id IN (...)`,
which implies NOT NULL, so the partial index is used), so the NULL rows need no entry.
"""

from django.db import migrations, models, transaction

SEARCH_COLUMNS = ("first_name", "last_name", "email", "reference_id", "serial_number")
SEARCH_EXPRESSION = " || ' ' || ".join(f'"{column}"' for column in SEARCH_COLUMNS)


def _has_trigram(schema_editor) -> bool:
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        return cursor.fetchone() is not None


def one_search_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in SEARCH_COLUMNS:
        schema_editor.execute(f"DROP INDEX IF EXISTS enr_{column}_trgm_idx")
    if not _has_trigram(schema_editor):  # migration 0002 could not create it: search unindexed
        return
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS enr_search_trgm_idx ON enrollments_enrollment "
        f"USING gin (UPPER(({SEARCH_EXPRESSION})) gin_trgm_ops)"
    )


def five_search_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS enr_search_trgm_idx")
    if not _has_trigram(schema_editor):
        return
    for column in SEARCH_COLUMNS:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS enr_{column}_trgm_idx ON enrollments_enrollment "
            f'USING gin (UPPER("{column}") gin_trgm_ops)'
        )


class Migration(migrations.Migration):
    dependencies = [
        ("enrollments", "0007_drop_redundant_write_indexes"),
    ]

    operations = [
        migrations.RunPython(one_search_index, five_search_indexes),
        migrations.AlterField(
            model_name="enrollment",
            name="lead",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=models.deletion.SET_NULL,
                related_name="enrollments",
                to="enrollments.lead",
            ),
        ),
        migrations.AlterField(
            model_name="enrollment",
            name="previous_enrollment",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                help_text="The enrollment this one was created from (identificationType enrollmentId).",
                null=True,
                on_delete=models.deletion.SET_NULL,
                related_name="next_enrollments",
                to="enrollments.enrollment",
            ),
        ),
        migrations.AddIndex(
            model_name="enrollment",
            index=models.Index(
                condition=models.Q(lead__isnull=False), fields=["lead"], name="enr_lead_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="enrollment",
            index=models.Index(
                condition=models.Q(previous_enrollment__isnull=False),
                fields=["previous_enrollment"],
                name="enr_previous_idx",
            ),
        ),
    ]
