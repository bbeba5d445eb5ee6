"""Run the webhook delivery engine (events.engine). Production runs one or more of these beside
`db_worker` (emails and other tasks); `make run` and `make serve` start them."""

import logging
import signal

from django.core.management.base import BaseCommand

from events.engine import DeliveryEngine


class Command(BaseCommand):
    help = "Send due webhook deliveries in batches, woken by NOTIFY on PostgreSQL."

    def add_arguments(self, parser):
        parser.add_argument("--batch", action="store_true", help="Exit when nothing is due.")
        parser.add_argument("--threads", type=int, default=None, help="Sender threads.")
        parser.add_argument(
            "--max-rounds", type=int, default=None, help="Stop after this many claim rounds."
        )

    def handle(self, *args, batch, threads, max_rounds, **options):
        engine = DeliveryEngine(threads=threads)
        if not batch:
            signal.signal(signal.SIGTERM, engine.stop)
            signal.signal(signal.SIGINT, engine.stop)
            logging.getLogger("gridprograms.webhooks").info(
                "webhook worker started (%s threads, %s per endpoint)",
                engine.threads,
                engine.per_endpoint,
            )
        sent = engine.run(batch=batch, max_rounds=max_rounds)
        if options["verbosity"] > 1:
            self.stdout.write(f"Sent {sent} webhook deliveries.")
