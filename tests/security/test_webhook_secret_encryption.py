"""Webhook secrets are encrypted at rest and the keys rotate (issue 14, point 7)."""

import pytest
from cryptography.fernet import InvalidToken
from django.core.management import call_command
from django.db import connection

from events.models import WebhookEndpoint
from events.webhooks import webhook_create

pytestmark = pytest.mark.django_db


def _stored(endpoint) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT secret FROM {WebhookEndpoint._meta.db_table} WHERE id = %s", [endpoint.pk]
        )
        return cursor.fetchone()[0]


@pytest.fixture
def endpoint_and_secret(workspace, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS = True
    settings.TASK_BACKEND = "dummy"
    settings.WEBHOOK_SECRET_KEYS = ["first key: a long random string"]
    return webhook_create(workspace=workspace, url="http://127.0.0.1:9/hook")


def test_the_column_holds_a_token_not_the_secret(endpoint_and_secret):
    endpoint, secret = endpoint_and_secret
    stored = _stored(endpoint)
    assert secret.startswith("whsec_") and secret not in stored
    assert stored.startswith("gAAAAA")
    assert WebhookEndpoint.objects.get(pk=endpoint.pk).secret == secret


def test_rotation_with_the_documented_command(endpoint_and_secret, settings):
    endpoint, secret = endpoint_and_secret
    before = _stored(endpoint)
    # 1. the new key first, the old one after it
    settings.WEBHOOK_SECRET_KEYS = [
        "second key: another long random string",
        *settings.WEBHOOK_SECRET_KEYS,
    ]
    assert WebhookEndpoint.objects.get(pk=endpoint.pk).secret == secret
    # 2. docs/security.md: `.venv/bin/python manage.py webhook_secrets_reencrypt`
    call_command("webhook_secrets_reencrypt")
    assert _stored(endpoint) != before
    # 3. the old key removed: still readable
    settings.WEBHOOK_SECRET_KEYS = settings.WEBHOOK_SECRET_KEYS[:1]
    assert WebhookEndpoint.objects.get(pk=endpoint.pk).secret == secret


def test_removing_a_key_too_early_says_what_to_do(endpoint_and_secret, settings):
    endpoint, _ = endpoint_and_secret
    settings.WEBHOOK_SECRET_KEYS = ["an unrelated key"]
    with pytest.raises(InvalidToken, match="put back the key"):
        WebhookEndpoint.objects.get(pk=endpoint.pk)


def test_the_migration_encrypts_rows_stored_in_clear(endpoint_and_secret):
    import importlib

    from django.apps import apps

    endpoint, secret = endpoint_and_secret
    with connection.cursor() as cursor:  # a row as it was before the migration
        cursor.execute(
            f"UPDATE {WebhookEndpoint._meta.db_table} SET secret = %s WHERE id = %s",
            [secret, endpoint.pk],
        )
    assert _stored(endpoint) == secret
    migration = importlib.import_module("events.migrations.0004_encrypt_existing_webhook_secrets")
    migration.encrypt_rows(apps, None)
    assert _stored(endpoint).startswith("gAAAAA")
    assert WebhookEndpoint.objects.get(pk=endpoint.pk).secret == secret


def test_the_documented_key_generator_makes_a_usable_key(settings, workspace):
    """The key generator command written in docs/security.md (rotation)."""
    import subprocess
    import sys

    key = subprocess.run(
        [sys.executable, "-c", "import secrets; print(secrets.token_urlsafe(48))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert len(key) >= 60
    settings.WEBHOOK_SECRET_KEYS = [key]
    settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS = True
    settings.TASK_BACKEND = "dummy"
    endpoint, secret = webhook_create(workspace=workspace, url="http://127.0.0.1:9/k")
    assert WebhookEndpoint.objects.get(pk=endpoint.pk).secret == secret
