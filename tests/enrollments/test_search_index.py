"""`?search=`: every word must be in the first or last name, email, reference id or serial
number (any case). One trigram index over those columns joined by spaces serves it on
PostgreSQL (migration 0008, fewer index entries per UPDATE than five), and the two nullable
foreign keys are indexed only where set; the plans are read here so that the queries and the
indexes cannot drift apart."""

import pytest
from django.db import connection

from enrollments.models import Enrollment
from tests.enrollments.factories import EnrollmentFactory


@pytest.fixture
def people(workspace):
    def make(**fields):
        return EnrollmentFactory(workspace=workspace, **fields)

    return {
        "ana": make(first_name="Ana", last_name="Lopez", email="ana@lopez.test"),
        "bo": make(first_name="Bo", last_name="Anand", reference_id="ACC-77"),
        "cy": make(first_name="Cy", last_name="Stone", serial_number="SN-ana-9"),
    }


@pytest.mark.django_db
def test_each_word_in_any_searched_column_any_case(people):
    def found(text):
        return {
            name
            for name, row in people.items()
            if Enrollment.objects.search(text).filter(pk=row.pk).exists()
        }

    assert found("ana") == {"ana", "bo", "cy"}  # first name, last name, serial number
    assert found("ANA lopez") == {"ana"}  # both words, in different columns of one row
    assert found("acc-77") == {"bo"}
    assert found("lopez.test ana") == {"ana"}
    assert found("  ") == {"ana", "bo", "cy"}  # no words: no filter
    # The columns are joined by spaces and a word has none: it never spans two columns.
    assert found("Lopezana") == set()
    assert found("Ana Lopez ana@lopez.test") == {"ana"}


@pytest.mark.django_db
@pytest.mark.postgres_only
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL plans and indexes")
def test_search_and_the_foreign_key_lookups_use_their_indexes(people):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'enrollments_enrollment' "
            "AND indexdef LIKE '%gin_trgm_ops%'"
        )
        trigram = [name for (name,) in cursor.fetchall()]
        cursor.execute("SET LOCAL enable_seqscan = off")  # the table is tiny here
    assert trigram == ["enr_search_trgm_idx"]
    assert "enr_search_trgm_idx" in Enrollment.objects.search("ana lopez").explain()
    # `lead_id IN (...)` is what Django's SET NULL runs when a lead is deleted.
    assert "enr_lead_idx" in Enrollment.objects.filter(lead_id__in=["a", "b"]).explain()
    assert "enr_previous_idx" in (
        Enrollment.objects.filter(previous_enrollment_id__in=["a"]).explain()
    )
