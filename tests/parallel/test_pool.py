"""The executor's thread pool: every job of a batch runs at once, threads are reused, errors
reach the caller."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable

import pytest

from parallel import pool as pool_module
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


def test_a_thread_hands_over_to_a_fresh_one_once_it_used_its_cpu_time() -> None:
    """Free-threaded 3.13.5 frees some memory only when the thread that allocated it exits
    (gh-145615), so a thread retires after its CPU time, starting its successor: same index,
    so the same name and CPU."""
    pool = WorkerPool(thread_cpu_seconds=0)
    ran_on: list[threading.Thread] = []
    for _ in range(3):
        assert pool.run([lambda: ran_on.append(threading.current_thread())]).wait(10)
    assert len({id(thread) for thread in ran_on}) == 3
    assert {thread.name for thread in ran_on} == {"pevm-worker-0"} and pool.threads == 1
    for retired in ran_on:
        retired.join(10)
        assert not retired.is_alive()


def test_a_thread_that_cannot_start_its_successor_keeps_serving(monkeypatch: pytest.MonkeyPatch) -> None:
    """Were it to exit, the job promised to its successor would wait forever."""
    pool = WorkerPool(thread_cpu_seconds=0)
    start = pool._start_thread
    starts: list[int] = []

    def start_only_the_first(index: int) -> None:
        starts.append(index)
        if len(starts) > 1:
            raise RuntimeError("can't create new thread at interpreter shutdown")
        start(index)

    monkeypatch.setattr(pool, "_start_thread", start_only_the_first)
    ran_on: list[threading.Thread] = []
    for _ in range(3):
        assert pool.run([lambda: ran_on.append(threading.current_thread())]).wait(10)
    assert len({id(thread) for thread in ran_on}) == 1 and pool.threads == 1


def test_an_empty_batch_is_done_at_once() -> None:
    assert WorkerPool().run([]).wait(0)


def test_a_spread_of_one_part_stays_on_the_caller(monkeypatch: pytest.MonkeyPatch) -> None:
    """A one-part spread hands nothing over (an empty batch cost ~4 us, an empty block's run)."""
    monkeypatch.setattr(pool_module, "run_jobs", lambda jobs: pytest.fail("a one-part spread used the pool"))
    seen: list[tuple[threading.Thread, int, int]] = []
    pool_module.spread_over(4)(lambda part, parts: seen.append((threading.current_thread(), part, parts)), 1)
    assert seen == [(threading.current_thread(), 0, 1)]


class Late:
    """A batch whose jobs run only when it is waited for: the pool threads started late."""

    def __init__(self, jobs: list[Callable[[], None]]) -> None:
        self.jobs = jobs
        self.errors: list[BaseException] = []

    def wait(self, timeout: float | None = None) -> bool:
        for job in self.jobs:
            job()
        return True


@pytest.mark.parametrize(
    ("workers", "most", "parts"), [(2, 100, 2 * pool_module.PARTS_PER_THREAD), (2, 5, 5), (3, 2, 2)]
)
def test_a_spread_cuts_parts_for_whichever_thread_comes(
    monkeypatch: pytest.MonkeyPatch, workers: int, most: int, parts: int
) -> None:
    """Threads claim parts as they come: a late pool thread finds the caller has run them all."""
    monkeypatch.setattr(pool_module, "run_jobs", Late)
    seen: list[tuple[threading.Thread, int, int]] = []
    pool_module.spread_over(workers)(lambda part, count: seen.append((threading.current_thread(), part, count)), most)
    assert seen == [(threading.current_thread(), part, parts) for part in range(parts)]


PINNABLE = hasattr(os, "sched_getaffinity") and len(os.sched_getaffinity(0)) > 1


def _affinities(pool: WorkerPool) -> set[frozenset[int]]:
    """The CPU sets of two pool threads, each running one job of a batch at once."""
    seen: list[frozenset[int]] = []
    together = threading.Barrier(2, timeout=10)

    def record() -> None:
        seen.append(frozenset(os.sched_getaffinity(0)))
        together.wait()

    assert pool.run([record, record]).wait(10)
    return set(seen)


@pytest.mark.skipif(not PINNABLE, reason="pinning needs sched_setaffinity and two CPUs")
def test_pool_threads_are_pinned_one_cpu_each_from_the_second() -> None:
    allowed = sorted(os.sched_getaffinity(0))
    expected = {frozenset({allowed[1]}), frozenset({allowed[2 % len(allowed)]})}
    assert _affinities(WorkerPool()) == expected


@pytest.mark.skipif(not PINNABLE, reason="pinning needs sched_setaffinity and two CPUs")
def test_pinning_can_be_turned_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PEVM_PIN_THREADS", "0")
    assert _affinities(WorkerPool()) == {frozenset(os.sched_getaffinity(0))}


@pytest.mark.skipif(not PINNABLE, reason="pinning needs sched_setaffinity and two CPUs")
def test_threads_started_from_a_pinned_thread_spread_over_every_cpu() -> None:
    """A pool thread's own mask is one CPU; threads it starts must not inherit it."""
    inner: list[set[frozenset[int]]] = []
    assert WorkerPool().run([lambda: inner.append(_affinities(WorkerPool()))]).wait(10)
    allowed = sorted(os.sched_getaffinity(0))
    assert inner == [{frozenset({allowed[1]}), frozenset({allowed[2 % len(allowed)]})}]
