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
import math
import time
from dataclasses import dataclass, field
from pathlib import Path

from interp.block import BlockResult, execute_block as execute_sequential
from interp.plain_state import PlainState
from interp.transaction import recover_senders_in_order
from parallel.block import execute_block as execute_parallel
from parallel.paths import ParallelStats, default_workers
from pevm.blockfile import BlockFile, BlockFileError, load_block_file
from pevm.compare import difference
from pevm.errors import UserError, check_output


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", type=Path, help="a <N>.json.gz block file (see $PEVM_SHARED/mainnet/README.md)")
    parser.add_argument("--workers", type=int, default=None, help="worker threads (default: CPU count; 1 = sequential)")
    parser.add_argument("--compare", action="store_true", help="also run sequentially and compare")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each path, taking turns; the best time counts")
    parser.add_argument("--json", type=Path, metavar="OUT", help="write the summary as JSON (-: standard output)")


def checks(block_file: BlockFile, result: BlockResult) -> dict[str, bool | None]:
    header = block_file.block.header
    return {
        "gasUsed": result.gas_used == header.gas_used,
        "logsBloom": result.logs_bloom == header.logs_bloom,
        "receiptsRoot": None if result.receipts_root is None else result.receipts_root == header.receipts_root,
    }


@dataclass
class PathRuns:
    """One way of running the block over all its turns: the last result and post state, the best
    times (sender recovery when asked for, and execution; in parallel, the senders are recovered
    during execution and `recovery` stays 0), and what the executor did."""

    workers: int  # 1: the sequential path
    stats: ParallelStats = field(default_factory=ParallelStats)
    result: BlockResult | None = None
    state: PlainState | None = None
    recovery: float = math.inf
    execution: float = math.inf

    @property
    def seconds(self) -> float:
        """Sender recovery and execution, each its best."""
        return self.recovery + self.execution


def take_turns(block_file: BlockFile, paths: dict[str, int], repeat: int, recover: bool) -> tuple[dict[str, PathRuns], str | None]:  # fmt: skip
    """Run the block each way of `paths` (name -> workers) `repeat` times, taking turns (forwards,
    then backwards, so none always goes first): one run of a few milliseconds moves by tens of
    percent on a shared machine. `recover`: each run recovers the senders, as a client importing
    the block must (sequentially first, in parallel on the workers while executing). Also the
    first difference, in any turn, between the first way's results and another's."""
    runs = {name: PathRuns(workers) for name, workers in paths.items()}
    names = list(runs)
    differs: str | None = None
    for turn in range(repeat):
        for name in names if turn % 2 == 0 else names[::-1]:
            _run(block_file, runs[name], recover)
        first = runs[names[0]]
        for other in (runs[name] for name in names[1:]):
            assert first.result is not None and first.state is not None
            assert other.result is not None and other.state is not None
            differs = differs or difference(first.result, first.state, other.result, other.state)
    return runs, differs


def _run(block_file: BlockFile, path: PathRuns, recover: bool) -> None:
    block, rules, chain_id = block_file.block, block_file.rules, block_file.chain_id
    state = block_file.state.copy()
    start = time.perf_counter()
    if recover and path.workers == 1:
        recover_senders_in_order(block.transactions, rules, chain_id)
    recovered = time.perf_counter()
    if path.workers == 1:
        result = execute_sequential(state, block, rules, chain_id)
    else:  # with `recover`, the senders are recovered on the workers during execution
        result = execute_parallel(state, block, rules, chain_id, path.workers, path.stats, recover=recover)
    path.execution = min(path.execution, time.perf_counter() - recovered)
    path.recovery = min(path.recovery, recovered - start)
    path.result, path.state = result, state


def run(args: argparse.Namespace) -> int:
    if args.workers is not None and args.workers < 1:
        raise UserError("--workers must be at least 1")
    if args.repeat < 1:
        raise UserError("--repeat must be at least 1")
    check_output(args.json, "--json")
    try:
        block_file = load_block_file(args.file)
    except BlockFileError as error:
        raise UserError(str(error)) from None
    workers = default_workers() if args.workers is None else args.workers
    paths = {"sequential": 1, "run": workers} if args.compare else {"run": workers}
    runs, differs = take_turns(block_file, paths, args.repeat, recover=False)
    ran = runs["run"]
    assert ran.result is not None
    result, seconds, used = ran.result, ran.execution, ran.stats
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
        sequential_seconds = runs["sequential"].execution
        speedup = sequential_seconds / seconds if seconds else 0.0
        summary.update(sequential_seconds=round(sequential_seconds, 6), speedup=round(speedup, 3))
        summary["identical"] = differs is None
        print(f"  sequential    {sequential_seconds:.3f} s, speedup {speedup:.2f}x, "
              f"identical: {'yes' if differs is None else 'NO - ' + differs}")  # fmt: skip
        verified = verified and differs is None
        summary["verified"] = verified
    if args.json:
        args.json.write_text(json.dumps(summary, indent=2) + "\n")
    return 0 if verified else 1
