"""Write one chunk while the next is prepared: a second database connection for the
set-based bulk paths (`enrollments.services.bulk`).

    with ChunkWriter() as writer:
        for chunk in chunks:
            plan = prepare(chunk)                      # read, decide, build rows: this thread
            writer.submit(lambda: apply(plan), then=collect)   # UPDATE, COPY: the writer

Why: a bulk evaluation of 10,000 rows spent about as long in Python (rows read into objects,
verdicts, 20,000 events' JSON) as PostgreSQL spent writing them (the guarded UPDATEs, the
COPYs, the commit), each waiting for the other. Here the caller prepares chunk N+1 while a
writer thread applies chunk N on its own connection, in its own transaction (the chunks
committed one by one before too). Python's GIL lets the two overlap because the writer mostly
waits on its socket (psycopg releases the GIL while it waits).

When: on PostgreSQL, with `settings.BULK_PIPELINE` (default on), and only when the caller is
not inside a transaction. Inside one (a test case, the import's chunk, a request under
ATOMIC_REQUESTS) a second connection would not see the caller's uncommitted rows, and the
caller expects all or nothing; there, and on SQLite (one writer at a time), `submit` runs
`write` at once in the caller's thread and transaction: the sequential loop, unchanged.

Order and failure: chunks are written in the order they were submitted, at most one waiting
behind the one being written (memory holds three chunks, not the run). `then(result)` runs in
the caller's thread. The first failure stops the writer: the chunks after it are not written,
and the exception is raised in the caller by the next `submit` or by leaving the block, as the
sequential loop would have raised it at that chunk; the chunks before it stay committed.
"""

import time
from collections.abc import Callable
from concurrent.futures import CancelledError, Future, ThreadPoolExecutor
from typing import Any

from django.conf import settings
from django.db import connection, connections, transaction


def pipelining_possible() -> bool:
    """Whether a ChunkWriter would use a second connection here (see the module's "When")."""
    return (
        settings.BULK_PIPELINE
        and connection.vendor == "postgresql"
        and not connection.in_atomic_block
    )


class ChunkWriter:
    """Applies prepared chunks in order, on a writer thread when `pipelining_possible()`."""

    def __init__(self, *, pipelined: bool | None = None):
        self.pipelined = pipelining_possible() if pipelined is None else pipelined
        self._executor = (
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="bulk-writer")
            if self.pipelined
            else None
        )
        self._pending: list[tuple[Future, Callable[[Any], None]]] = []
        self.writing_seconds = 0.0  # the writer's time in `write` (the bench reports it)
        self._failed = False

    def submit(self, write: Callable[[], Any], *, then: Callable[[Any], None]) -> None:
        """Run `write()` in a transaction of its own, then `then(its result)` here."""
        if self._executor is None:
            with transaction.atomic():
                result = self._timed(write)
            then(result)
            return
        self._collect(keep=1)
        self._pending.append((self._executor.submit(self._write, write), then))

    def _write(self, write: Callable[[], Any]) -> Any:
        if self._failed:  # a chunk before this one failed: nothing after it is written
            raise CancelledError
        try:
            with transaction.atomic():
                return self._timed(write)
        except BaseException:
            self._failed = True
            raise

    def _timed(self, write: Callable[[], Any]) -> Any:
        start = time.perf_counter()
        try:
            return write()
        finally:
            self.writing_seconds += time.perf_counter() - start

    def wait(self) -> None:
        """Until every submitted chunk is written (a rule about to read what they change)."""
        self._collect()

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
            for future, _ in self._pending:
                future.cancel()
            self._pending.clear()
            # The writer's connection is its thread's own: closed there, then the thread ends.
            self._executor.submit(connections.close_all)
            self._executor.shutdown(wait=True)
