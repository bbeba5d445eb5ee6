"""The import's background task (django.tasks; the database backend's worker runs it)."""

from django.tasks import task


@task()
def import_run_task(import_id: str) -> str:
    """Run a queued import (see enrollments.imports.service.import_run)."""
    from enrollments.imports.service import import_run

    return import_run(import_id=import_id).status
