"""The shared vocabulary of the parallel executor (Block-STM).

A transaction is identified by its index in the block (`TxIdx`); each (re-)execution is an
incarnation. `ESTIMATE` stands in multi-version memory for a write of an aborted incarnation:
a reader that meets it waits for that transaction instead of using a value that will probably
change. Tasks are (EXECUTION or VALIDATION, tx, incarnation) tuples handed out by the `Scheduler`,
or (VALIDATIONS, first, end): validate the transactions first..end-1 that are executed.
"""

from __future__ import annotations

from typing import Final

TxIdx = int
Incarnation = int

EXECUTION: Final = 0
VALIDATION: Final = 1
VALIDATIONS: Final = 2


class Estimate:
    """Marker for a write of an aborted incarnation."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "ESTIMATE"


ESTIMATE: Final = Estimate()


class Blocked(Exception):
    """A read met an ESTIMATE: the reader depends on transaction `blocking`."""

    def __init__(self, blocking: TxIdx) -> None:
        super().__init__(f"blocked on transaction {blocking}")
        self.blocking: Final = blocking


class SchedulerStuck(RuntimeError):
    """No task finished for too long: a scheduler bug, reported instead of hanging."""
