"""Run the bundled mainnet block sequentially and in parallel, verify it, show the speedup.

`pevm demo [--workers N] [--repeat N]`: block 4,864,590 (Byzantium, 195 transactions) ships
with pevm, so this needs no shared data. Both runs are checked against the header (gasUsed,
logsBloom, receiptsRoot) and against each other (receipts, logs, gas and post state). Each run
recovers the senders from the signatures, as a client importing the block must: the sequential
run first, the parallel run on its workers while it executes (`pevm run-block --compare` times
execution alone).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from parallel.paths import default_workers
from pevm.blockfile import load_block_file
from pevm.commands.run_block import checks, take_turns
from pevm.errors import UserError

BUNDLED_BLOCK = Path(__file__).resolve().parent.parent / "data" / "4864590.json.gz"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--workers", type=int, default=None, help="worker threads (default: CPU count)")
    parser.add_argument("--repeat", type=int, default=15, help="runs of each mode, taking turns; the best time counts")


def run(args: argparse.Namespace) -> int:
    if args.repeat < 1:
        raise UserError("--repeat must be at least 1")
    if args.workers is not None and args.workers < 1:
        raise UserError("--workers must be at least 1")
    block_file = load_block_file(BUNDLED_BLOCK)
    workers = max(2, default_workers()) if args.workers is None else args.workers
    header = block_file.block.header
    print(f"pevm demo: mainnet block {header.number} ({block_file.rules.name}), "
          f"{len(block_file.block.transactions)} transactions, {header.gas_used:,} gas")  # fmt: skip
    runs, differs = take_turns(block_file, {"sequential": 1, "parallel": workers}, args.repeat, recover=True)
    if differs is not None:
        print(f"  parallel and sequential results differ: {differs}")
        return 1
    parallel = runs["parallel"].result
    assert parallel is not None
    verdict = checks(block_file, parallel)
    for name, value in verdict.items():
        print(f"  {name:<13} {'passed' if value else 'FAILED'}")
    gas = header.gas_used
    sequential, parallel_runs = runs["sequential"], runs["parallel"]
    threads = f"; {workers} worker{'s' if workers > 1 else ''}, {parallel_runs.stats.reexecutions} re-executions"
    print(f"  {'sequential':<13} {sequential.seconds * 1000:6.1f} ms  {gas / sequential.seconds / 1e6:6.1f} Mgas/s  "
          f"(senders {sequential.recovery * 1000:.1f} ms, then execution {sequential.execution * 1000:.1f} ms)")
    print(f"  {'parallel':<13} {parallel_runs.seconds * 1000:6.1f} ms  {gas / parallel_runs.seconds / 1e6:6.1f} Mgas/s  "
          f"(senders recovered during execution{threads})")  # fmt: skip
    print(f"  speedup       {sequential.seconds / parallel_runs.seconds:.2f}x, results identical")
    return 0 if all(verdict.values()) else 1
