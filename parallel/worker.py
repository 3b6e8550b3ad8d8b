"""The worker loop: take a task from the scheduler, execute or validate, report back.

One thread runs one `Worker`; everything it creates while executing (journal, frames, views)
stays its own until `MvMemory.record` publishes the reads and writes. The worker object's own
attributes are Final; what it produces goes into the shared `outcomes` list, one slot per
transaction, written only by the thread executing that transaction's current incarnation.
"""

from __future__ import annotations

from typing import Final, final

from interp.env import BlockEnv
from interp.errors import InvalidTransaction
from interp.forks import ForkRules
from interp.journal import Journal
from interp.plain_state import PlainState
from interp.transaction import Transaction
from interp.tx import execute_transaction
from parallel.mv_memory import VALID, MvMemory
from parallel.mv_view import MvView
from parallel.scheduler import Scheduler, Task
from parallel.types import EXECUTION, VALIDATION, Blocked


@final
class Worker:
    scheduler: Final[Scheduler]
    memory: Final[MvMemory]
    base: Final[PlainState]
    transactions: Final[list[Transaction]]
    env: Final[BlockEnv]
    rules: Final[ForkRules]
    # per transaction: its TxResult, or the exception that made it invalid (or crashed it)
    outcomes: Final[list[object]]
    failures: Final[list[BaseException]]  # this worker's own failure, if it had one

    def __init__(
        self,
        scheduler: Scheduler,
        memory: MvMemory,
        base: PlainState,
        transactions: list[Transaction],
        env: BlockEnv,
        rules: ForkRules,
        outcomes: list[object],
    ) -> None:
        self.scheduler = scheduler
        self.memory = memory
        self.base = base
        self.transactions = transactions
        self.env = env
        self.rules = rules
        self.outcomes = outcomes
        self.failures = []

    def run(self) -> None:
        try:
            task: Task | None = None
            scheduler = self.scheduler
            while not scheduler.done():
                if task is None:
                    task = scheduler.next_task()
                    continue
                kind, tx, incarnation = task
                if kind == EXECUTION:
                    task = self.execute(tx, incarnation)
                elif kind == VALIDATION:
                    task = self.validate(tx, incarnation)
                else:
                    task = self.validate_run(tx, incarnation)
        except BaseException as error:  # surfaced by the executor, never swallowed
            self.failures.append(error)
            raise

    def execute(self, tx: int, incarnation: int) -> Task | None:
        while True:
            journal = Journal(MvView(self.memory, self.base, tx))
            outcome: object
            writes: dict[int, object] = {}
            try:
                result = execute_transaction(journal, self.env, self.transactions[tx], self.rules, self.env.gas_limit)
                outcome = result
                writes = result.writes
            except Blocked as blocked:
                if self.scheduler.add_dependency(tx, blocked.blocking):
                    return None
                continue  # the writer finished meanwhile: run again at once
            except InvalidTransaction as invalid:
                outcome = invalid  # maybe from stale reads; validation decides
            except Exception as error:  # noqa: BLE001 - speculative runs may see inconsistent state
                outcome = error
            wrote_new = self.memory.record(tx, journal.reads, writes)
            self.outcomes[tx] = outcome
            return self.scheduler.finish_execution(tx, incarnation, wrote_new)

    def validate(self, tx: int, incarnation: int) -> Task | None:
        aborted = self.aborted_by_validation(tx, incarnation)
        return self.scheduler.finish_validation(tx, aborted)

    def validate_run(self, first: int, end: int) -> Task | None:
        """Validate the executed transactions first..end-1; stop at the first one aborted."""
        scheduler = self.scheduler
        for tx in range(first, end):
            if scheduler.is_executed(tx) and self.aborted_by_validation(tx, -1):
                return scheduler.finish_validation(tx, True)
        return scheduler.finish_validation(end - 1, False)

    def aborted_by_validation(self, tx: int, incarnation: int) -> bool:
        """Validate `tx`'s read set; True when it failed and this worker aborted `incarnation`
        (-1: the executed one, see `Scheduler.try_validation_abort`)."""
        writer = self.memory.validate_read_set(tx)
        if writer == VALID or not self.scheduler.try_validation_abort(tx, incarnation, writer):
            return False
        self.memory.convert_writes_to_estimates(tx)
        return True
