"""Background tasks of the accounts app (run by the worker, `manage.py db_worker`)."""

from django.tasks import task


@task()
def idempotency_records_prune() -> int:
    """Delete expired Idempotency-Key records (scheduled at most hourly by the API middleware;
    `manage.py prune_idempotency_keys` does the same from cron)."""
    from config.api.idempotency import idempotency_records_prune as prune

    return prune()
