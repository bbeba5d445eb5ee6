"""Webhook secrets encrypted at rest (Fernet, via `cryptography`).

HMAC signing needs the secret itself, so it cannot be hashed like an API key; instead the column
holds a Fernet token (AES-128-CBC + HMAC-SHA256, authenticated) made with a key derived from
the WEBHOOK_SECRET_KEYS setting, which is separate from SECRET_KEY so that a leaked database
dump or a leaked SECRET_KEY alone reveals nothing. The setting is a list: the first key
encrypts, every key decrypts (MultiFernet), so keys rotate without downtime:

1. put the new key first, keep the old one after it, deploy;
2. run `manage.py webhook_secrets_reencrypt` (re-encrypts every row with the first key);
3. remove the old key.

Each configured string (any length) is stretched to a Fernet key with HKDF-SHA256, so
operators can use any long random string. Unset, it falls back to a key derived from SECRET_KEY
(so development needs nothing), which docs/deployment.md tells production to avoid.
"""

import base64

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.db import models

_INFO = b"gridprograms webhook secrets v1"
TOKEN_PREFIX = "gAAAAA"  # every Fernet token starts with its version byte and timestamp


def _fernet(material: str) -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(
        material.encode()
    )
    return Fernet(base64.urlsafe_b64encode(key))


def keys() -> list[str]:
    configured = [k for k in getattr(settings, "WEBHOOK_SECRET_KEYS", []) if k]
    return configured or [f"derived-from-secret-key:{settings.SECRET_KEY}"]


def box() -> MultiFernet:
    return MultiFernet([_fernet(k) for k in keys()])


def encrypt(value: str) -> str:
    return box().encrypt(value.encode()).decode() if value else ""


def decrypt(stored: str) -> str:
    """The clear secret. A value that is not a token is a row written before encryption (the
    migration encrypts those); an undecryptable token means a key was removed too early."""
    if not stored or not stored.startswith(TOKEN_PREFIX):
        return stored or ""
    try:
        return box().decrypt(stored.encode()).decode()
    except InvalidToken:
        raise InvalidToken(
            "A webhook secret cannot be decrypted with WEBHOOK_SECRET_KEYS: put back the key "
            "it was encrypted with (see docs/security.md, rotation)."
        ) from None


class EncryptedSecretField(models.CharField):
    """A CharField whose value is clear in Python and a Fernet token in the database."""

    def from_db_value(self, value, expression, connection):
        return decrypt(value) if value is not None else value

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return encrypt(value) if value else value
