"""The collaborative Block-STM scheduler (Gelashvili et al., "Block-STM", PPoPP 2023).

Workers repeatedly ask `next_task`. Two indices sweep the block: `execution_idx` hands out the
next transaction to execute, `validation_idx` the next ones to validate, up to `VALIDATION_RUN`
executed transactions per task (one lock round trip for the run instead of one per
transaction); validation is preferred while it lags behind execution. An execution that wrote
a location its previous incarnation did not write pulls `validation_idx` back, so higher
transactions are validated again. A failed validation aborts the incarnation (its writes become
ESTIMATEs) and re-executes it; a reader that met an ESTIMATE registers as a dependency of the
writer and is resumed when the writer finishes. The block is done when both indices passed the
end and no task is active.

Hot lanes (ours, not the paper's): transactions calling the same contract form a lane. A lane
conflict is a member aborted by, or blocked on, a write of an earlier member. While a lane's
conflicts are at least one in `HOT_LANE_RUNS` of its finished executions, the lane is hot: a
member ready to execute waits (PARKED, no incarnation spent) until the lane's previous
transaction has executed, instead of running beside it on values that one is about to change.
A block whose transactions mostly call one game contract then runs that lane about one at a
time and everything else beside it, rather than executing most of the lane twice; a router
whose callers rarely collide cools down again as its members finish without conflicts.
Parking only orders work: validation still decides every result. With many workers a wasted
execution costs little and waiting costs more, so lanes are kept only up to `MAX_LANE_WORKERS`.

Status of a transaction (incarnation i):

    READY_TO_EXECUTE(i) --try_incarnate--> EXECUTING(i) --finish_execution--> EXECUTED(i)
          ^                                   |                                   |
          |                              add_dependency                   try_validation_abort
          |                                   v                                   v
          +------------ set_ready ------- ABORTING(i) <---------------------------+
          |          (incarnation i+1)
          +--- lane's previous executed --- PARKED(i) <-- try_incarnate (its lane is hot)

Free-threading: the `Scheduler` object never changes after construction (its attributes are
Final); all its state sits in builtin lists behind one lock, taken twice per task in the common
case: a finishing task hands out the worker's next one under the same lock. Lock-free reads
(the done flag, a transaction's status while validating a run) see small ints 0-4, which are
immortal; incarnations, which can grow past the cached small ints, are read under the lock.
Idle workers sleep on a condition.
"""

from __future__ import annotations

import threading
import time
from typing import Final, final

from parallel.types import EXECUTION, VALIDATION, VALIDATIONS, SchedulerStuck

READY_TO_EXECUTE: Final = 0
EXECUTING: Final = 1
EXECUTED: Final = 2
ABORTING: Final = 3
PARKED: Final = 4  # waiting for its hot lane's previous transaction to execute

# A lane is hot while it had at least one conflict per this many finished executions.
HOT_LANE_RUNS: Final = 4
# Simulated on every shared mainnet block (`pevm analyze`'s model, one profile, lanes on and
# off): 2 workers +2.4% on average, worst -1.3%; 4 workers +2.2%, worst -14%; 8 workers +0.1%,
# worst -34% (a lane of a busy router waits where idle workers would have re-executed).
MAX_LANE_WORKERS: Final = 2

# indices into Scheduler.counters
EXECUTION_IDX: Final = 0
VALIDATION_IDX: Final = 1
ACTIVE_TASKS: Final = 2
DONE: Final = 3
REEXECUTIONS: Final = 4
WAITING: Final = 5
FINISHED: Final = 6  # tasks finished so far: the watchdog's measure of progress

# Transactions per validation task. A run is validated by one worker while the others execute;
# a failed validation ends the run early (the rest is validated again after the abort).
VALIDATION_RUN: Final = 8

Task = tuple[int, int, int]  # (EXECUTION or VALIDATION, tx, incarnation) or (VALIDATIONS, first, end)


@final
class Scheduler:
    block_size: Final[int]
    lock: Final[threading.Lock]
    changed: Final[threading.Condition]
    counters: Final[list[int]]
    incarnation: Final[list[int]]
    status: Final[list[int]]
    dependents: Final[list[list[int]]]
    progress: Final[list[float]]  # the watchdog's last FINISHED count and when it changed
    lane_previous: Final[list[int]]  # the previous transaction calling the same contract, or -1
    lane_head: Final[list[int]]  # the lane's first transaction: its index in the counts below
    lane_runs: Final[list[int]]  # at a lane's head: executions its members finished (under the lock)
    lane_conflicts: Final[list[int]]  # at a lane's head: conflicts between its members (under the lock)

    def __init__(self, block_size: int, recipients: list[int] | None = None, workers: int = 1) -> None:
        """`recipients`: each transaction's callee (-1 for a creation), which makes the lanes;
        there are none without them or with more than MAX_LANE_WORKERS `workers`."""
        self.block_size = block_size
        self.lock = threading.Lock()
        self.changed = threading.Condition(self.lock)
        self.counters = [0, 0, 0, 1 if block_size == 0 else 0, 0, 0, 0]
        self.incarnation = [0] * block_size
        self.status = [READY_TO_EXECUTE] * block_size
        self.dependents = [[] for _ in range(block_size)]
        self.progress = [0.0, time.monotonic()]
        self.lane_previous = [-1] * block_size
        self.lane_head = list(range(block_size))
        self.lane_runs = [0] * block_size
        self.lane_conflicts = [0] * block_size
        last: dict[int, int] = {}
        for tx, recipient in enumerate(recipients if recipients is not None and workers <= MAX_LANE_WORKERS else ()):
            if recipient >= 0:
                previous = last.get(recipient, -1)
                if previous >= 0:
                    self.lane_previous[tx] = previous
                    self.lane_head[tx] = self.lane_head[previous]
                last[recipient] = tx

    def seed(self, executed: list[bool]) -> None:
        """Before any worker starts: the transactions marked have their first incarnation
        executed already (by lookahead) and recorded in memory; they only wait for validation.
        `execution_idx` starts at the first transaction not marked."""
        first = self.block_size
        for tx in range(self.block_size - 1, -1, -1):
            if executed[tx]:
                self.status[tx] = EXECUTED
            else:
                first = tx
        self.counters[EXECUTION_IDX] = first

    # --- queries ------------------------------------------------------------------------------
    def done(self) -> bool:
        return self.counters[DONE] == 1

    def reexecutions(self) -> int:
        with self.lock:
            return self.counters[REEXECUTIONS]

    # --- internal (lock held) ---------------------------------------------------------------
    def _check_done(self) -> None:
        counters = self.counters
        if (
            counters[EXECUTION_IDX] >= self.block_size
            and counters[VALIDATION_IDX] >= self.block_size
            and counters[ACTIVE_TASKS] == 0
        ):
            counters[DONE] = 1
            self.changed.notify_all()

    def _wake(self) -> None:
        if self.counters[WAITING] > 0:
            self.changed.notify_all()

    def _try_incarnate(self, tx: int) -> Task | None:
        if tx < self.block_size and self.status[tx] == READY_TO_EXECUTE:
            if not self._parks(tx):
                self.status[tx] = EXECUTING
                return (EXECUTION, tx, self.incarnation[tx])
        self.counters[ACTIVE_TASKS] -= 1
        self._check_done()
        return None

    def _parks(self, tx: int) -> bool:
        """Park `tx` (ready to execute) if its lane is hot and the lane's previous transaction
        has not executed; finish_execution(previous) makes it ready again."""
        previous = self.lane_previous[tx]
        if previous < 0 or self.status[previous] == EXECUTED:
            return False
        head = self.lane_head[tx]
        conflicts = self.lane_conflicts[head]
        if conflicts == 0 or conflicts * HOT_LANE_RUNS < self.lane_runs[head]:
            return False
        self.status[tx] = PARKED
        self.dependents[previous].append(tx)
        return True

    def _count_conflict(self, tx: int, writer: int) -> None:
        """`tx` lost its run to a write of `writer` (-1: unknown): a lane conflict if both are
        members of one lane."""
        if writer >= 0 and self.lane_previous[tx] >= 0 and self.lane_head[writer] == self.lane_head[tx]:
            self.lane_conflicts[self.lane_head[tx]] += 1

    def _set_ready(self, tx: int) -> None:
        self.incarnation[tx] += 1
        self.status[tx] = READY_TO_EXECUTE
        self.counters[REEXECUTIONS] += 1

    def _next_version_to_execute(self) -> Task | None:
        counters = self.counters
        if counters[EXECUTION_IDX] >= self.block_size:
            self._check_done()
            return None
        counters[ACTIVE_TASKS] += 1
        tx = counters[EXECUTION_IDX]
        counters[EXECUTION_IDX] = tx + 1
        return self._try_incarnate(tx)

    def _next_versions_to_validate(self) -> Task | None:
        """The next run of transactions to validate (called while validation lags execution).

        The index passes transactions that are not executed: when they finish executing,
        `validation_idx` is past them and `finish_execution` has them validated."""
        counters = self.counters
        first = counters[VALIDATION_IDX]
        if first >= self.block_size:
            self._check_done()
            return None
        end = min(counters[EXECUTION_IDX], first + VALIDATION_RUN)
        counters[VALIDATION_IDX] = end
        for tx in range(first, end):
            if self.status[tx] == EXECUTED:
                counters[ACTIVE_TASKS] += 1
                return (VALIDATIONS, tx, end)
        self._check_done()
        return None

    def _take_task(self) -> Task | None:
        """A validation while validation lags behind execution, else an execution; None when
        the index it tried had nothing to do (or the block is done)."""
        if self.counters[DONE] == 1:
            return None
        if self.counters[VALIDATION_IDX] < self.counters[EXECUTION_IDX]:
            return self._next_versions_to_validate()
        return self._next_version_to_execute()

    # --- Block-STM operations -----------------------------------------------------------------
    def next_task(self) -> Task | None:
        """The next task; None once the block is done (waits while only active tasks remain)."""
        counters = self.counters
        with self.lock:
            while counters[DONE] == 0:
                task = self._take_task()
                if task is not None:
                    return task
                if counters[EXECUTION_IDX] >= self.block_size and counters[VALIDATION_IDX] >= self.block_size:
                    # Only active tasks can create more work now: sleep until they report.
                    counters[WAITING] += 1
                    self.changed.wait(0.05)
                    counters[WAITING] -= 1
            return None

    def add_dependency(self, tx: int, blocking: int) -> bool:
        """`tx` read an ESTIMATE of `blocking`: park it until `blocking` finishes executing.

        False when `blocking` already finished, so the caller re-executes right away.
        """
        with self.lock:
            if self.status[blocking] == EXECUTED:
                return False
            self._count_conflict(tx, blocking)
            self.status[tx] = ABORTING
            self.dependents[blocking].append(tx)
            self.counters[ACTIVE_TASKS] -= 1
            self._check_done()
            return True

    def is_executed(self, tx: int) -> bool:
        """Whether a run's validation should look at `tx` now (read without the lock: a
        transaction that is not executed yet is validated after its execution finishes)."""
        return self.status[tx] == EXECUTED

    def finish_execution(self, tx: int, incarnation: int, wrote_new_location: bool) -> Task | None:
        counters = self.counters
        with self.lock:
            counters[FINISHED] += 1
            self.status[tx] = EXECUTED
            self.lane_runs[self.lane_head[tx]] += 1
            dependents = self.dependents[tx]
            if dependents:
                self.dependents[tx] = []
                for dependent in dependents:
                    if self.status[dependent] == PARKED:
                        self.status[dependent] = READY_TO_EXECUTE  # it has not run: no new incarnation
                    else:
                        self._set_ready(dependent)
                lowest = min(dependents)
                if lowest < counters[EXECUTION_IDX]:
                    counters[EXECUTION_IDX] = lowest
            task: Task | None = None
            if counters[VALIDATION_IDX] > tx:
                if wrote_new_location:
                    counters[VALIDATION_IDX] = tx
                else:
                    task = (VALIDATION, tx, incarnation)
            if task is None:
                counters[ACTIVE_TASKS] -= 1
                self._check_done()
                task = self._take_task()
            self._wake()
            return task

    def try_validation_abort(self, tx: int, incarnation: int, writer: int = -1) -> bool:
        """Abort `incarnation` of `tx` if it is still the executed one; -1 (a run's validation)
        aborts whichever incarnation is executed: at worst one that was valid, which only costs
        a re-execution. `writer` wrote what `tx` read wrong (-1: unknown)."""
        with self.lock:
            if self.status[tx] == EXECUTED and (incarnation < 0 or self.incarnation[tx] == incarnation):
                self.status[tx] = ABORTING
                self._count_conflict(tx, writer)
                return True
            return False

    def finish_validation(self, tx: int, aborted: bool) -> Task | None:
        """End a validation task; `aborted` when it aborted `tx` (the run's later transactions
        are then validated again: `validation_idx` drops to tx + 1)."""
        counters = self.counters
        with self.lock:
            counters[FINISHED] += 1
            task: Task | None = None
            if aborted:
                self._set_ready(tx)
                if tx + 1 < counters[VALIDATION_IDX]:
                    counters[VALIDATION_IDX] = tx + 1
                if counters[EXECUTION_IDX] > tx and self.status[tx] == READY_TO_EXECUTE and not self._parks(tx):
                    self.status[tx] = EXECUTING
                    task = (EXECUTION, tx, self.incarnation[tx])
            if task is None:
                counters[ACTIVE_TASKS] -= 1
                self._check_done()
                task = self._take_task()
            self._wake()
            return task

    def halt(self) -> None:
        """End the block early (a worker failed or the watchdog fired): waiting workers return
        and running ones stop after their current task, so pool threads are not left behind."""
        with self.lock:
            self.counters[DONE] = 1
            self.changed.notify_all()

    def check_progress(self, limit_seconds: float, block_id: str) -> None:
        """Raise instead of hanging when no task finished for `limit_seconds`. Called from one
        thread (the executor's), which alone keeps `progress`: workers only count tasks."""
        now = time.monotonic()
        with self.lock:
            counters = list(self.counters)
        progress = self.progress
        if counters[FINISHED] != progress[0]:
            progress[0] = float(counters[FINISHED])
            progress[1] = now
        stalled = now - progress[1]
        if counters[DONE] == 0 and stalled > limit_seconds:
            raise SchedulerStuck(
                f"block {block_id}: no transaction finished for {limit_seconds:.0f} s "
                f"(execution_idx={counters[EXECUTION_IDX]}, validation_idx={counters[VALIDATION_IDX]}, "
                f"active={counters[ACTIVE_TASKS]})"
            )
