"""Real runs for validating the simulator: sequential, and Block-STM with N worker threads.

The parallel runs force Block-STM even where `parallel.executor` would run a small block
sequentially (`choose_path`): the point is to check the model of Block-STM itself. The
phases around the transactions are the executor's own (`pre_block`, `post_block`,
`finish_block`), so the timed work is what `parallel.block.execute_block` does.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from typing import Final

from interp.block import BlockResult, block_env, execute_block as execute_sequential, finish_block, post_block, pre_block
from parallel.executor import execute_transactions_parallel
from parallel.pool import spread_over
from pevm.analyze.profile import CONTENTION_THREADS, BlockProfile, Profiler
from pevm.analyze.targets import Target


def block_stm(target: Target, workers: int) -> tuple[BlockResult, float]:
    """Run the block with Block-STM on `workers` threads; (result, seconds)."""
    state = target.state.copy()
    block, rules = target.block, target.rules
    collecting = gc.isenabled()
    gc.disable()
    try:
        start = time.perf_counter()
        env = block_env(block.header, rules, target.chain_id)
        pre_block(state, block, rules, env)
        results = execute_transactions_parallel(state, block, env, rules, workers)
        requests = post_block(state, block, rules, env, results)
        result = finish_block(block, rules, results, None, requests, spread_over(workers))
        return result, time.perf_counter() - start
    finally:
        if collecting:
            gc.enable()


def sequential(target: Target) -> tuple[BlockResult, float]:
    state = target.state.copy()
    start = time.perf_counter()
    result = execute_sequential(state, target.block, target.rules, target.chain_id)
    return result, time.perf_counter() - start


# Each step repeats every measured run until about this long went by: a block of a few
# milliseconds needs dozens of samples before its minimum stops moving on a shared machine.
STEP_SECONDS: Final = 0.02


class Measurer:
    """Best seconds so far: sequential, and Block-STM per worker count, each run repeatedly in
    every step (for about STEP_SECONDS, at least once)."""

    def __init__(self, target: Target, workers: list[int]) -> None:
        self.target = target
        self.sequential_seconds = float("inf")
        self.parallel = dict.fromkeys(workers, float("inf"))

    def step(self) -> None:
        target = self.target
        reference, seconds = sequential(target)
        self.sequential_seconds = min(self.sequential_seconds, seconds, _fastest(lambda: sequential(target)[1]))
        for count in self.parallel:

            def checked(count: int = count) -> float:
                result, seconds = block_stm(target, count)
                if result.gas_used != reference.gas_used or result.receipts_root != reference.receipts_root:
                    raise RuntimeError(f"{target.name}: Block-STM with {count} workers disagrees with the sequential run")
                return seconds

            self.parallel[count] = min(self.parallel[count], _fastest(checked))


def _fastest(run: Callable[[], float]) -> float:
    """The fastest of `run`'s timings, repeated for about STEP_SECONDS (at least once)."""
    best = spent = run()
    while spent < STEP_SECONDS:
        seconds = run()
        best = min(best, seconds)
        spent += seconds
    return best


BUDGET_SECONDS: Final = 1.0  # short blocks: keep taking rounds until about this much time went by
MAX_ROUNDS: Final = 25


def observe(target: Target, measured: list[int], rounds: int) -> tuple[BlockProfile, Measurer | None]:
    """Profile the block and (when `measured` lists worker counts) run it for real, the two
    taking turns round by round so both see the same machine; at least `rounds` rounds, more
    for short blocks (minimums of millisecond timings need samples on a busy machine)."""
    threads = tuple(sorted({CONTENTION_THREADS, *(n for n in measured if n > 1)}))
    profiler = Profiler(target, threads)
    measurer = Measurer(target, measured) if measured else None
    start = time.perf_counter()
    done = 0
    while done < rounds or (time.perf_counter() - start < BUDGET_SECONDS and done < MAX_ROUNDS):
        profile = profiler.step()
        if measurer is not None:
            measurer.step()
        done += 1
    return profile, measurer
