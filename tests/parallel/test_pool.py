"""The executor's thread pool: every job of a batch runs at once, threads are reused, errors
reach the caller."""

from __future__ import annotations

import threading

import pytest

from parallel.pool import WorkerPool

pytestmark = pytest.mark.pure


def test_a_batch_runs_its_jobs_side_by_side() -> None:
    pool = WorkerPool()
    barrier = threading.Barrier(4, timeout=10)  # only passes when all four run at once
    batch = pool.run([barrier.wait] * 4)
    assert batch.wait(10) and not batch.errors


def test_threads_are_reused_across_batches() -> None:
    pool = WorkerPool()
    names: set[str] = set()
    lock = threading.Lock()
    # Both jobs of a batch must be running at once, or one thread could finish the first job
    # and take the second before the other thread woke, recording a single name.
    together = threading.Barrier(2, timeout=10)

    def record() -> None:
        with lock:
            names.add(threading.current_thread().name)
        together.wait()

    for _ in range(20):
        assert pool.run([record, record]).wait(10)
    assert pool.threads == 2 and len(names) == 2


def test_concurrent_batches_get_their_own_threads() -> None:
    pool = WorkerPool()
    first = threading.Barrier(3, timeout=10)
    held = pool.run([first.wait, first.wait])  # two threads parked until `first` trips
    second = threading.Barrier(2, timeout=10)
    assert pool.run([second.wait, second.wait]).wait(10)  # needs two more threads
    first.wait()
    assert held.wait(10) and pool.threads == 4


def test_errors_are_collected_and_the_thread_survives() -> None:
    pool = WorkerPool()

    def fail() -> None:
        raise ValueError("boom")

    batch = pool.run([fail])
    assert batch.wait(10)
    assert [str(error) for error in batch.errors] == ["boom"]
    assert pool.run([lambda: None]).wait(10) and pool.threads == 1


def test_an_empty_batch_is_done_at_once() -> None:
    assert WorkerPool().run([]).wait(0)
