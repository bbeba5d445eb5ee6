"""Write chunks on writer connections while the next ones are prepared: the set-based bulk
paths (`enrollments.services.bulk`).

    with ChunkWriter() as writer:
        for chunk in chunks:
            plan = prepare(chunk)                              # read, decide, build rows: here
            writer.submit(partial(apply, plan), then=collect)  # UPDATE, COPY: a writer

Why: a bulk evaluation of 10,000 rows spent about as long in Python (rows read into objects,
verdicts, 20,000 events' JSON) as PostgreSQL spent writing them (the guarded UPDATEs through
the enrollment's indexes, the COPYs, the commit), each waiting for the other, and one
PostgreSQL backend used one core. Here the caller prepares chunk N+2 while writer threads
apply chunks N and N+1, each on its own connection and in its own transaction (the chunks
committed one by one before too). Python's GIL lets them overlap because a writer mostly
waits on its socket (psycopg releases the GIL while it waits); two writers keep PostgreSQL
busy on two cores (docs/benchmarks.md measures one and two).

Order: chunks are written in parallel but COMMIT in the order they were submitted (a writer
holds its commit until the chunk before it has committed), so what readers see grows chunk by
chunk, as in a sequential loop, and an events consumer paging by `createdAt` never sees a
later chunk's events before an earlier one's. `then(result)` runs in the caller's thread, in
submission order. Memory holds the chunks being written plus one waiting, not the run.

Failure: the first failing chunk stops the run. The chunks after it roll back or are not
started (a writer whose predecessor failed does not commit), and the exception is raised in
the caller by the next `submit` or by leaving the block, as the sequential loop would have
raised it at that chunk; the chunks before it stay committed.

Rules that read what earlier chunks change (a reopened rejection must not make a second open
enrollment) call `wait()` first: every submitted chunk committed.

When: on PostgreSQL with `settings.BULK_WRITERS` > 0 (default 2), and only when the caller is
not inside a transaction. Inside one (a test case, the import's chunk, a request under
ATOMIC_REQUESTS) another connection would not see the caller's uncommitted rows, and the caller
expects all or nothing; there, and on SQLite (one writer at a time), `submit` runs `write` at
once in the caller's thread and transaction: the sequential loop, unchanged. The bulk
services also ask for no writers (`writers=0`) when a list fits in one chunk.
"""

import threading
import time
from collections.abc import Callable
from concurrent.futures import CancelledError, Future, ThreadPoolExecutor
from typing import Any

from django.conf import settings
from django.db import connection, connections, transaction


def writers_possible() -> int:
    """How many writer connections a ChunkWriter would use here (0: none, the caller's own;
    see the module's "When")."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return 0
    return max(settings.BULK_WRITERS, 0)


class ChunkWriter:
    """Applies prepared chunks, committed in order, on writer threads when
    `writers_possible()`."""

    def __init__(self, *, writers: int | None = None):
        self.writers = writers_possible() if writers is None else writers
        self._executor = (
            ThreadPoolExecutor(max_workers=self.writers, thread_name_prefix="bulk-writer")
            if self.writers
            else None
        )
        self._pending: list[tuple[Future, Callable[[Any], None]]] = []
        self._committed = threading.Event()  # the last submitted chunk's turn is over
        self._committed.set()
        self._submitted = 0
        self._failed_at: float = float("inf")  # the first failed chunk's number
        self._lock = threading.Lock()
        self.writing_seconds = 0.0  # the writers' time in `write` (the bench reports it)

    @property
    def pipelined(self) -> bool:
        return self._executor is not None

    def submit(self, write: Callable[[], Any], *, then: Callable[[Any], None]) -> None:
        """Run `write()` in a transaction of its own, then `then(its result)` here."""
        if self._executor is None:
            with transaction.atomic():
                result = self._timed(write)
            then(result)
            return
        self._collect(keep=self.writers)
        before, mine = self._committed, threading.Event()
        self._committed = mine
        self._submitted += 1
        future = self._executor.submit(self._write, write, self._submitted, before, mine)
        self._pending.append((future, then))

    def wait(self) -> None:
        """Until every submitted chunk is committed (a rule about to read what they change)."""
        self._collect()

    def _write(self, write, number: int, before: threading.Event, mine: threading.Event) -> Any:
        try:
            if self._failed_at < number:  # a chunk before this one failed: not written
                raise CancelledError
            with transaction.atomic():
                result = self._timed(write)
                before.wait()  # commit after the chunk before this one
                if self._failed_at < number:
                    raise CancelledError  # rolled back
            return result
        except BaseException:
            with self._lock:
                self._failed_at = min(self._failed_at, number)
            raise
        finally:
            mine.set()

    def _timed(self, write: Callable[[], Any]) -> Any:
        start = time.perf_counter()
        try:
            return write()
        finally:
            with self._lock:
                self.writing_seconds += time.perf_counter() - start

    def _collect(self, *, keep: int = 0) -> None:
        """Wait for the oldest chunks until `keep` are left; their `then` runs here."""
        while len(self._pending) > keep:
            future, then = self._pending.pop(0)
            then(future.result())

    def __enter__(self) -> "ChunkWriter":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if self._executor is None:
            return
        try:
            if exc_type is None:
                self._collect()
        finally:
            if exc_type is not None:  # the caller failed: no chunk commits from now on
                self._failed_at = 0
            for future, _ in self._pending:
                future.cancel()
            self._pending.clear()
            # Each writer's connection is its thread's own: closed there (one task per thread:
            # each waits for the others, so no thread takes two), then the threads end.
            closing = threading.Barrier(self.writers)

            def close() -> None:
                connections.close_all()
                closing.wait(timeout=60)

            for _ in range(self.writers):
                self._executor.submit(close)
            self._executor.shutdown(wait=True)
