"""Sender recovery for a whole block on worker threads, and decoding with it.

Recovering a sender (secp256k1 public-key recovery in libsecp256k1, plus the signing hash)
costs more than executing a plain transfer or an ERC-20 transfer, and each transaction's is
independent of every other, so it parallelises perfectly; so does decoding a raw transaction.
Threads only read their inputs and fill a builtin list, one slot each; the caller's thread
assigns the senders afterwards (a compiled `Transaction` is never mutated while another thread
may read it). Errors are raised in block order, as sequential recovery would raise them, and
then no sender is set.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final, TypeVar

from interp.forks import ForkRules
from interp.transaction import Transaction, decode_transaction, recover_sender
from parallel.pool import spread_over
from primitives.spread import serially

# Below this many transactions, handing work to another thread costs more than it saves.
MIN_FOR_THREADS: Final = 32
# Threads claim parts of this many transactions (~0.2 ms of recovery) as they go, so a thread that
# starts late or runs on a busier CPU takes fewer (parallel.pool.Parts).
PART: Final = 4

T = TypeVar("T")


def _in_block_order(count: int, workers: int, compute: Callable[[int], T]) -> list[T]:
    """compute(index) for every index, in parts of consecutive indices on up to `workers`
    threads; the first error in index order is raised once all parts are done."""
    unset: BaseException = RuntimeError("a part of the spread did not run")
    outcomes: list[T | BaseException] = [unset] * count

    def compute_part(part: int, parts: int) -> None:
        for index in range(count * part // parts, count * (part + 1) // parts):
            try:
                outcomes[index] = compute(index)
            except Exception as error:  # noqa: BLE001 - re-raised below, in block order
                outcomes[index] = error

    spread = spread_over(workers) if count >= MIN_FOR_THREADS else serially
    spread(compute_part, count // PART)
    results: list[T] = []
    for outcome in outcomes:
        if isinstance(outcome, BaseException):
            raise outcome
        results.append(outcome)
    return results


def recover_senders(transactions: list[Transaction], rules: ForkRules, chain_id: int, workers: int) -> None:
    """Set every transaction's `sender` from its signature, on up to `workers` threads."""
    senders = _in_block_order(len(transactions), workers,
                              lambda index: recover_sender(transactions[index], rules, chain_id))  # fmt: skip
    for tx, sender in zip(transactions, senders):
        tx.sender = sender


def decode_transactions(raw: list[bytes], rules: ForkRules, chain_id: int, workers: int) -> list[Transaction]:
    """Decode signed transactions and recover their senders, on up to `workers` threads."""

    def decode_and_recover(index: int) -> tuple[Transaction, int]:
        tx = decode_transaction(raw[index], rules)
        return tx, recover_sender(tx, rules, chain_id)

    decoded = _in_block_order(len(raw), workers, decode_and_recover)
    for tx, sender in decoded:
        tx.sender = sender
    return [tx for tx, _ in decoded]
