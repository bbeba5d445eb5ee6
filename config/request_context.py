"""What the running API request tells the rows it creates, without passing it through every
service signature: the `Idempotency-Key` (set by config.api.idempotency's middleware).

Model fields use `current_idempotency_key` as their default, so every row created while the
request runs records the key, through `save()` and `bulk_create()` alike. A light module: the
models import it, so it must not import DRF or the models.
"""

import contextvars

idempotency_key_var: contextvars.ContextVar[str] = contextvars.ContextVar(
    "idempotency_key", default=""
)


def current_idempotency_key() -> str:
    """The Idempotency-Key of the API request running in this context ("" outside one)."""
    return idempotency_key_var.get()
