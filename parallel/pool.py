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

A thread does retire, though, once it has used THREAD_CPU_SECONDS: it starts its successor
(same index, so the same CPU) and exits. Free-threaded CPython before the fix for gh-145615
(3.13.5, the one built here, has the bug) leaves mimalloc pages whose blocks another thread
freed stranded in the owning thread's full-page queue, empty and never reused, until that
thread exits. Workers allocate what the calling thread frees (write sets, results), so a
long-lived pool grew without bound: 48 -> 139 MB over 480 runs of mainnet block 15537394 on 4
workers, and 11.1 GB peak for GeneralStateTests x20 on one worker (BENCHMARKS.md). A thread
that cannot start its successor (at interpreter shutdown, say) keeps serving instead.
"""

from __future__ import annotations

import os
import queue
import threading
import time
from collections.abc import Callable
from functools import partial
from typing import Final

from primitives.spread import Job as PartJob, Spread

# Call depth 1024 recurses deeply in C; pool threads get a stack that cannot overflow.
WORKER_STACK_BYTES: Final = 512 * 1024 * 1024
# A thread asleep on the queue took a median 0.8 ms (p90 3.3 ms) to start a job on the shared
# 2-vCPU development VM: its virtual CPU had halted and the host runs it again only when it gets
# round to it. A block hands out several batches in a row (senders, transactions, receipts), so
# an idle thread polls the queue this long before it sleeps, yielding its CPU to any thread that
# has work there (more workers than CPUs).
SPIN_SECONDS: Final = 0.005
# CPU time after which a pool thread hands over to a fresh one (see the module docstring). At
# 0.5 s, `statetest --parallel --workers 8 --repeat 3` over stStaticCall peaked at 1.8-1.9 GB,
# against 3.5-4.9 GB for threads that never retire and 1.7 GB for one run of each case; at 1 s,
# 3.3 GB. A hand-over cost ~0.75 ms (W6 with every thread retiring after each job: best run
# 44.4-44.8 ms, four hand-overs a run, against 41.1-42.0 ms), so ~0.2% at this budget.
THREAD_CPU_SECONDS: Final = 0.5


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


def pin_to_cpu(index: int) -> None:
    """Keep pool thread `index` on one CPU of those the process may use: the second for thread 0,
    then round (the calling thread, which runs a spread's first part, is often on the first).

    Unpinned, a woken thread was often put on the CPU of the thread that woke it, and started
    its part only when that thread's part had ended: on the 2-vCPU development VM the second part
    of a spread began a median 1.7-2.1 ms late (p90 3.1-3.2 ms) after the first started, against
    0.18-0.26 ms (p90 0.3-0.6 ms) pinned. PEVM_PIN_THREADS=0 leaves threads unpinned."""
    if os.environ.get("PEVM_PIN_THREADS", "1") == "0" or not hasattr(os, "sched_setaffinity"):
        return
    allowed = sorted(os.sched_getaffinity(os.getpid()))  # the main thread's CPUs, not the starter's
    if len(allowed) > 1:
        os.sched_setaffinity(0, {allowed[(index + 1) % len(allowed)]})


class WorkerPool:
    def __init__(self, thread_cpu_seconds: float = THREAD_CPU_SECONDS) -> None:
        self.jobs: queue.SimpleQueue[Queued] = queue.SimpleQueue()
        self.lock = threading.Lock()
        self.idle = 0  # threads waiting for a job and not yet promised to one
        self.threads = 0  # alive, or retired with their successor started
        self.thread_cpu_seconds = thread_cpu_seconds

    def run(self, jobs: list[Callable[[], None]]) -> Batch:
        """Start every job on its own pool thread; returns at once."""
        batch = Batch(len(jobs))
        with self.lock:
            reserved = min(self.idle, len(jobs))
            self.idle -= reserved
            for _ in range(len(jobs) - reserved):
                self._start_thread(self.threads)
                self.threads += 1
        for job in jobs:
            self.jobs.put((job, batch))
        return batch

    def _start_thread(self, index: int) -> None:
        """Start pool thread `index`; called under `lock` (the stack size is process-wide)."""
        previous = threading.stack_size(WORKER_STACK_BYTES)
        try:
            thread = threading.Thread(target=self._serve, args=(index,), name=f"pevm-worker-{index}", daemon=True)
            thread.start()
        finally:
            threading.stack_size(previous)

    def _serve(self, index: int) -> None:
        pin_to_cpu(index)
        retire_at = time.thread_time() + self.thread_cpu_seconds
        while True:
            job, batch = self._next_job()
            error: BaseException | None = None
            try:
                job()
            except BaseException as raised:  # noqa: BLE001 - handed to the batch's owner
                error = raised
            del job  # drop the job's references before idling
            with self.lock:
                self.idle += 1  # this thread, or the successor it starts below
            batch.job_done(error)
            del batch
            if time.thread_time() >= retire_at and self._hand_over(index):
                return

    def _hand_over(self, index: int) -> bool:
        """Start this thread's successor; False if no thread can be started now."""
        with self.lock:
            try:
                self._start_thread(index)
            except RuntimeError:  # at interpreter shutdown, or out of threads
                return False
        return True

    def _next_job(self) -> Queued:
        """The next job: polled for SPIN_SECONDS, then waited for asleep (see SPIN_SECONDS)."""
        deadline = time.perf_counter() + SPIN_SECONDS
        while time.perf_counter() < deadline:
            if not self.jobs.empty():
                try:
                    return self.jobs.get_nowait()
                except queue.Empty:  # another idle thread took it
                    continue
            os.sched_yield()  # to a thread with work on this CPU, if there is one
        return self.jobs.get()


POOL = WorkerPool()


def _reset_after_fork() -> None:
    global POOL
    POOL = WorkerPool()


os.register_at_fork(after_in_child=_reset_after_fork)


def run_jobs(jobs: list[Callable[[], None]]) -> Batch:
    """`WorkerPool.run` on the process's pool."""
    return POOL.run(jobs)


def spread_over(workers: int) -> Spread:
    """A `Spread` (primitives.spread) on up to `workers` threads, the calling thread and pool
    threads, each claiming the next part until none is left."""
    return partial(_spread, workers)


class Parts:
    """The parts of one spread, claimed one at a time by the threads running it, so a thread
    that starts late or runs on a busier CPU takes fewer."""

    def __init__(self, job: PartJob, count: int) -> None:
        self.job = job
        self.count = count
        self.claimed = 0  # parts claimed so far, changed under `lock`
        self.lock = threading.Lock()

    def run(self) -> None:
        while True:
            with self.lock:
                part = self.claimed
                self.claimed += 1
            if part >= self.count:
                return
            self.job(part, self.count)


# Parts a spread may cut per thread (callers set the smallest part worth handing over). A pool
# thread woken for its part started 0.15 ms after the calling thread in most runs on the 2-vCPU
# development VM and 1.5-4.8 ms after in others, and the two CPUs' speeds differed by up to 45%
# within a run: with one part a thread, the caller then waited for the other's.
PARTS_PER_THREAD: Final = 16


def _spread(workers: int, job: PartJob, most: int) -> None:
    threads = max(1, min(workers, most))
    if threads == 1:  # no hand-off: an empty batch alone costs more than an empty block's whole run
        job(0, 1)
        return
    parts = Parts(job, min(most, threads * PARTS_PER_THREAD))
    batch = run_jobs([parts.run] * (threads - 1))
    try:
        parts.run()
    finally:
        batch.wait()  # the other parts may still be reading what the caller will change
    if batch.errors:
        raise batch.errors[0]
