"""Execute a real block file and verify it against its header.

`pevm run-block FILE.json.gz [--workers N] [--compare] [--repeat N] [--json OUT]`: runs the
block (in parallel unless --workers 1), checks gasUsed, logsBloom and receiptsRoot (from
Byzantium; earlier receipts need the full state, so that check is "n/a"), prints a one-screen
summary and exits non-zero on any mismatch. --compare also runs the sequential path in the same
process and reports the speedup and whether both results are identical. --repeat N runs each
path N times, taking turns, and reports the best times (one run of a few milliseconds moves by
tens of percent on a shared machine).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from interp.block import BlockResult, execute_block as execute_sequential
from parallel.executor import ParallelStats, default_workers, execute_block as execute_parallel
from pevm.blockfile import BlockFile, BlockFileError, load_block_file
from pevm.compare import difference
from pevm.errors import UserError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", type=Path, help="a <N>.json.gz block file (see $PEVM_SHARED/mainnet/README.md)")
    parser.add_argument("--workers", type=int, default=None, help="worker threads (default: CPU count; 1 = sequential)")
    parser.add_argument("--compare", action="store_true", help="also run sequentially and compare")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each path, taking turns; the best time counts")
    parser.add_argument("--json", type=Path, metavar="OUT", help="write the summary as JSON")


def checks(block_file: BlockFile, result: BlockResult) -> dict[str, bool | None]:
    header = block_file.block.header
    return {
        "gasUsed": result.gas_used == header.gas_used,
        "logsBloom": result.logs_bloom == header.logs_bloom,
        "receiptsRoot": None if result.receipts_root is None else result.receipts_root == header.receipts_root,
    }


def _run(block_file: BlockFile, workers: int, stats: ParallelStats) -> tuple[BlockResult, float, object]:
    state = block_file.state.copy()
    start = time.perf_counter()
    if workers == 1:
        result = execute_sequential(state, block_file.block, block_file.rules, block_file.chain_id)
    else:
        result = execute_parallel(state, block_file.block, block_file.rules, block_file.chain_id, workers, stats)
    return result, time.perf_counter() - start, state


def run(args: argparse.Namespace) -> int:
    if args.workers is not None and args.workers < 1:
        raise UserError("--workers must be at least 1")
    if args.repeat < 1:
        raise UserError("--repeat must be at least 1")
    try:
        block_file = load_block_file(args.file)
    except BlockFileError as error:
        raise UserError(str(error)) from None
    workers = default_workers() if args.workers is None else args.workers
    counts = {"run": workers, "sequential": 1} if args.compare else {"run": workers}
    stats = {path: ParallelStats() for path in counts}
    runs: dict[str, tuple[BlockResult, float, object]] = {}  # the last result and state, the best time
    for turn in range(args.repeat):
        for path in list(counts) if turn % 2 == 0 else list(counts)[::-1]:
            result, seconds, state = _run(block_file, counts[path], stats[path])
            runs[path] = (result, min(seconds, runs[path][1]) if path in runs else seconds, state)
    result, seconds, state = runs["run"]
    used = stats["run"]
    verdict = checks(block_file, result)
    verified = all(value is not False for value in verdict.values())
    gas = int(result.gas_used)  # an i64 in the compiled result type
    summary: dict[str, object] = {
        "block": block_file.number,
        "fork": block_file.rules.name,
        "txs": len(block_file.block.transactions),
        "gas_used": gas,
        "seconds": round(seconds, 6),
        "workers": workers,
        "path": used.path,
        "reexecutions": used.reexecutions,
        "verified": verified,
        "checks": verdict,
    }
    print(f"block {block_file.number} ({block_file.rules.name}): {summary['txs']} txs, {gas:,} gas, {workers} worker(s)")
    mode = used.path
    print(f"  executed in {seconds:.3f} s ({gas / seconds / 1e6 if seconds else 0:.2f} Mgas/s, {mode}), "
          f"{used.reexecutions} re-executions")  # fmt: skip
    for name, value in verdict.items():
        print(f"  {name:<13} {'n/a (pre-Byzantium receipts hold state roots)' if value is None else 'passed' if value else 'FAILED'}")
    if block_file.block.ommers is None:
        print("  note: ommer headers are not in the file; ommer rewards (post-state only) not applied")
    if args.compare:
        reference, sequential_seconds, reference_state = runs["sequential"]
        assert isinstance(state, type(reference_state))
        diff = difference(reference, reference_state, result, state)  # type: ignore[arg-type]
        speedup = sequential_seconds / seconds if seconds else 0.0
        summary.update(sequential_seconds=round(sequential_seconds, 6), speedup=round(speedup, 3), identical=diff is None)
        print(f"  sequential    {sequential_seconds:.3f} s, speedup {speedup:.2f}x, "
              f"identical: {'yes' if diff is None else 'NO - ' + diff}")  # fmt: skip
        verified = verified and diff is None
        summary["verified"] = verified
    if args.json:
        args.json.write_text(json.dumps(summary, indent=2) + "\n")
    return 0 if verified else 1
