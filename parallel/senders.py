"""Sender recovery for a whole block on worker threads.

Recovering a sender (secp256k1 public-key recovery in libsecp256k1, plus the signing hash)
costs more than executing a plain transfer or an ERC-20 transfer, and each transaction's is
independent of every other, so it parallelises perfectly. Threads only read the transactions
and fill a builtin list, one slot each; the caller's thread assigns the senders afterwards (a
compiled `Transaction` is never mutated while another thread may read it). Errors are raised
in block order, as sequential recovery would raise them, and then no sender is set.
"""

from __future__ import annotations

from typing import Final

from interp.forks import ForkRules
from interp.transaction import Transaction, recover_sender
from parallel.pool import spread_over

# Below this many transactions per thread, handing work to another thread costs more than it saves.
MIN_PER_THREAD: Final = 16


def recover_senders(transactions: list[Transaction], rules: ForkRules, chain_id: int, workers: int) -> None:
    """Set every transaction's `sender` from its signature, on up to `workers` threads."""
    outcomes: list[int | BaseException] = [0] * len(transactions)

    def recover_every(part: int, parts: int) -> None:
        for index in range(part, len(transactions), parts):
            try:
                outcomes[index] = recover_sender(transactions[index], rules, chain_id)
            except Exception as error:  # noqa: BLE001 - re-raised below, in block order
                outcomes[index] = error

    spread_over(workers)(recover_every, len(transactions) // MIN_PER_THREAD)
    senders: list[int] = []
    for outcome in outcomes:
        if isinstance(outcome, BaseException):
            raise outcome
        senders.append(outcome)
    for tx, sender in zip(transactions, senders):
        tx.sender = sender
