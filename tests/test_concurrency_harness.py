"""The concurrency harness itself: it returns every result in order, and it fails the test when
a thread raised or hung (the failures a hand-rolled thread loop used to drop)."""

import threading

import pytest

from tests.concurrency import Concurrently, run_concurrently


def test_results_come_back_in_the_order_of_the_calls():
    assert run_concurrently(lambda a, b: a * b, [(1, 2), (3, 4), (5, 6)]) == [2, 12, 30]


def test_the_threads_are_released_together():
    arrived = threading.Barrier(3, timeout=5)  # breaks unless all three run at the same time
    assert run_concurrently(lambda: arrived.wait() is not None, [()] * 3) == [True] * 3


def test_a_thread_that_raises_fails_the_test_with_its_traceback():
    def maybe(n):
        if n == 1:
            raise ValueError("thread one broke")
        return n

    with pytest.raises(AssertionError) as failure:
        run_concurrently(maybe, [(0,), (1,), (2,)])
    message = str(failure.value)
    assert "1 of 3 threads raised; 0 hung" in message
    assert "thread 1 (1,) raised ValueError('thread one broke')" in message
    assert "Traceback" in message and 'raise ValueError("thread one broke")' in message


def test_a_thread_that_hangs_fails_the_test_after_the_timeout():
    release = threading.Event()
    try:
        with pytest.raises(AssertionError) as failure:
            run_concurrently(lambda n: n == 0 or release.wait(30), [(0,), (1,)], timeout=0.5)
        assert "still running after 0.5 s: threads [1]" in str(failure.value)
    finally:
        release.set()


def test_start_then_join_lets_the_caller_act_while_the_threads_run():
    go = threading.Event()
    running = Concurrently(lambda n: go.wait(5) and n, [(7,), (8,)], timeout=10).start()
    go.set()
    assert running.join() == [7, 8]


def test_no_call_is_a_mistake():
    with pytest.raises(ValueError):
        run_concurrently(lambda: None, [])
