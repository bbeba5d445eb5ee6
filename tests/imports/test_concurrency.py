"""Two imports of the same rows at once: no duplicate enrollment or customer, and each
transition applied once (real threads, real PostgreSQL)."""

import pytest
from django.db import connection

from enrollments.imports.service import import_run, import_start
from enrollments.models import Customer, Enrollment, EnrollmentStatusChange
from events.models import Event
from tests.concurrency import run_concurrently
from tests.imports.helpers import csv_rows, instance_in

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks"),
    pytest.mark.django_db(transaction=True),
]


def test_two_imports_of_the_same_rows_at_once(workspace, settings):
    settings.IMPORT_CHUNK_SIZE = 5
    instance = instance_in(workspace)
    imports = [
        import_start(
            workspace=workspace,
            instance=instance,
            actor=None,
            file_name=f"copy{i}.csv",
            content=csv_rows(30),
        )
        for i in range(2)
    ]
    run_concurrently(lambda imp: import_run(import_id=imp.pk), [(imp,) for imp in imports])
    assert Enrollment.objects.filter(program_instance=instance).count() == 30
    assert Customer.objects.filter(workspace=workspace).count() == 30
    assert Enrollment.objects.filter(status="eligible").count() == 30
    assert EnrollmentStatusChange.objects.count() == 30
    assert Event.objects.filter(type="enrollment.created").count() == 30
    assert Event.objects.filter(type="enrollment.status_changed").count() == 30
    for imp in imports:
        imp.refresh_from_db()
        assert imp.status == "completed" and imp.failed == 0
    assert sum(imp.created for imp in imports) == 30
