"""The delivery engine: one long-running loop per worker process that sends webhooks.

    manage.py webhook_worker            # run until SIGTERM/SIGINT
    manage.py webhook_worker --batch    # send what is due now, then exit (tests, cron)

The main thread owns the database: it claims batches (events.delivery.claim_batch) into a
per-endpoint backlog and records finished sends in bulk (events.delivery.record_batch). Sender
threads only sign and POST (keep-alive connections per vetted address, events.http): each runs
a *lane* that takes the next delivery of one endpoint's backlog until it is empty. It wakes up:

- when PostgreSQL notifies it (`NOTIFY` sent in the transaction that created the delivery, so it
  arrives at commit; events.wakeup), for an idle latency of milliseconds;
- when sends finish (their results are recorded and the freed capacity claimed again);
- when the poll interval passes (the fallback, and the only wake-up on SQLite).

Fairness: at most `WEBHOOK_ENDPOINT_CONCURRENCY` lanes per endpoint, so a slow endpoint holds a
few threads, never the pool (`WEBHOOK_WORKER_THREADS` should be several times larger); at most
`BACKLOG_PER_LANE` claimed deliveries per lane wait behind it, so a claimed delivery waits at
most that many timeouts (well inside its lease). A circuit breaker (events.breaker) stops
claiming for an endpoint that keeps failing and releases its waiting backlog unsent.
"""

import logging
import threading
import time
from collections import deque
from concurrent.futures import ThreadPoolExecutor

from django.conf import settings
from django.db import DatabaseError, close_old_connections

from config import metrics
from events import delivery, http, wakeup
from events.breaker import CircuitBreakers

logger = logging.getLogger("gridprograms.webhooks")
BACKLOG_PER_LANE = 4
COALESCE_SECONDS = 0.005


class DeliveryEngine:
    def __init__(self, *, threads=None, per_endpoint=None, poll_interval=None, listen=True):
        self.threads = threads or settings.WEBHOOK_WORKER_THREADS
        self.per_endpoint = per_endpoint or settings.WEBHOOK_ENDPOINT_CONCURRENCY
        self.poll_interval = poll_interval or settings.WEBHOOK_POLL_SECONDS
        self.listen = listen
        self.pool = http.ConnectionPool()
        self.breakers = CircuitBreakers()
        self.wake = threading.Event()
        self.running = True
        self.lock = threading.Lock()
        self.backlog: dict[str, deque] = {}  # endpoint id -> claimed, not yet started
        self.targets: dict[str, object] = {}  # endpoint id -> vetted Target (this claim)
        self.lanes: dict[str, int] = {}  # endpoint id -> lanes running
        self.outcomes: list[delivery.Outcome] = []  # finished, not yet recorded
        self.claimed = 0  # claimed and not yet recorded
        self.sent = 0
        self.last_heartbeat = 0.0
        self.crash: BaseException | None = None

    def stop(self, *_args) -> None:
        self.running = False
        self.wake.set()

    # --- the loop (main thread) -------------------------------------------------------------
    def run(self, *, batch: bool = False, max_rounds: int | None = None) -> int:
        """Loop until stopped (or, with `batch`, until nothing is due). Returns sends made."""
        listener = wakeup.Listener(self.wake) if self.listen and not batch else None
        if listener:
            listener.start()
        self.executor = ThreadPoolExecutor(self.threads, thread_name_prefix="webhook-send")
        rounds = 0
        try:
            while self.running:
                self.wake.clear()
                if self.claimed:
                    time.sleep(COALESCE_SECONDS)  # let more sends finish: larger batches
                got = 0
                try:
                    self._heartbeat()
                    self._collect()
                    if max_rounds is None or rounds < max_rounds:
                        got = self._fill()
                        rounds += 1 if got else 0
                except DatabaseError:
                    if batch:
                        raise
                    # The database restarted or failed over: wait, reconnect, carry on.
                    logger.exception("webhook worker: database error; retrying in 1 s")
                    close_old_connections()
                    time.sleep(1)
                    continue
                if not got and not self.claimed and (batch or max_rounds is not None):
                    break
                if not got:
                    self.wake.wait(self.poll_interval if not self.claimed else 0.5)
                    if not batch:  # (a test's batch run shares the test's connection)
                        close_old_connections()
            self._drain()
        finally:
            self.running = False
            self.executor.shutdown(wait=True)
            if listener:
                listener.stop()
            self.pool.close()
        return self.sent

    def _window(self) -> int:
        return self.threads * BACKLOG_PER_LANE

    def _fill(self) -> int:
        """Claim due deliveries up to the free capacity and start lanes for them."""
        free = min(self._window() - self.claimed, settings.WEBHOOK_BATCH_SIZE)
        cap = self.per_endpoint * BACKLOG_PER_LANE
        if free <= 0:
            return 0
        with self.lock:
            held = {e: len(q) + self.lanes.get(e, 0) for e, q in self.backlog.items()}
            blocked = {e for e, n in held.items() if n >= cap} | self.breakers.open_endpoints()
            half_open = self.breakers.half_open_caps()
        caps = {e: cap - n for e, n in held.items() if n}
        caps.update(half_open)
        claimed = delivery.claim_batch(
            limit=free, exclude_endpoints=blocked, per_endpoint=caps, default_per_endpoint=cap
        )
        if not claimed:
            return 0
        self.claimed += len(claimed)
        fresh = {}
        for item in claimed:
            if item.endpoint_id not in fresh:  # vetted again once per endpoint per claim
                fresh[item.endpoint_id] = delivery.resolve_endpoint(item.endpoint)
        with self.lock:
            self.targets.update(fresh)
            for item in claimed:
                self.backlog.setdefault(item.endpoint_id, deque()).append(item)
            for endpoint_id in fresh:
                limit = 1 if endpoint_id in half_open else self.per_endpoint
                while self.lanes.get(endpoint_id, 0) < min(limit, len(self.backlog[endpoint_id])):
                    self.lanes[endpoint_id] = self.lanes.get(endpoint_id, 0) + 1
                    self.executor.submit(self._lane, endpoint_id)
        return len(claimed)

    def _collect(self) -> None:
        """Record every finished send in one transaction."""
        if self.crash is not None:
            # A BaseException in a sender (or a bug) stops the worker like a crash would: the
            # deliveries stay leased and are sent again after the lease (never lost).
            raise self.crash
        with self.lock:
            outcomes, self.outcomes = self.outcomes, []
        if not outcomes:
            return
        released = []
        with self.lock:  # give back what waits for an endpoint whose circuit opened
            for endpoint_id in self.breakers.open_endpoints() & set(self.backlog):
                released.extend(self.backlog.pop(endpoint_id))
        try:
            results = delivery.record_batch(outcomes)
        except Exception:
            with self.lock:  # keep them for the next try (the leases still hold)
                self.outcomes[:0] = outcomes
            raise
        if released:
            delivery.release(released)
        self.claimed -= len(outcomes) + len(released)
        self.sent += len(outcomes)
        metrics.deliveries_recorded(results.values())

    def _drain(self) -> None:
        """Finish the sends under way; give back what has not started (stopping)."""
        with self.lock:
            waiting = [item for queue in self.backlog.values() for item in queue]
            for queue in self.backlog.values():
                queue.clear()
        if waiting:
            delivery.release(waiting)
            self.claimed -= len(waiting)
        while self.claimed:
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

    # --- a lane (sender thread) -------------------------------------------------------------
    def _lane(self, endpoint_id: str) -> None:
        """Send the endpoint's backlog one delivery at a time (no database here)."""
        try:
            while self.crash is None:
                with self.lock:
                    queue = self.backlog.get(endpoint_id)
                    if not queue or self.breakers.state(endpoint_id) == "open":
                        self.lanes[endpoint_id] -= 1
                        if not self.lanes[endpoint_id]:
                            del self.lanes[endpoint_id]
                            if queue is not None and not queue:
                                del self.backlog[endpoint_id]  # (else released by _collect)
                        return
                    item = queue.popleft()
                    target = self.targets[endpoint_id]
                outcome = delivery.send(item, target, self.pool)
                with self.lock:
                    self.outcomes.append(outcome)
                    self.breakers.record(endpoint_id, delivery.succeeded(outcome.result))
                self.wake.set()
        except BaseException as exc:
            self.crash = exc
            self.wake.set()
