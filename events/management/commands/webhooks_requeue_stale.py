"""Release webhook deliveries that are overdue (a dead worker's lease) and wake the workers.

The delivery engine already re-claims any due delivery whose lease ran out (events.delivery);
this sweep only clears old leases early and wakes the workers. Safe to run from cron.
"""

from datetime import timedelta

from django.core.management.base import BaseCommand

from events.webhooks import delivery_requeue_stale


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
