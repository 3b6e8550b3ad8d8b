"""Benchmark pevm (compiled, pure Python, 1 and 2 workers) against py-evm, EELS and pyrevm.

`pevm bench [--quick] [--peers] [--json OUT]`: runs W1-W6 in msg and tx mode and the shared
mainnet blocks (tx mode, pevm only), every engine in its own process on the same requests;
prints a Markdown table (Mgas/s, tx/s, µs per op, and pevm's speed ratio to each peer) and
exits non-zero when an engine's results disagree with pevm's. `--peers` needs
`make bench-peers` (it installs the peers into .venv-peers/).
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from pathlib import Path

from pevm.bench.engines import PEERS, peer_engines, pevm_engines, source_root
from pevm.bench.runner import SPEEDUP_SAMPLE_SECONDS, Row, Runner, table
from pevm.bench.speedup import block_lines, machine_ceiling, speedup_lines
from pevm.bench.workloads import FULL, QUICK, SPECS, shared_dir
from pevm.errors import UserError, check_output

WORKLOADS = [spec.name for spec in SPECS] + ["mainnet"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--quick", action="store_true", help="fewer iterations, same shapes (under 3 minutes)")
    parser.add_argument("--peers", action="store_true", help="also run py-evm, EELS and pyrevm (make bench-peers)")
    parser.add_argument("--json", type=Path, metavar="OUT", help="write the rows as a JSON list (-: standard output)")
    parser.add_argument("--only", metavar="W", action="append", choices=WORKLOADS,
                        help="run only this workload (repeatable): " + ", ".join(WORKLOADS))  # fmt: skip
    parser.add_argument("--repeats", type=int, default=None, help="best of N runs (default 3; 2 with --quick)")
    parser.add_argument("--workers", type=int, default=2, help="worker threads for the parallel rows (default 2)")


def run(args: argparse.Namespace) -> int:
    if args.repeats is not None and args.repeats < 1:
        raise UserError("--repeats must be at least 1")
    if args.workers < 1:
        raise UserError("--workers must be at least 1")
    check_output(args.json, "--json")
    contracts = shared_dir() / "contracts"
    if not (contracts / "erc20" / "ERC20Token.hex").is_file():
        raise UserError(f"benchmark contracts not found in {contracts} (set PEVM_SHARED)")
    root = source_root()
    engines = pevm_engines(root, args.workers)
    if args.peers:
        engines += peer_engines(root)
    sizes = QUICK if args.quick else FULL
    repeats = args.repeats or (2 if args.quick else 3)
    start = time.perf_counter()
    tx_seconds = 0.0 if args.quick else SPEEDUP_SAMPLE_SECONDS
    with Runner(engines, sizes, repeats, budget=6.0 if args.quick else 45.0, timeout=300.0 if args.quick else 3600.0,
                only=set(args.only) if args.only else None, tx_seconds=tx_seconds) as runner:  # fmt: skip
        rows = runner.run()
    elapsed = time.perf_counter() - start
    for engine in engines:
        if engine.missing:
            print(f"skipped {engine.name}: {engine.missing}")
    print(table(rows, [peer for peer in PEERS if args.peers]))
    print()
    if args.workers > 1:
        ceiling = machine_ceiling(args.workers)
        print("\n".join(speedup_lines(rows, runner.block_rows, args.workers, ceiling)))
        print()
        if runner.block_rows:
            print("\n".join(block_lines(runner.block_rows, args.workers)))
            print()
    print(f"machine: {platform.machine()}, {platform.processor() or platform.system()}, "
          f"{__import__('os').cpu_count()} CPUs; {'quick' if args.quick else 'full'} run, best of {repeats}"
          f"{f' (tx mode: or as many as add up to {tx_seconds:g} s)' if tx_seconds else ''}, "
          f"{elapsed:.0f} s")  # fmt: skip
    for name, info in runner.infos.items():
        print(f"  {name}: {json.dumps(info)}")
    if args.json is not None:
        # the totals, then every mainnet block behind the "mainnet" rows
        args.json.write_text(json.dumps([row.as_json() for row in rows + runner.block_rows], indent=1) + "\n")
    return 1 if any(fails_the_run(row) for row in rows) else 0


def fails_the_run(row: Row) -> bool:
    """A pevm row that failed or disagrees, or a peer whose results disagree with pevm's. A peer
    that could not run a workload (pyrevm's block gas limit on W3) is a note in the table, and
    so is an engine that is not there (pevm-pure outside a checkout)."""
    if row.note.startswith("skipped"):
        return False
    return not row.agrees and (row.engine.startswith("pevm") or row.note.startswith("DISAGREES"))
