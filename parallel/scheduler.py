"""The collaborative Block-STM scheduler (Gelashvili et al., "Block-STM", PPoPP 2023).

Workers repeatedly ask `next_task`. Two indices sweep the block: `execution_idx` hands out the
next transaction to execute, `validation_idx` the next one to validate; validation is preferred
while it lags behind execution. An execution that wrote a location its previous incarnation
did not write pulls `validation_idx` back, so higher transactions are validated again. A failed
validation aborts the incarnation (its writes become ESTIMATEs) and re-executes it; a reader
that met an ESTIMATE registers as a dependency of the writer and is resumed when the writer
finishes. The block is done when both indices passed the end and no task is active.

Status of a transaction (incarnation i):

    READY_TO_EXECUTE(i) --try_incarnate--> EXECUTING(i) --finish_execution--> EXECUTED(i)
          ^                                   |                                   |
          |                              add_dependency                   try_validation_abort
          |                                   v                                   v
          +------------ set_ready ------- ABORTING(i) <---------------------------+
                     (incarnation i+1)

Free-threading: all scheduler state sits behind one lock (it is touched once per task, not
per read); workers with nothing to do sleep on a condition instead of spinning.
"""

from __future__ import annotations

import threading
import time
from typing import Final

from parallel.types import EXECUTION, VALIDATION, Incarnation, SchedulerStuck, Task, TxIdx

READY_TO_EXECUTE: Final = 0
EXECUTING: Final = 1
EXECUTED: Final = 2
ABORTING: Final = 3


class Scheduler:
    def __init__(self, block_size: int) -> None:
        self.block_size: Final = block_size
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._execution_idx = 0
        self._validation_idx = 0
        self._active_tasks = 0
        self._done = False
        self._incarnation = [0] * block_size
        self._status = [READY_TO_EXECUTE] * block_size
        self._dependents: list[list[TxIdx]] = [[] for _ in range(block_size)]
        self.reexecutions = 0
        self._progress = time.monotonic()

    # --- queries ------------------------------------------------------------------------------
    def done(self) -> bool:
        return self._done

    def seconds_since_progress(self) -> float:
        return time.monotonic() - self._progress

    # --- internal (lock held) ---------------------------------------------------------------
    def _check_done(self) -> None:
        if (
            self._execution_idx >= self.block_size
            and self._validation_idx >= self.block_size
            and self._active_tasks == 0
        ):
            self._done = True
            self._changed.notify_all()

    def _try_incarnate(self, tx: TxIdx) -> Task | None:
        if tx < self.block_size and self._status[tx] == READY_TO_EXECUTE:
            self._status[tx] = EXECUTING
            return (EXECUTION, tx, self._incarnation[tx])
        self._active_tasks -= 1
        self._check_done()
        return None

    def _set_ready(self, tx: TxIdx) -> None:
        self._incarnation[tx] += 1
        self._status[tx] = READY_TO_EXECUTE
        self.reexecutions += 1

    def _decrease_execution_idx(self, target: TxIdx) -> None:
        if target < self._execution_idx:
            self._execution_idx = target

    def _decrease_validation_idx(self, target: TxIdx) -> None:
        if target < self._validation_idx:
            self._validation_idx = target

    def _next_version_to_execute(self) -> Task | None:
        if self._execution_idx >= self.block_size:
            self._check_done()
            return None
        self._active_tasks += 1
        tx = self._execution_idx
        self._execution_idx += 1
        return self._try_incarnate(tx)

    def _next_version_to_validate(self) -> Task | None:
        if self._validation_idx >= self.block_size:
            self._check_done()
            return None
        self._active_tasks += 1
        tx = self._validation_idx
        self._validation_idx += 1
        if self._status[tx] == EXECUTED:
            return (VALIDATION, tx, self._incarnation[tx])
        self._active_tasks -= 1
        self._check_done()
        return None

    # --- Block-STM operations -----------------------------------------------------------------
    def next_task(self, timeout: float = 0.05) -> Task | None:
        """The next task, waiting briefly when there is none yet; None when there is none."""
        with self._lock:
            while not self._done:
                task: Task | None
                if self._validation_idx < self._execution_idx:
                    task = self._next_version_to_validate()
                else:
                    task = self._next_version_to_execute()
                if task is not None:
                    return task
                if (
                    self._execution_idx >= self.block_size
                    and self._validation_idx >= self.block_size
                ):
                    # Only active tasks can create more work now: wait for them.
                    self._changed.wait(timeout)
                    if not self._done:
                        return None
            return None

    def add_dependency(self, tx: TxIdx, blocking: TxIdx) -> bool:
        """`tx` read an ESTIMATE of `blocking`: park it until `blocking` finishes executing.

        False when `blocking` already finished, so the caller re-executes right away.
        """
        with self._lock:
            if self._status[blocking] == EXECUTED:
                return False
            self._status[tx] = ABORTING
            self._dependents[blocking].append(tx)
            self._active_tasks -= 1
            self._check_done()
            return True

    def finish_execution(self, tx: TxIdx, incarnation: Incarnation, wrote_new_location: bool) -> Task | None:
        with self._lock:
            self._progress = time.monotonic()
            self._status[tx] = EXECUTED
            dependents = self._dependents[tx]
            self._dependents[tx] = []
            for dependent in dependents:
                self._set_ready(dependent)
            if dependents:
                self._decrease_execution_idx(min(dependents))
            task: Task | None = None
            if self._validation_idx > tx:
                if wrote_new_location:
                    self._decrease_validation_idx(tx)
                else:
                    task = (VALIDATION, tx, incarnation)
            if task is None:
                self._active_tasks -= 1
                self._check_done()
            self._changed.notify_all()
            return task

    def try_validation_abort(self, tx: TxIdx, incarnation: Incarnation) -> bool:
        with self._lock:
            if self._incarnation[tx] == incarnation and self._status[tx] == EXECUTED:
                self._status[tx] = ABORTING
                return True
            return False

    def finish_validation(self, tx: TxIdx, aborted: bool) -> Task | None:
        with self._lock:
            self._progress = time.monotonic()
            task: Task | None = None
            if aborted:
                self._set_ready(tx)
                self._decrease_validation_idx(tx + 1)
                if self._execution_idx > tx:
                    self._active_tasks += 1  # balanced by _try_incarnate on failure
                    task = self._try_incarnate(tx)
                    if task is not None:
                        self._active_tasks -= 1
            if task is None:
                self._active_tasks -= 1
                self._check_done()
            self._changed.notify_all()
            return task

    def check_progress(self, limit_seconds: float, block_id: str) -> None:
        """Raise instead of hanging when no task finished for `limit_seconds`."""
        if not self._done and self.seconds_since_progress() > limit_seconds:
            raise SchedulerStuck(
                f"block {block_id}: no transaction finished for {limit_seconds:.0f} s "
                f"(execution_idx={self._execution_idx}, validation_idx={self._validation_idx}, "
                f"active={self._active_tasks})"
            )
