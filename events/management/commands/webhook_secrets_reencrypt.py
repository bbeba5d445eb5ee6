"""Re-encrypt every webhook secret with the first of WEBHOOK_SECRET_KEYS (key rotation step 2,
docs/security.md). Safe to run any time; prints how many endpoints it rewrote."""

from django.core.management.base import BaseCommand
from django.db import transaction

from events.models import WebhookEndpoint


class Command(BaseCommand):
    help = "Re-encrypt webhook secrets with the first WEBHOOK_SECRET_KEYS key (after rotation)."

    def handle(self, *args, **options):
        count = 0
        with transaction.atomic():
            rows = WebhookEndpoint.objects.select_for_update().values_list(
                "pk", "secret", "previous_secret"
            )
            for pk, secret, previous in rows:
                WebhookEndpoint.objects.filter(pk=pk).update(
                    secret=secret, previous_secret=previous
                )
                count += 1
        self.stdout.write(f"Re-encrypted the secrets of {count} webhook endpoint(s).")
