"""Encrypt the webhook secrets stored in clear before 0003 (events.secretbox).

Reading a clear value returns it as is and saving encrypts it, so loading and saving every row
is the whole migration; running it twice changes nothing (tokens decrypt and re-encrypt)."""

from django.db import migrations


def encrypt_rows(apps, schema_editor):
    # The historical model uses EncryptedSecretField: values_list decrypts (or passes clear
    # values through) and update() encrypts.

    endpoint_model = apps.get_model("events", "WebhookEndpoint")
    for pk, secret, previous in endpoint_model.objects.values_list(
        "pk", "secret", "previous_secret"
    ).iterator():
        endpoint_model.objects.filter(pk=pk).update(secret=secret, previous_secret=previous)


class Migration(migrations.Migration):
    dependencies = [("events", "0003_webhook_secret_encryption_and_redaction")]

    operations = [migrations.RunPython(encrypt_rows, migrations.RunPython.noop)]
