"""Re-enqueue webhook deliveries that are due but that no worker is sending.

The worker normally recovers by itself (each claimed delivery leaves a watchdog task, see
events.delivery). This command covers what a watchdog cannot: a task lost before the claim (for
example with a non-database task backend). Safe to run from cron every few minutes.
"""

from datetime import timedelta

from django.core.management.base import BaseCommand

from events.services import delivery_requeue_stale


class Command(BaseCommand):
    help = "Re-enqueue pending webhook deliveries that are overdue and not being sent."

    def add_arguments(self, parser):
        parser.add_argument(
            "--grace-minutes",
            type=int,
            default=10,
            help="Only deliveries overdue by at least this long (default: 10).",
        )

    def handle(self, *args, grace_minutes, **options):
        count = delivery_requeue_stale(grace=timedelta(minutes=max(0, grace_minutes)))
        self.stdout.write(f"Re-enqueued {count} webhook deliveries.")
