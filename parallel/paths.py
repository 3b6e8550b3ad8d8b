"""The ways a block's transactions can run, the measured rule choosing one, and what a run did.

Sequentially (the interpreter's own path), as transfer groups (`parallel.transfer_groups`), with
lookahead first (`parallel.lookahead`, Block-STM taking over what it got wrong), or through
Block-STM alone (`parallel.scheduler`). Compiled, as the door that applies the rule before every
block is (`parallel.block`).
"""

from __future__ import annotations

import os
from typing import Final

from interp.plain_state import PlainState
from interp.transaction import Transaction
from parallel.transfer_groups import is_plain_transfer

# When threads cost more than they save, measured on the shared mainnet blocks with 2 workers
# (BENCHMARKS.md): blocks whose gas limits add up to less than 10M ran slower in parallel, and
# so did blocks where over 40% of transactions follow an earlier one from the same sender (a
# nonce chain executes one link at a time; a pool's payout block is a single chain).
MIN_PARALLEL_GAS: Final = 10_000_000
MIN_PARALLEL_TXS: Final = 4
MAX_CHAINED_SHARE: Final = 0.4
# Below this many transactions, decoding them or recovering their senders on several threads
# costs more than it saves (parallel.senders).
MIN_TXS_FOR_SENDER_THREADS: Final = 32
# Block-STM's bookkeeping per transaction (recording, validating, scheduling) costs about as
# much as executing a plain transfer, so blocks made mostly of plain transfers lost in
# Block-STM, execution alone, 2 workers over sequential: 14396881 (98% plain transfers)
# 0.56-0.68x, 15274915 (88%) 0.81-0.98x, W5 (100%) ~0.45x; 13217637 (89%) broke even. They
# run as transfer groups (parallel.transfer_groups), which cost no bookkeeping. With more
# workers Block-STM's gain on their other transactions outgrows its bookkeeping: `pevm analyze`
# predicts 1.26x (15274915) and 1.56x (13217637) at 4 workers, so the rule stops at 3.
MAX_PLAIN_TRANSFER_SHARE: Final = 0.85
PLAIN_TRANSFER_RULE_MAX_WORKERS: Final = 3

SEQUENTIAL: Final = "sequential"
BLOCK_STM: Final = "Block-STM"
TRANSFER_GROUPS: Final = "transfer groups"
LOOKAHEAD: Final = "lookahead"
PARALLEL_PATHS: Final = (BLOCK_STM, LOOKAHEAD, TRANSFER_GROUPS)
# Lookahead then Block-STM against Block-STM alone, 2 workers, whole blocks, medians of 7 in
# turns (BENCHMARKS.md, stop 25): 2,000 ERC-20 transfers 1.36x -> 1.74x, 200 Uniswap swaps
# 1.93x -> 2.06x; the 22 shared mainnet blocks Block-STM runs average 1.27x both ways (per block
# from -0.4x to +0.5x). Measured at 2 workers only, so more workers keep Block-STM alone.
LOOKAHEAD_MAX_WORKERS: Final = 2
# When the senders are still to be recovered, the lookahead recovers them while its front
# executes, and then beats transfer groups, which need every sender first, unless nearly every
# transaction is a plain transfer: `pevm bench`, 2 workers, recovery included, in turns
# (BENCHMARKS.md, stop 31): 15274915 (88% plain transfers) 1.55x-1.56x as groups, 1.73x-1.80x
# with lookahead, 13217637 (89%) 1.41x-1.51x, 1.75x-1.79x; 14396881 (98%) 1.62x-1.75x,
# 1.71x-1.78x; W5 (100%) 1.77x-1.82x, 1.66x-1.72x.
MIN_PLAIN_TRANSFER_SHARE_UNRECOVERED: Final = 0.99


class ParallelStats:
    """What the last parallel run did, for reports."""

    def __init__(self) -> None:
        self.workers = 1
        self.reexecutions = 0
        self.path = SEQUENTIAL

    @property
    def parallel(self) -> bool:
        """The transactions ran on more than one thread (Block-STM or transfer groups)."""
        return self.path != SEQUENTIAL


def default_workers() -> int:
    return os.cpu_count() or 1


def too_chained(transactions: list[Transaction]) -> bool:
    """Over MAX_CHAINED_SHARE of the transactions follow an earlier one of the same sender."""
    chained = len(transactions) - len({tx.sender for tx in transactions})
    return chained > MAX_CHAINED_SHARE * len(transactions)


def choose_path(transactions: list[Transaction], workers: int, state: PlainState, senders_known: bool = True) -> str:
    """The measured rule: threads pay off only for blocks with enough transactions and gas,
    not when most transactions wait for an earlier one of the same sender; blocks made mostly
    of plain transfers run as transfer groups on up to 3 workers (`state`: the block's base
    state), the others with lookahead on 2 workers and through Block-STM on more. Before the
    senders are known, the same-sender rule is left out (`too_chained` applies it once they
    are), and on 2 workers only blocks of nearly nothing but plain transfers run as groups."""
    if workers <= 1 or len(transactions) < MIN_PARALLEL_TXS:
        return SEQUENTIAL
    gas = 0
    for tx in transactions:
        gas += tx.gas_limit
    if gas < MIN_PARALLEL_GAS:
        return SEQUENTIAL
    if senders_known and too_chained(transactions):
        return SEQUENTIAL
    if workers > PLAIN_TRANSFER_RULE_MAX_WORKERS:
        return BLOCK_STM
    lookahead = workers <= LOOKAHEAD_MAX_WORKERS
    plain = 0
    for tx in transactions:
        if is_plain_transfer(tx, state):
            plain += 1
    share = MIN_PLAIN_TRANSFER_SHARE_UNRECOVERED if lookahead and not senders_known else MAX_PLAIN_TRANSFER_SHARE
    if plain >= share * len(transactions):
        return TRANSFER_GROUPS
    return LOOKAHEAD if lookahead else BLOCK_STM
