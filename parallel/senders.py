"""Sender recovery for a whole block on worker threads, and decoding with it.

Recovering a sender (secp256k1 public-key recovery in libsecp256k1, plus the signing hash)
costs more than executing a plain transfer or an ERC-20 transfer, and each transaction's is
independent of every other, so it parallelises perfectly; so does decoding a raw transaction.
Threads only read their inputs and fill a builtin list, one slot each; the caller's thread
assigns the senders afterwards (a compiled `Transaction` is never mutated while another thread
may read it). Errors are raised in block order, as sequential recovery would raise them, and
then no sender is set.

`SenderRecovery` recovers them while the block runs instead (the lookahead, `parallel.lookahead`):
whichever thread needs a sender next recovers the next part, and each part is published under a
lock once its senders are set.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Final, TypeVar

from interp.forks import ForkRules
from interp.transaction import Transaction, decode_transaction, recover_sender, recover_senders_in_order
from parallel.paths import MIN_TXS_FOR_SENDER_THREADS, too_chained
from parallel.pool import spread_over

# Threads claim parts of this many transactions (~0.2 ms of recovery) as they go, so a thread that
# starts late or runs on a busier CPU takes fewer (parallel.pool.Parts).
PART: Final = 4

T = TypeVar("T")


def _in_block_order(count: int, workers: int, compute: Callable[[int], T]) -> list[T]:
    """compute(index) for every index, in parts of consecutive indices on up to `workers`
    threads; the first error in index order is raised (on threads, once all parts are done)."""
    if count < MIN_TXS_FOR_SENDER_THREADS:  # in order, without the parts' bookkeeping (an empty block: ~7 us)
        return [compute(index) for index in range(count)]
    unset: BaseException = RuntimeError("a part of the spread did not run")
    outcomes: list[T | BaseException] = [unset] * count

    def compute_part(part: int, parts: int) -> None:
        for index in range(count * part // parts, count * (part + 1) // parts):
            try:
                outcomes[index] = compute(index)
            except Exception as error:  # noqa: BLE001 - re-raised below, in block order
                outcomes[index] = error

    spread_over(workers)(compute_part, count // PART)
    results: list[T] = []
    for outcome in outcomes:
        if isinstance(outcome, BaseException):
            raise outcome
        results.append(outcome)
    return results


def recover_senders(transactions: list[Transaction], rules: ForkRules, chain_id: int, workers: int) -> None:
    """Set every transaction's `sender` from its signature, on up to `workers` threads."""
    if workers <= 1 or len(transactions) < MIN_TXS_FOR_SENDER_THREADS:
        recover_senders_in_order(transactions, rules, chain_id)
        return
    senders = _in_block_order(len(transactions), workers,
                              lambda index: recover_sender(transactions[index], rules, chain_id))  # fmt: skip
    for tx, sender in zip(transactions, senders):
        tx.sender = sender


def decode_transactions(
    raw: list[bytes], rules: ForkRules, chain_id: int, workers: int, recover: bool = True
) -> list[Transaction]:
    """Decode signed transactions and, with `recover`, recover their senders (else left 0, for
    `parallel.block.execute_block(..., recover=True)`), on up to `workers` threads."""

    if not recover:  # no (transaction, sender) pairs to build and undo: W5 on two threads ~11 -> ~9 ms
        return _in_block_order(len(raw), workers, lambda index: decode_transaction(raw[index], rules))

    def decode_and_recover(index: int) -> tuple[Transaction, int]:
        tx = decode_transaction(raw[index], rules)
        return tx, recover_sender(tx, rules, chain_id)

    decoded = _in_block_order(len(raw), workers, decode_and_recover)
    for tx, sender in decoded:
        tx.sender = sender
    return [tx for tx, _ in decoded]


class SenderRecovery:
    """A block's senders recovered part by part by the threads executing it: a part's senders
    are set by the thread that claimed it, then published under `done`'s lock; a thread reads a
    transaction only once its part is published (`ready`), so no `Transaction` is written while
    another thread reads it. Errors wait in their slots, to be raised in block order."""

    def __init__(self, transactions: list[Transaction], rules: ForkRules, chain_id: int) -> None:
        self.transactions = transactions
        self.rules = rules
        self.chain_id = chain_id
        self.parts = (len(transactions) + PART - 1) // PART
        self.claimed = 0  # parts handed out, changed under `done`
        self.published = [False] * self.parts
        self.unpublished = self.parts
        self.errors: list[BaseException | None] = [None] * len(transactions)
        self.done = threading.Condition()

    def recover_next(self) -> bool:
        """Recover the next part no thread has claimed; False once every part is claimed."""
        with self.done:
            part = self.claimed
            if part == self.parts:
                return False
            self.claimed = part + 1
        transactions = self.transactions
        try:
            for index in range(part * PART, min(len(transactions), (part + 1) * PART)):
                try:
                    transactions[index].sender = self.sender(index)
                except Exception as error:  # noqa: BLE001 - raised in block order, by `ready`
                    self.errors[index] = error
        finally:  # published even when interrupted, so no thread waits for it forever
            with self.done:
                self.published[part] = True
                self.unpublished -= 1
                self.done.notify_all()
        return True

    def sender(self, index: int) -> int:
        """Transaction `index`'s sender, from its signature."""
        return recover_sender(self.transactions[index], self.rules, self.chain_id)

    def ready(self, index: int) -> int:
        """Wait until transaction `index`'s sender is published, recovering later parts while
        its own is being recovered elsewhere; raise its error, if recovery failed. Returns how
        many transactions from the start have their senders published (the caller, which takes
        transactions in order, has waited for every earlier one)."""
        part = index // PART
        while True:
            with self.done:
                if self.published[part]:
                    break
            if not self.recover_next():
                with self.done:
                    self.done.wait_for(lambda: self.published[part])
                break
        error = self.errors[index]
        if error is not None:
            raise error
        with self.done:
            prefix = part + 1
            while prefix < self.parts and self.published[prefix]:
                prefix += 1
        return min(len(self.transactions), prefix * PART)

    def finish(self) -> BaseException | None:
        """Recover every part left, wait until all are published, and return the first error in
        block order (None if every sender was recovered)."""
        while self.recover_next():
            pass
        with self.done:
            self.done.wait_for(lambda: self.unpublished == 0)
        return next((error for error in self.errors if error is not None), None)

    def worth_looking_ahead(self) -> bool:
        """Once every sender is recovered (`finish`): none failed (the front raises that) and
        executing ahead can pay, which it cannot when most transactions follow one of the same
        sender (`parallel.paths.too_chained`, the rule the path choice had to leave out)."""
        return self.finish() is None and not too_chained(self.transactions)
