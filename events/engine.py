"""The delivery engine: one long-running loop per worker process that sends webhooks.

    manage.py webhook_worker            # run until SIGTERM/SIGINT
    manage.py webhook_worker --batch    # send what is due now, then exit (tests, cron)

The main thread owns the database: it claims batches (events.delivery.claim_batch), hands each
delivery to a bounded pool of sender threads and records finished sends in bulk. Sender threads
only sign and POST (keep-alive connections per vetted address, events.http). It wakes up when:

- PostgreSQL notifies it (`NOTIFY` sent in the transaction that created the delivery, so it
  arrives at commit; events.wakeup), for an idle latency of milliseconds;
- a send finishes (its result is recorded and the freed slot refilled at once);
- the poll interval passes (the fallback, and the only wake-up on SQLite).

Fairness: at most `WEBHOOK_ENDPOINT_CONCURRENCY` sends per endpoint are in flight, so a slow
endpoint holds a few threads, never the pool; and a circuit breaker (events.breaker) stops
claiming for an endpoint that keeps failing, so a dead one is not hammered while others wait.
"""

import logging
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor

from django.conf import settings
from django.db import close_old_connections

from config import metrics
from events import delivery, http, wakeup
from events.breaker import CircuitBreakers

logger = logging.getLogger("gridprograms.webhooks")


class DeliveryEngine:
    def __init__(
        self,
        *,
        threads: int | None = None,
        per_endpoint: int | None = None,
        poll_interval: float | None = None,
        listen: bool = True,
    ):
        self.threads = threads or settings.WEBHOOK_WORKER_THREADS
        self.per_endpoint = per_endpoint or settings.WEBHOOK_ENDPOINT_CONCURRENCY
        self.poll_interval = poll_interval or settings.WEBHOOK_POLL_SECONDS
        self.listen = listen
        self.pool = http.ConnectionPool()
        self.breakers = CircuitBreakers()
        self.wake = threading.Event()
        self.running = True
        self.inflight: dict[str, int] = {}  # endpoint id -> sends in flight
        self.futures: set[Future] = set()
        self.sent = 0
        self.last_heartbeat = 0.0

    def stop(self, *_args) -> None:
        self.running = False
        self.wake.set()

    # --- the loop ---------------------------------------------------------------------------
    def run(self, *, batch: bool = False, max_rounds: int | None = None) -> int:
        """Loop until stopped (or, with `batch`, until nothing is due). Returns sends made."""
        listener = None
        if self.listen and not batch:
            listener = wakeup.Listener(self.wake)
            listener.start()
        executor = ThreadPoolExecutor(self.threads, thread_name_prefix="webhook-send")
        rounds = 0
        try:
            while self.running:
                self.wake.clear()
                self._heartbeat()
                self._collect()
                claimed = self._fill(executor)
                rounds += 1
                if batch and not claimed and not self.futures:
                    break
                if max_rounds is not None and rounds >= max_rounds:
                    self._drain()
                    break
                if batch and not claimed:
                    self._drain()
                    continue
                if self._free_slots() == 0 or not claimed:
                    self.wake.wait(self.poll_interval)
                    if not batch:  # (a test's batch run shares the test's connection)
                        close_old_connections()
            self._drain()
        finally:
            executor.shutdown(wait=True, cancel_futures=False)
            if listener:
                listener.stop()
            self.pool.close()
        return self.sent

    def _free_slots(self) -> int:
        return self.threads * 2 - len(self.futures)

    def _fill(self, executor) -> int:
        """Claim as many due deliveries as there are free slots and start sending them."""
        free = self._free_slots()
        if free <= 0:
            return 0
        full = {e for e, n in self.inflight.items() if n >= self.per_endpoint}
        blocked = full | self.breakers.open_endpoints()
        caps = {e: self.per_endpoint - n for e, n in self.inflight.items() if n}
        caps.update(self.breakers.half_open_caps())
        claimed = delivery.claim_batch(
            limit=min(free, settings.WEBHOOK_BATCH_SIZE),
            exclude_endpoints=blocked,
            per_endpoint=caps,
            default_per_endpoint=self.per_endpoint,
        )
        targets = {}
        for item in claimed:
            endpoint = item.endpoint
            if endpoint.pk not in targets:  # vetted once per endpoint per batch
                targets[endpoint.pk] = delivery.resolve_endpoint(endpoint)
            self.inflight[endpoint.pk] = self.inflight.get(endpoint.pk, 0) + 1
            future = executor.submit(delivery.send, item, targets[endpoint.pk], self.pool)
            future.add_done_callback(lambda _f: self.wake.set())
            self.futures.add(future)
        return len(claimed)

    def _collect(self, wait: bool = False) -> None:
        """Record every finished send in one transaction."""
        done = [f for f in self.futures if f.done()]
        if not done:
            return
        self.futures.difference_update(done)
        # A BaseException in a sender (or a bug) stops the worker like a crash would: the
        # deliveries stay leased and are re-sent after the lease (never lost).
        outcomes = [f.result() for f in done]
        for outcome in outcomes:
            endpoint_id = outcome.delivery.endpoint_id
            self.inflight[endpoint_id] -= 1
            if not self.inflight[endpoint_id]:
                del self.inflight[endpoint_id]
            self.breakers.record(endpoint_id, delivery.succeeded(outcome.result))
        results = delivery.record_batch(outcomes)
        self.sent += len(outcomes)
        metrics.deliveries_recorded(results.values())

    def _drain(self) -> None:
        while self.futures:
            self.wake.wait(0.5)
            self.wake.clear()
            self._collect()

    def _heartbeat(self) -> None:
        """Tell /readyz this worker is alive (at most every few seconds)."""
        now = time.monotonic()
        if now - self.last_heartbeat >= 5:
            from events.heartbeat import heartbeat_beat

            heartbeat_beat(name="webhook_worker")
            self.last_heartbeat = now
