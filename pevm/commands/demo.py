"""Run the bundled mainnet block sequentially and in parallel, verify it, show the speedup.

`pevm demo [--workers N]`: block 4,864,590 (Byzantium, 195 transactions) ships with pevm, so
this needs no shared data. Both runs are checked against the header (gasUsed, logsBloom,
receiptsRoot) and against each other (receipts, logs, gas and post state).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from interp.block import execute_block as execute_sequential
from parallel.executor import ParallelStats, default_workers, execute_block as execute_parallel
from pevm.blockfile import load_block_file
from pevm.commands.run_block import checks
from pevm.compare import difference

BUNDLED_BLOCK = Path(__file__).resolve().parent.parent / "data" / "4864590.json.gz"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--workers", type=int, default=None, help="worker threads (default: CPU count)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each mode; the best time counts")


def run(args: argparse.Namespace) -> int:
    block_file = load_block_file(BUNDLED_BLOCK)
    workers = max(2, default_workers()) if args.workers is None else args.workers
    header = block_file.block.header
    print(f"pevm demo: mainnet block {header.number} ({block_file.rules.name}), "
          f"{len(block_file.block.transactions)} transactions, {header.gas_used:,} gas")  # fmt: skip
    best_sequential = best_parallel = float("inf")
    stats = ParallelStats()
    for _ in range(max(1, args.repeat)):
        sequential_state = block_file.state.copy()
        start = time.perf_counter()
        sequential = execute_sequential(sequential_state, block_file.block, block_file.rules, block_file.chain_id)
        best_sequential = min(best_sequential, time.perf_counter() - start)
        parallel_state = block_file.state.copy()
        start = time.perf_counter()
        parallel = execute_parallel(parallel_state, block_file.block, block_file.rules, block_file.chain_id, workers, stats)
        best_parallel = min(best_parallel, time.perf_counter() - start)
        diff = difference(sequential, sequential_state, parallel, parallel_state)
        if diff is not None:
            print(f"  parallel and sequential results differ: {diff}")
            return 1
    verdict = checks(block_file, parallel)
    for name, value in verdict.items():
        print(f"  {name:<13} {'passed' if value else 'FAILED'}")
    gas = header.gas_used
    print(f"  sequential    {best_sequential * 1000:8.1f} ms  {gas / best_sequential / 1e6:6.2f} Mgas/s")
    print(f"  parallel      {best_parallel * 1000:8.1f} ms  {gas / best_parallel / 1e6:6.2f} Mgas/s  "
          f"({workers} workers, {stats.reexecutions} re-executions)")  # fmt: skip
    print(f"  speedup       {best_sequential / best_parallel:.2f}x, results identical")
    return 0 if all(verdict.values()) else 1
