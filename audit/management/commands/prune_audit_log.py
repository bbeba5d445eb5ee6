"""`manage.py prune_audit_log [--days N]`: delete audit entries older than the retention period.

Run it daily (cron, a systemd timer). The period is AUDIT_RETENTION_DAYS (default 365; 0 keeps
everything); `--days` overrides it for one run.
"""

from django.core.management.base import BaseCommand, CommandError

from audit.services import audit_prune, audit_retention_days


class Command(BaseCommand):
    help = "Delete audit log entries older than AUDIT_RETENTION_DAYS (or --days)."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=None, help="Keep this many days instead.")

    def handle(self, *args, days=None, **options):
        if days is not None and days < 0:
            raise CommandError("--days must be 0 (keep everything) or more.")
        days = audit_retention_days() if days is None else days
        if days == 0:
            self.stdout.write("Retention is 0 days: the audit log is kept forever.")
            return
        deleted = audit_prune(days=days)
        self.stdout.write(f"Deleted {deleted} audit entries older than {days} days.")
