"""Parallel block execution: Block-STM over free-threaded worker threads.

`execute_block` returns exactly what `interp.block.execute_block` returns and leaves the state
in the same post state. System calls before the first transaction and rewards/withdrawals after
the last run on the state directly; only the transactions run in parallel, reading the block's
base state through multi-version memory. At the end the write sets are applied in block order,
which also evaluates every lazy balance update in order. A measured rule (`choose_path`) runs
small or chained blocks sequentially, blocks made mostly of plain transfers as transfer groups
(`parallel.transfer_groups`), and at 2 workers the others with lookahead first
(`parallel.lookahead`), Block-STM taking over what the lookahead got wrong.
"""

from __future__ import annotations

import os
from typing import Final

from interp.block import (
    MIN_RECEIPTS_PER_PART,
    BlockResult,
    CollectorPaused,
    block_env,
    execute_block as execute_sequential,
    finish_block,
    post_block,
    pre_block,
    sequential_verdict,
)
from interp.env import BlockEnv
from interp.forks import ForkRules
from interp.header import Block
from interp.plain_state import PlainState
from interp.transaction import Transaction
from interp.tx import TxResult
from parallel.lookahead import Front, look_ahead
from parallel.mv_memory import MvMemory
from parallel.pool import run_jobs, spread_over
from parallel.scheduler import Scheduler
from parallel.transfer_groups import execute_with_groups, is_plain_transfer
from parallel.types import SchedulerStuck
from parallel.worker import Worker
from primitives.spread import serially

WATCHDOG_SECONDS: Final = 120.0
# When threads cost more than they save, measured on the shared mainnet blocks with 2 workers
# (BENCHMARKS.md): blocks whose gas limits add up to less than 10M ran slower in parallel, and
# so did blocks where over 40% of transactions follow an earlier one from the same sender (a
# nonce chain executes one link at a time; a pool's payout block is a single chain).
MIN_PARALLEL_GAS: Final = 10_000_000
MIN_PARALLEL_TXS: Final = 4
MAX_CHAINED_SHARE: Final = 0.4
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
# Lookahead then Block-STM against Block-STM alone, 2 workers, whole blocks, medians of 7 in
# turns (BENCHMARKS.md, stop 25): 2,000 ERC-20 transfers 1.36x -> 1.74x, 200 Uniswap swaps
# 1.93x -> 2.06x; the 22 shared mainnet blocks Block-STM runs average 1.27x both ways (per block
# from -0.4x to +0.5x). Measured at 2 workers only, so more workers keep Block-STM alone.
LOOKAHEAD_MAX_WORKERS: Final = 2
# After the lookahead meets, Block-STM runs the rest when at least this many results ahead
# failed; below that the front takes the rest in order.
MIN_STALE_FOR_BLOCK_STM: Final = 2


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


def choose_path(transactions: list[Transaction], workers: int, state: PlainState) -> str:
    """The measured rule: threads pay off only for blocks with enough transactions and gas,
    not when most transactions wait for an earlier one of the same sender; blocks made mostly
    of plain transfers run as transfer groups on up to 3 workers (`state`: the block's base
    state), the others with lookahead on 2 workers and through Block-STM on more."""
    if workers <= 1 or len(transactions) < MIN_PARALLEL_TXS:
        return SEQUENTIAL
    if sum(tx.gas_limit for tx in transactions) < MIN_PARALLEL_GAS:
        return SEQUENTIAL
    chained = len(transactions) - len({tx.sender for tx in transactions})
    if chained > MAX_CHAINED_SHARE * len(transactions):
        return SEQUENTIAL
    if workers > PLAIN_TRANSFER_RULE_MAX_WORKERS:
        return BLOCK_STM
    plain = sum(1 for tx in transactions if is_plain_transfer(tx, state))
    if plain >= MAX_PLAIN_TRANSFER_SHARE * len(transactions):
        return TRANSFER_GROUPS
    return LOOKAHEAD if workers <= LOOKAHEAD_MAX_WORKERS else BLOCK_STM


def execute_block(
    state: PlainState,
    block: Block,
    rules: ForkRules,
    chain_id: int,
    workers: int | None = None,
    stats: ParallelStats | None = None,
) -> BlockResult:
    """Execute a block with `workers` threads (default: one per CPU) on `state`.

    A block the rule keeps sequential runs the compiled sequential path (this module's own
    interpreted steps cost an empty block a fifth of its time), with the workers building its
    receipts where there are enough to split (handing off fewer cost a one-transaction block
    15%). The cycle collector is paused meanwhile, as for sequential blocks (interp.block)."""
    count = default_workers() if workers is None else workers
    path = choose_path(block.transactions, count, state)  # reads code, which pre_block never changes
    if stats is not None:
        stats.workers = count
        stats.path = path
    if path == SEQUENTIAL:
        spread = spread_over(count) if len(block.transactions) >= 2 * MIN_RECEIPTS_PER_PART else serially
        return execute_sequential(state, block, rules, chain_id, spread=spread)
    with CollectorPaused():
        return _execute_block(state, block, rules, chain_id, count, path, stats)


def _execute_block(
    state: PlainState,
    block: Block,
    rules: ForkRules,
    chain_id: int,
    count: int,
    path: str,
    stats: ParallelStats | None,
) -> BlockResult:
    env = block_env(block.header, rules, chain_id)
    pre_block(state, block, rules, env)
    if path == BLOCK_STM:
        results = execute_transactions_parallel(state, block, env, rules, count, stats)
    elif path == TRANSFER_GROUPS:
        results = execute_with_groups(state, block.transactions, env, rules, count, spread_over(count))
    else:
        results = execute_with_lookahead(state, block.transactions, env, rules, count, f"{block.header.number}", stats)
    requests = post_block(state, block, rules, env, results)
    return finish_block(block, rules, results, None, requests, spread_over(count))


def _raise_failure(crew: list[Worker], block_id: str) -> None:
    for worker in crew:
        if worker.failures:
            raise RuntimeError(f"block {block_id}: a worker failed") from worker.failures[0]


def execute_transactions_parallel(
    state: PlainState,
    block: Block,
    env: BlockEnv,
    rules: ForkRules,
    workers: int,
    stats: ParallelStats | None = None,
) -> list[TxResult]:
    """Run the block's transactions with Block-STM and apply their writes to `state` in order."""
    return execute_transaction_list(state, block.transactions, env, rules, workers, f"{block.header.number}", stats)


def execute_with_lookahead(
    state: PlainState,
    transactions: list[Transaction],
    env: BlockEnv,
    rules: ForkRules,
    workers: int,
    block_id: str,
    stats: ParallelStats | None = None,
) -> list[TxResult]:
    """Run the transactions with lookahead (parallel.lookahead); after the meeting, the front
    takes the rest in order when few results ahead would fail (judged in order, results ahead
    included: `Front.judge_rest`), else Block-STM runs the rest with the results that hold as
    first incarnations. `stats.reexecutions` counts the executions beyond one per transaction,
    as Block-STM's does."""
    front = look_ahead(state, transactions, env, rules, workers, block_id)
    ahead = front.work.executed_ahead()
    stale = front.judge_rest().count(False)
    if stale < MIN_STALE_FOR_BLOCK_STM:
        front.take_rest()
        results, again = front.results, front.executed + ahead - len(transactions)
    else:
        seeded = len(transactions) - front.position - stale
        results = execute_transaction_list(state, transactions, env, rules, workers, block_id, stats, front)
        again = ahead - seeded + (0 if stats is None else stats.reexecutions)
    if stats is not None:
        stats.path = LOOKAHEAD
        stats.reexecutions = again
    return results


def execute_transaction_list(
    state: PlainState,
    transactions: list[Transaction],
    env: BlockEnv,
    rules: ForkRules,
    workers: int,
    block_id: str,
    stats: ParallelStats | None = None,
    front: Front | None = None,
) -> list[TxResult]:
    """`execute_transactions_parallel` without a block around the transactions (state tests);
    `block_id` names them in errors. With `front` (a lookahead that met), only the transactions
    from its position on run, and those whose results ahead hold start executed."""
    start = 0 if front is None else front.position
    rest = transactions if front is None else transactions[start:]
    size = len(rest)
    memory = MvMemory(size, state)
    scheduler = Scheduler(size, [-1 if tx.to is None else tx.to for tx in rest], workers)
    outcomes: list[object] = [None] * size
    if front is not None:
        executed = front.judge_rest()
        for index in range(size):
            if executed[index]:
                outcome, reads, writes = front.work.seed(start + index)
                memory.record(index, reads, writes)
                outcomes[index] = outcome
        scheduler.seed(executed)
    crew = [Worker(scheduler, memory, state, rest, env, rules, outcomes) for _ in range(workers)]
    batch = run_jobs([worker.run for worker in crew])
    try:
        while not batch.wait(0.5):
            _raise_failure(crew, block_id)
            scheduler.check_progress(WATCHDOG_SECONDS, block_id)
        _raise_failure(crew, block_id)
    except BaseException:
        scheduler.halt()
        raise
    if not scheduler.done():
        raise SchedulerStuck(f"block {block_id}: the workers stopped before the block was done")
    if stats is not None:
        stats.path = BLOCK_STM
        stats.reexecutions = scheduler.reexecutions()
    results: list[TxResult] = [] if front is None else front.results
    gas_used = 0 if front is None else front.gas_used
    for index, tx in enumerate(rest):
        what = f"block {block_id}: transaction {start + index}"
        result = sequential_verdict(tx, outcomes[index], env, rules, gas_used, what)
        gas_used += result.gas_used
        results.append(result)
    for index in range(size):
        state.apply(memory.last_writes[index])
    return results

