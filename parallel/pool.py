"""Worker threads that outlive a block: started once, then handed one job per worker per block.

Starting a thread per worker per block cost ~0.2 ms per thread on an idle process, and ~2.5 ms
once earlier blocks had left objects alive that exited threads allocated (the state keeps the
values workers wrote). Free-threaded CPython gives every thread its own mimalloc heap; when the
thread exits, the pages still holding live objects are abandoned, and every new thread then
pays to look them over. Threads that never exit abandon nothing, so the pool keeps them.

A batch's jobs run on as many threads at once: the pool reserves one idle thread per job and
starts new ones for the rest, so a job never waits behind another (Block-STM needs its workers
running side by side, and two blocks executed from two threads must not share workers). After
`os.fork` the child starts with an empty pool: the parent's threads do not exist there.
"""

from __future__ import annotations

import os
import queue
import threading
from collections.abc import Callable
from functools import partial
from typing import Final

from primitives.spread import Job as PartJob, Spread

# Call depth 1024 recurses deeply in C; pool threads get a stack that cannot overflow.
WORKER_STACK_BYTES: Final = 512 * 1024 * 1024


class Batch:
    """Jobs handed to the pool together; `wait` until all have returned."""

    def __init__(self, size: int) -> None:
        self.remaining = size
        self.errors: list[BaseException] = []
        self.lock = threading.Lock()
        self.finished = threading.Event()
        if size == 0:
            self.finished.set()

    def job_done(self, error: BaseException | None) -> None:
        with self.lock:
            if error is not None:
                self.errors.append(error)
            self.remaining -= 1
            if self.remaining == 0:
                self.finished.set()

    def wait(self, timeout: float | None = None) -> bool:
        """True once every job has returned (or raised: see `errors`)."""
        return self.finished.wait(timeout)


Queued = tuple[Callable[[], None], Batch]


class WorkerPool:
    def __init__(self) -> None:
        self.jobs: queue.SimpleQueue[Queued] = queue.SimpleQueue()
        self.lock = threading.Lock()
        self.idle = 0  # threads waiting for a job and not yet promised to one
        self.threads = 0

    def run(self, jobs: list[Callable[[], None]]) -> Batch:
        """Start every job on its own pool thread; returns at once."""
        batch = Batch(len(jobs))
        with self.lock:
            reserved = min(self.idle, len(jobs))
            self.idle -= reserved
            for _ in range(len(jobs) - reserved):
                self._start_thread()
        for job in jobs:
            self.jobs.put((job, batch))
        return batch

    def _start_thread(self) -> None:
        previous = threading.stack_size(WORKER_STACK_BYTES)
        try:
            thread = threading.Thread(target=self._serve, name=f"pevm-worker-{self.threads}", daemon=True)
            thread.start()
        finally:
            threading.stack_size(previous)
        self.threads += 1

    def _serve(self) -> None:
        while True:
            job, batch = self.jobs.get()
            error: BaseException | None = None
            try:
                job()
            except BaseException as raised:  # noqa: BLE001 - handed to the batch's owner
                error = raised
            del job  # drop the job's references before idling
            with self.lock:
                self.idle += 1
            batch.job_done(error)
            del batch


POOL = WorkerPool()


def _reset_after_fork() -> None:
    global POOL
    POOL = WorkerPool()


os.register_at_fork(after_in_child=_reset_after_fork)


def run_jobs(jobs: list[Callable[[], None]]) -> Batch:
    """`WorkerPool.run` on the process's pool."""
    return POOL.run(jobs)


def spread_over(workers: int) -> Spread:
    """A `Spread` (primitives.spread) running up to `workers` parts: the first on the calling
    thread, the others on pool threads."""
    return partial(_spread, workers)


def _spread(workers: int, job: PartJob, most: int) -> None:
    parts = max(1, min(workers, most))
    batch = run_jobs([partial(job, part, parts) for part in range(1, parts)])
    try:
        job(0, parts)
    finally:
        batch.wait()  # the other parts may still be reading what the caller will change
    if batch.errors:
        raise batch.errors[0]
