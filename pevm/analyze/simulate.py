"""A deterministic discrete-event simulation of our Block-STM executor with N workers.

The scheduler is not modelled: it *is* `parallel.scheduler.Scheduler`, driven from one thread on
a simulated clock. Each simulated worker follows `parallel.worker.Worker` step by step: ask for
a task, execute (reading through a model of multi-version memory, parking on an ESTIMATE with
`add_dependency`), record and `finish_execution`, or validate (a run at a time) and
`try_validation_abort` / `finish_validation`. Only `next_task` is re-enacted (one pass of its
loop; when it would sleep on the condition the simulated worker waits for the next finished
task instead), so the simulation can never sleep.

What a speculative read sees follows from the DAG (pevm/analyze/dag.py): the newest recorded
write below the reader, a Blocked read on an ESTIMATE, the base value when no lower writer ran
yet. A stale read spoils the value the transaction writes back to that same location (a
read-modify-write) with a value no one else saw; its other writes keep their final values
(validation compares values, as MvMemory does). A stale sender nonce makes the transaction
invalid: it records an empty write set.

Costs are measured (pevm/analyze/profile.py, `calibrate`): execution, record and validation per
transaction in a worker thread, slowed by the contention factor measured with that many threads
running at once; every scheduler call holds one lock for `lock_seconds`, so calls queue.
"""

from __future__ import annotations

import heapq
import threading
import time
from collections.abc import Generator
from typing import Final

from interp.block import MIN_LOGS_PER_PART, MIN_RECEIPTS_PER_PART
from parallel.scheduler import DONE, EXECUTION_IDX, VALIDATION_IDX, Scheduler, Task
from parallel.types import EXECUTION, VALIDATION
from pevm.analyze.dag import Dag, Read
from pevm.analyze.profile import BlockProfile, executor_seconds

# recorded[tx]: the value id of its last recorded incarnation (0 = the final values)
UNRECORDED: Final = -1  # never finished executing: lower writes show through
ESTIMATE: Final = -2  # aborted: readers block on it
EMPTY: Final = -3  # invalid (stale nonce): recorded no writes
WAIT: Final = -1.0  # a worker's yield: sleep until a task finishes

Step = Generator[float, None, Task | None]


class Overheads:
    """Per-task costs of the executor's machinery on this machine, in seconds."""

    def __init__(self, lock_seconds: float, start_seconds: float, thread_seconds: float, wake_seconds: float,
                 join_seconds: float) -> None:  # fmt: skip
        self.lock_seconds = lock_seconds  # one scheduler call (lock held)
        self.start_seconds = start_seconds  # the executor's fixed cost with one worker thread
        self.thread_seconds = thread_seconds  # each further worker runs this much later
        self.wake_seconds = wake_seconds  # a waiting worker resuming after notify
        self.join_seconds = join_seconds  # from the last worker's end to the joins returning (0:
        # calibrate() measures start-up and joining together, as start_seconds)


class SimResult:
    def __init__(self, seconds: float, makespan: float, executions: int, validations: int, aborts: int, blocked: int) -> None:
        self.seconds = seconds  # the whole block, as the parallel executor would take
        self.makespan = makespan  # the workers' part
        self.executions = executions
        self.validations = validations
        self.aborts = aborts
        self.blocked = blocked


class Blocked:
    __slots__ = ("writer",)

    def __init__(self, writer: int) -> None:
        self.writer = writer


class Simulation:
    """One block, N workers; `run` returns the simulated time."""

    def __init__(self, dag: Dag, profile: BlockProfile, overheads: Overheads, workers: int) -> None:
        size = dag.size
        self.dag = dag
        self.profile = profile
        self.workers = workers
        self.overheads = overheads
        slowdown = contention(profile, workers)
        self.exec_seconds = [tx.exec_seconds * slowdown for tx in profile.txs]
        self.record_seconds = [tx.record_seconds * slowdown for tx in profile.txs]
        self.validate_seconds = [tx.validate_seconds * slowdown for tx in profile.txs]
        self.scheduler = Scheduler(size, [tx.recipient for tx in profile.txs], workers)
        self.recorded = [UNRECORDED] * size
        self.wrong: list[frozenset[int] | set[int]] = [frozenset()] * size  # locations written wrong
        self.seen: list[list[tuple[tuple[int, int], ...] | Blocked]] = [[] for _ in range(size)]
        self.next_value = 1
        self.now = 0.0
        self.lock_free = 0.0
        self.waiting: list[int] = []
        self.heap: list[tuple[float, int, int]] = []
        self.sequence = 0
        self.executions = self.validations = self.aborts = self.blocked = 0

    # --- multi-version memory, modelled --------------------------------------------------------
    def resolve(self, read: Read) -> tuple[tuple[int, int], ...] | Blocked:
        """What `read` sees now: (writer, value id) pairs, or the writer it blocks on."""
        recorded = self.recorded
        seen: list[tuple[int, int]] = []
        nearest = -1
        wrong = self.wrong
        for writer in reversed(read.writers):
            value = recorded[writer]
            if value == UNRECORDED or value == EMPTY:
                continue
            if value == ESTIMATE:
                return Blocked(writer)
            seen.append((writer, value if read.loc in wrong[writer] else 0))
            nearest = writer
            break
        for writer in read.deltas:
            if writer > nearest:
                value = recorded[writer]
                if value == ESTIMATE:
                    return Blocked(writer)
                if value >= 0:
                    seen.append((writer, value if read.loc in wrong[writer] else 0))
        return tuple(seen)

    # --- the simulated clock ------------------------------------------------------------------
    def locked(self) -> Generator[float, None, None]:
        """Hold the scheduler lock for one call (queueing behind earlier holders)."""
        start = max(self.now, self.lock_free)
        self.lock_free = start + self.overheads.lock_seconds
        yield self.lock_free - self.now

    def wake(self) -> None:
        """The scheduler's notify_all: waiting workers resume."""
        for worker in self.waiting:
            self.push(self.now + self.overheads.wake_seconds, worker)
        self.waiting.clear()

    def push(self, at: float, worker: int) -> None:
        self.sequence += 1
        heapq.heappush(self.heap, (at, self.sequence, worker))

    # --- the worker (parallel/worker.py) ------------------------------------------------------
    def next_task(self) -> Task | None:
        """One call of Scheduler.next_task up to where it would sleep on its condition."""
        scheduler = self.scheduler
        counters = scheduler.counters
        with scheduler.lock:  # its helpers notify the condition when the block is done
            while counters[DONE] == 0:
                if counters[VALIDATION_IDX] < counters[EXECUTION_IDX]:
                    task = scheduler._next_versions_to_validate()
                else:
                    task = scheduler._next_version_to_execute()
                if task is not None:
                    return task
                if counters[EXECUTION_IDX] >= scheduler.block_size and counters[VALIDATION_IDX] >= scheduler.block_size:
                    return None
        return None

    def worker(self) -> Generator[float, None, None]:
        scheduler = self.scheduler
        task: Task | None = None
        while not scheduler.done():
            if task is None:
                yield from self.locked()
                task = self.next_task()
                if task is None and not scheduler.done():
                    yield WAIT
                continue
            kind, tx, incarnation = task
            if kind == EXECUTION:
                task = yield from self.execute(tx, incarnation)
            elif kind == VALIDATION:
                task = yield from self.validate(tx, incarnation)
            else:
                task = yield from self.validate_run(tx, incarnation)

    def execute(self, tx: int, incarnation: int) -> Step:
        while True:
            self.executions += 1
            start = self.now
            duration = self.exec_seconds[tx]
            seen: list[tuple[tuple[int, int], ...] | Blocked] = []
            blocking = -1
            for read in self.dag.reads[tx]:
                at = start + read.fraction * duration
                if at > self.now:
                    yield at - self.now
                value = self.resolve(read)
                if isinstance(value, Blocked):
                    blocking = value.writer
                    break
                seen.append(value)
            if blocking >= 0:
                self.blocked += 1
                yield from self.locked()
                parked = self.scheduler.add_dependency(tx, blocking)
                self.wake()
                if parked:
                    return None
                continue
            yield start + duration + self.record_seconds[tx] - self.now
            reads = self.dag.reads[tx]
            stale = {read.loc for value, read in zip(seen, reads) if value != read.final_seen}
            invalid = any(read.sender_nonce and read.loc in stale for read in reads)
            previous = self.recorded[tx]
            # A stale read spoils what the transaction writes back to the same location (a
            # read-modify-write: balances, counters); its other writes keep their final values,
            # which value-based validation accepts.
            self.wrong[tx] = self.dag.writes[tx] & stale
            if invalid or not self.dag.has_writes[tx]:
                recorded = EMPTY
            elif not self.wrong[tx]:
                recorded = 0
            else:
                recorded = self.next_value
                self.next_value += 1
            wrote_new = recorded != EMPTY and previous in (UNRECORDED, EMPTY)
            self.recorded[tx] = recorded
            self.seen[tx] = seen
            yield from self.locked()
            task = self.scheduler.finish_execution(tx, incarnation, wrote_new)
            self.wake()
            return task

    def validate(self, tx: int, incarnation: int) -> Step:
        aborted = yield from self.aborted_by_validation(tx, incarnation)
        return (yield from self.finish_validation(tx, aborted))

    def validate_run(self, first: int, end: int) -> Step:
        for tx in range(first, end):
            if self.scheduler.is_executed(tx) and (yield from self.aborted_by_validation(tx, -1)):
                return (yield from self.finish_validation(tx, True))
        return (yield from self.finish_validation(end - 1, False))

    def aborted_by_validation(self, tx: int, incarnation: int) -> Generator[float, None, bool]:
        self.validations += 1
        yield self.validate_seconds[tx]
        writer = -2  # no stale read
        for read, value in zip(self.dag.reads[tx], self.seen[tx]):
            now = self.resolve(read)
            if now != value:  # as MvMemory.conflict_writer: the nearest writer of the first stale read
                writer = now.writer if isinstance(now, Blocked) else (now[0][0] if now else -1)
                break
        if writer == -2:
            return False
        yield from self.locked()
        if not self.scheduler.try_validation_abort(tx, incarnation, writer):
            return False
        self.aborts += 1
        if self.recorded[tx] >= 0:
            self.recorded[tx] = ESTIMATE
        return True

    def finish_validation(self, tx: int, aborted: bool) -> Step:
        yield from self.locked()
        task = self.scheduler.finish_validation(tx, aborted)
        self.wake()
        return task

    def run(self) -> float:
        """The workers' makespan, the executor's fixed cost included."""
        crew = [self.worker() for _ in range(self.workers)]
        start, further = self.overheads.start_seconds, self.overheads.thread_seconds
        fixed = self.profile.executor_seconds  # sampled beside this block's runs: preferred
        if 1 in fixed:
            start = fixed[1]
            if 2 in fixed:
                further = max(0.0, fixed[2] - fixed[1])
        for index in range(self.workers):
            self.push(start + further * index, index)
        end = 0.0
        while self.heap:
            at, _, index = heapq.heappop(self.heap)
            self.now = at
            try:
                step = next(crew[index])
            except StopIteration:
                end = max(end, at)
                continue
            if step == WAIT:
                self.waiting.append(index)
            else:
                self.push(at + step, index)
        if not self.scheduler.done():
            raise RuntimeError(f"simulation stuck: every worker waits (counters {list(self.scheduler.counters)})")
        return end + self.overheads.join_seconds


def contention(profile: BlockProfile, workers: int) -> float:
    """The slowdown of each of `workers` threads running together: measured, or for more threads
    than were measured, the figure for the most that were (an N-core machine is assumed)."""
    if workers <= 1 or not profile.contention:
        return 1.0
    measured = [threads for threads in profile.contention if threads <= workers]
    return profile.contention[max(measured)] if measured else 1.0


def receipts_seconds(profile: BlockProfile, overheads: Overheads, workers: int) -> float:
    """`finish_block` in as many parts as the executor's spread gives it (interp.block: by
    receipts or by logs, whichever allows more), each on its own core, after handing every
    further part to a pool thread."""
    logs = sum(tx.logs for tx in profile.txs)
    parts = max(1, min(workers, max(len(profile.txs) // MIN_RECEIPTS_PER_PART, logs // MIN_LOGS_PER_PART)))
    return profile.receipts_seconds / parts + (parts - 1) * overheads.thread_seconds


def simulate(dag: Dag, profile: BlockProfile, overheads: Overheads, workers: int) -> SimResult:
    """The predicted time of the parallel executor (Block-STM always on) for this block."""
    simulation = Simulation(dag, profile, overheads, workers)
    makespan = simulation.run()
    around = profile.pre_seconds + profile.memory_seconds + profile.tail_seconds + receipts_seconds(profile, overheads, workers)
    return SimResult(around + makespan, makespan, simulation.executions, simulation.validations,
                     simulation.aborts, simulation.blocked)  # fmt: skip


# --- calibration ------------------------------------------------------------------------------
def _lock_seconds(size: int = 4000) -> float:
    """One scheduler call: a single-threaded sweep of the real Scheduler (4 calls a transaction)."""
    best = float("inf")
    for _ in range(3):
        scheduler = Scheduler(size)
        start = time.perf_counter()
        task = scheduler.next_task()
        while task is not None:
            kind, tx, incarnation = task
            if kind == EXECUTION:
                task = scheduler.finish_execution(tx, incarnation, True)
            else:
                task = scheduler.finish_validation(tx, False)
            if task is None:
                task = scheduler.next_task()
        best = min(best, (time.perf_counter() - start) / (4 * size))
    return best


def _wake_seconds(rounds: int = 50) -> float:
    """From notify_all to the waiting thread running again (the median of `rounds`)."""
    condition = threading.Condition()
    delays: list[float] = []
    notified = [0.0]
    ready = threading.Event()

    def waiter() -> None:
        with condition:
            for _ in range(rounds):
                ready.set()
                condition.wait()
                delays.append(time.perf_counter() - notified[0])

    thread = threading.Thread(target=waiter, daemon=True)
    thread.start()
    for _ in range(rounds):
        ready.wait()
        with condition:
            ready.clear()
            notified[0] = time.perf_counter()
            condition.notify_all()
    thread.join()
    delays.sort()
    return delays[len(delays) // 2] if delays else 0.0


def calibrate() -> Overheads:
    """Measure the scheduler, the executor's fixed cost per worker and wake-up costs on this machine."""
    first = min(executor_seconds(1) for _ in range(15))
    second = min(executor_seconds(2) for _ in range(15))
    return Overheads(_lock_seconds(), first, max(0.0, second - first), _wake_seconds(), 0.0)
