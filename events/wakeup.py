"""Waking the delivery engine at commit time (PostgreSQL LISTEN/NOTIFY).

`notify_deliveries()` runs `NOTIFY` inside the transaction that creates due deliveries;
PostgreSQL delivers it only when (and if) that transaction commits, so a worker never wakes for
a row it cannot see yet, and a rolled-back change wakes nobody. Notifications within one
transaction are merged, so a bulk action costs one. On SQLite it does nothing: the engine's
poll interval (`WEBHOOK_POLL_SECONDS`) is the wake-up there, and the fallback everywhere
(a listener that lost its connection reconnects; a missed notification waits one poll).
"""

import logging
import threading

from django.db import connection, connections

logger = logging.getLogger("gridprograms.webhooks")

CHANNEL = "gridprograms_webhooks"


def notify_deliveries() -> None:
    """Wake the workers when the current transaction commits (no-op off PostgreSQL)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"NOTIFY {CHANNEL}")


class Listener:
    """A thread holding its own autocommit connection in `LISTEN`, setting `wake` on each
    notification. Channels are per database, so test and bench databases never cross."""

    def __init__(self, wake: threading.Event, alias: str = "default"):
        self.wake = wake
        self.alias = alias
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="webhook-listen", daemon=True)

    def start(self) -> None:
        if connections[self.alias].vendor == "postgresql":
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def _run(self) -> None:
        import psycopg

        params = connections[self.alias].get_connection_params()
        params.pop("cursor_factory", None)
        params.pop("context", None)
        params.pop("pool", None)
        while not self._stop.is_set():
            try:
                with psycopg.connect(**params, autocommit=True) as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    self.wake.set()  # catch up on anything committed while not listening
                    while not self._stop.is_set():
                        for _ in conn.notifies(timeout=1.0):
                            self.wake.set()
            except Exception:  # the poll interval covers the gap; reconnect shortly
                logger.warning("webhook listener lost its connection; reconnecting", exc_info=1)
                self._stop.wait(1.0)
