"""`manage.py prune_idempotency_keys`: delete Idempotency-Key records older than their 24 hours.

The worker does this by itself (the API schedules `accounts.tasks.idempotency_records_prune`
at most hourly); this command is for cron or for a deployment without the worker.
"""

from django.core.management.base import BaseCommand

from config.api.idempotency import idempotency_records_prune


class Command(BaseCommand):
    help = "Delete expired Idempotency-Key records."

    def handle(self, *args, **options):
        deleted = idempotency_records_prune()
        self.stdout.write(f"Deleted {deleted} expired idempotency record(s).")
