"""Parallel block execution on free-threaded worker threads: the paths other than sequential.

`execute_in_parallel` runs a block by the path `parallel.paths.choose_path` picked
(`parallel.block.execute_block` decides). System calls before the first transaction and
rewards/withdrawals after the last run on the state directly; only the transactions run in
parallel, through Block-STM reading the block's base state via multi-version memory, as
transfer groups (`parallel.transfer_groups`), or with lookahead first (`parallel.lookahead`),
Block-STM taking over what the lookahead got wrong. At the end the write sets are applied in
block order, which also evaluates every lazy balance update in order.
"""

from __future__ import annotations

from typing import Final

from interp.block import (
    BlockResult,
    CollectorPaused,
    ReceiptsSoFar,
    block_env,
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
from parallel.paths import BLOCK_STM, LOOKAHEAD, PARALLEL_PATHS, TRANSFER_GROUPS, ParallelStats
from parallel.pool import run_jobs, spread_over
from parallel.scheduler import Scheduler
from parallel.senders import SenderRecovery
from parallel.transfer_groups import execute_with_groups
from parallel.types import SchedulerStuck
from parallel.worker import Worker

WATCHDOG_SECONDS: Final = 120.0
# After the lookahead meets, Block-STM runs the rest when the results ahead that failed have at
# least this many senders; below that the front takes the rest in order. One sender's results
# run again one at a time either way (a nonce chain), so Block-STM adds only its bookkeeping:
# 9069000, whose 7 stale results are one sender's calls, best / median of 7 in turns, whole
# block 21.85 / 22.47 ms through Block-STM against 21.01 / 21.63 ms taken by the front.
MIN_STALE_SENDERS_FOR_BLOCK_STM: Final = 2


def execute_in_parallel(
    state: PlainState,
    block: Block,
    rules: ForkRules,
    chain_id: int,
    workers: int,
    path: str,
    stats: ParallelStats | None,
    recovery: SenderRecovery | None = None,
) -> BlockResult:
    """Execute a block whose transactions run on `workers` threads by `path` (not SEQUENTIAL),
    with the cycle collector paused, as for sequential blocks (interp.block). `recovery`: the
    senders left to recover, on the lookahead path only (the others need every sender first)."""
    if path not in PARALLEL_PATHS:
        raise ValueError(f"not a parallel path: {path!r} (one of {', '.join(PARALLEL_PATHS)})")
    if recovery is not None and path != LOOKAHEAD:
        raise ValueError(f"senders are recovered on the way only with lookahead, not {path!r}")
    with CollectorPaused():
        env = block_env(block.header, rules, chain_id)
        pre_block(state, block, rules, env)
        receipts: ReceiptsSoFar | None = None
        if path == BLOCK_STM:
            results = execute_transactions_parallel(state, block, env, rules, workers, stats)
        elif path == TRANSFER_GROUPS:
            results = execute_with_groups(state, block.transactions, env, rules, workers, f"{block.header.number}")
        else:
            block_id = f"{block.header.number}"
            receipts = ReceiptsSoFar(rules)
            results = execute_with_lookahead(
                state, block.transactions, env, rules, workers, block_id, stats, recovery, receipts
            )
        requests = post_block(state, block, rules, env, results)
        return finish_block(block, rules, results, None, requests, spread_over(workers), receipts)


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
    recovery: SenderRecovery | None = None,
    receipts: ReceiptsSoFar | None = None,
) -> list[TxResult]:
    """Run the transactions with lookahead (parallel.lookahead), recovering the senders on the
    way with `recovery` and building in `receipts` those of the results the front takes until
    the two sides meet; after the meeting, the front takes the rest in order when the results
    ahead that would fail (judged in order, results ahead included: `Front.judge_rest`) have
    one sender at most, else Block-STM runs the rest with the results that hold as first
    incarnations.
    `stats.reexecutions` counts the executions beyond one per transaction, as Block-STM's does."""
    front = Front(state, transactions, env, rules, block_id, recovery, receipts)
    look_ahead(front, workers)
    ahead = front.work.executed_ahead()
    held = front.judge_rest()
    if _stale_senders(front, held) < MIN_STALE_SENDERS_FOR_BLOCK_STM:
        front.take_rest(held)
        results, again = front.results, front.executed + ahead - len(transactions)
    else:
        seeded = len(transactions) - front.position - held.count(False)
        results = execute_transaction_list(state, transactions, env, rules, workers, block_id, stats, (front, held))
        again = ahead - seeded + (0 if stats is None else stats.reexecutions)
    if stats is not None:
        stats.path = LOOKAHEAD
        stats.reexecutions = again
    return results


def _stale_senders(front: Front, held: list[bool]) -> int:
    """How many distinct senders sent the transactions, from the front's position on, whose
    results ahead fail (`held`)."""
    transactions, start = front.work.transactions, front.position
    return len({transactions[start + index].sender for index, holds in enumerate(held) if not holds})


def execute_transaction_list(
    state: PlainState,
    transactions: list[Transaction],
    env: BlockEnv,
    rules: ForkRules,
    workers: int,
    block_id: str,
    stats: ParallelStats | None = None,
    ahead: tuple[Front, list[bool]] | None = None,
) -> list[TxResult]:
    """`execute_transactions_parallel` without a block around the transactions (state tests);
    `block_id` names them in errors. With `ahead`, a lookahead that met and whether each result
    from its position on holds (`Front.judge_rest`), only the transactions from its position on
    run, and those whose results hold start executed."""
    front, held = (None, []) if ahead is None else ahead
    start = 0 if front is None else front.position
    rest = transactions if front is None else transactions[start:]
    size = len(rest)
    memory = MvMemory(size, state)
    scheduler = Scheduler(size, [-1 if tx.to is None else tx.to for tx in rest], workers)
    outcomes: list[object] = [None] * size
    if front is not None:
        for index in range(size):
            if held[index]:
                outcome, reads, writes = front.work.seed(start + index)
                memory.record(index, reads, writes)
                outcomes[index] = outcome
        scheduler.seed(held)
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
    where = f"block {block_id}: transaction"
    for index, tx in enumerate(rest):
        result = sequential_verdict(tx, outcomes[index], env, rules, gas_used, where, start + index)
        gas_used += result.gas_used
        results.append(result)
    for index in range(size):
        state.apply(memory.last_writes[index])
    return results

