"""The one thread harness for concurrency tests: real threads released together by a barrier,
each closing its own database connection, and a test that fails when any thread raised or did
not finish in time (a thread that dies must never be silently dropped)."""

import threading
import time
import traceback
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.db import connection

_PENDING = object()


class Concurrently:
    """`fn(*args)` for each args tuple, each in its own thread, all released at once.

    `start()` starts them and returns at once (the caller can act while they run, e.g. inject
    faults); `join()` waits, then fails the test naming every exception with its traceback and
    every thread still running after `timeout` seconds (counted from `start()`); otherwise it
    returns the results in the order of `args_list`."""

    def __init__(self, fn: Callable[..., Any], args_list: Iterable[Sequence[Any]], *, timeout=60):
        self.fn, self.timeout = fn, timeout
        self.args_list = [tuple(args) for args in args_list]
        if not self.args_list:
            raise ValueError("run_concurrently needs at least one call")
        self.results: list[Any] = [_PENDING] * len(self.args_list)
        self.errors: list[tuple[int, BaseException, str]] = []
        self._lock = threading.Lock()
        self._barrier = threading.Barrier(len(self.args_list))
        self._threads: list[threading.Thread] = []
        self._deadline = 0.0

    def _run(self, index, args):
        try:
            self._barrier.wait(timeout=self.timeout)
            self.results[index] = self.fn(*args)
        except BaseException as exc:  # every failure is reported by join()
            with self._lock:
                self.errors.append((index, exc, traceback.format_exc()))
        finally:
            connection.close()

    def start(self) -> "Concurrently":
        self._deadline = time.monotonic() + self.timeout
        for index, args in enumerate(self.args_list):
            thread = threading.Thread(
                target=self._run, args=(index, args), name=f"concurrent-{index}", daemon=True
            )
            self._threads.append(thread)
            thread.start()
        return self

    def join(self) -> list[Any]:
        for thread in self._threads:
            thread.join(max(0.0, self._deadline - time.monotonic()))
        hung = [i for i, thread in enumerate(self._threads) if thread.is_alive()]
        with self._lock:
            errors = sorted(self.errors, key=lambda error: error[0])
        if errors or hung:
            lines = [f"{len(errors)} of {len(self._threads)} threads raised; {len(hung)} hung"]
            if hung:
                lines.append(f"still running after {self.timeout} s: threads {hung}")
            for index, exc, trace in errors:
                lines.append(f"--- thread {index} {self.args_list[index]!r} raised {exc!r}:")
                lines.append(trace)
            raise AssertionError("\n".join(lines))
        return list(self.results)


def run_concurrently(
    fn: Callable[..., Any], args_list: Iterable[Sequence[Any]], *, timeout: float = 60
) -> list[Any]:
    """Run `fn(*args)` for every args tuple in its own thread, all at once; fail the test if any
    raised or hung past `timeout`; return the results in order."""
    return Concurrently(fn, args_list, timeout=timeout).start().join()
