"""Executing a block in parallel: `execute_block`, the front door of `parallel`.

It returns exactly what `interp.block.execute_block` returns and leaves the state in the same
post state. The measured rule (`parallel.paths.choose_path`) decides first: a block it keeps
sequential runs the interpreter's compiled path from here, the others go to the threads
(`parallel.executor`). Compiled, so that a block the rule keeps sequential costs no more than
the sequential path (interpreted, this door cost a one-transaction block 4%).
"""

from __future__ import annotations

from interp.block import MIN_RECEIPTS_PER_PART, BlockResult, execute_block as execute_sequential
from interp.forks import ForkRules
from interp.header import Block
from interp.plain_state import PlainState
from interp.transaction import recover_senders_in_order
from parallel.executor import execute_in_parallel
from parallel.paths import (
    LOOKAHEAD,
    MIN_TXS_FOR_SENDER_THREADS,
    SEQUENTIAL,
    ParallelStats,
    choose_path,
    default_workers,
    too_chained,
)
from parallel.pool import spread_over
from parallel.senders import SenderRecovery, recover_senders
from primitives.spread import serially


def execute_block(
    state: PlainState,
    block: Block,
    rules: ForkRules,
    chain_id: int,
    workers: int | None = None,
    stats: ParallelStats | None = None,
    recover: bool = False,
) -> BlockResult:
    """Execute a block with `workers` threads (default: one per CPU) on `state`; a block the
    rule keeps sequential still gets the workers to build its receipts where there are enough
    to split (handing off fewer cost a one-transaction block 15%). With `recover`, the
    transactions' senders are not set yet: they are recovered here on the workers, during the
    execution on the lookahead path, before it on the others."""
    count = default_workers() if workers is None else workers
    transactions = block.transactions
    path = choose_path(transactions, count, state, not recover)  # reads code, which pre_block never changes
    recovery: SenderRecovery | None = None
    if recover and path == LOOKAHEAD:
        recovery = SenderRecovery(transactions, rules, chain_id)
    elif recover:
        if len(transactions) < MIN_TXS_FOR_SENDER_THREADS:  # as recover_senders would, without
            recover_senders_in_order(transactions, rules, chain_id)  # a call into interpreted code (~0.2 us)
        else:
            recover_senders(transactions, rules, chain_id, count)
        if path != SEQUENTIAL and too_chained(transactions):  # the one rule of `choose_path` that needs them
            path = SEQUENTIAL
    if stats is not None:
        stats.workers = count
        stats.path = path
    if path == SEQUENTIAL:
        spread = spread_over(count) if len(block.transactions) >= 2 * MIN_RECEIPTS_PER_PART else serially
        return execute_sequential(state, block, rules, chain_id, spread=spread)
    return execute_in_parallel(state, block, rules, chain_id, count, path, stats, recovery)
