"""Dependency DAG, critical path and predicted Block-STM speedup of blocks at N workers.

`pevm analyze FILE... [--workers 1,2,4,8,16,32] [--json OUT] [--plot OUT.svg|png|pdf]`: FILE is a
`<N>.json.gz` block file, a directory of them, or `workload:NAME[:COUNT]` (a benchmark block,
see pevm/analyze/targets.py). For each block: the transactions' measured costs and read/write
sets, the dependency DAG, the critical path, and a simulation of our scheduler predicting the
speedup per worker count; unless --no-measure, the real executor runs with the --measure worker
counts and the prediction error is reported. --plot charts the predicted speedups: SVG needs
nothing; PNG and PDF need matplotlib, here or in `make peers-plot`'s GIL Python.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from parallel.paths import choose_path
from pevm.analyze.dag import build_dag
from pevm.analyze.measure import Measurer, observe
from pevm.analyze.report import BlockAnalysis, Table, check_plot_support, load_published, plot, write_json
from pevm.analyze.simulate import calibrate, simulate
from pevm.analyze.targets import check_targets, expand, load_target, shared_dir
from pevm.errors import UserError, check_output

DEFAULT_WORKERS = "1,2,4,8,16,32"
DEFAULT_MEASURED = "1,2"
# More rounds, more samples for every minimum. Before the worker pool, and maybe on the pure
# build (see pevm.cli's -P), 3 rounds read a 2-worker error of 17-22% and 7 rounds 13-16%; on
# the compiled build with the pool, 3 rounds read 13.5% once and 7 rounds 13.2-13.7% three times.
DEFAULT_ROUNDS = 7


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="+", metavar="FILE", help="block files, directories of them, or workload:NAME[:COUNT]")
    parser.add_argument("--workers", default=DEFAULT_WORKERS, help=f"worker counts to predict (default {DEFAULT_WORKERS})")
    parser.add_argument("--measure", default=DEFAULT_MEASURED, metavar="LIST",
                        help=f"worker counts to run for real and compare (default {DEFAULT_MEASURED})")  # fmt: skip
    parser.add_argument("--no-measure", action="store_true", help="predict only")
    parser.add_argument("--rounds", type=int, default=DEFAULT_ROUNDS,
                        help=f"rounds of profiling and measured runs, taking turns; the fastest counts (default "
                             f"{DEFAULT_ROUNDS}, more for short blocks)")  # fmt: skip
    parser.add_argument("--json", type=Path, metavar="OUT", help="write the results as JSON (-: standard output)")
    parser.add_argument("--plot", type=Path, metavar="OUT.svg|png|pdf",
                        help="chart of predicted speedup (.png/.pdf need matplotlib: make peers-plot)")  # fmt: skip


def parse_workers(text: str, option: str) -> list[int]:
    """'1,2,4' -> [1, 2, 4]; UserError unless every item is a positive integer."""
    counts: list[int] = []
    for item in text.split(","):
        item = item.strip()
        if not item.isdigit() or int(item) < 1:
            raise UserError(f"{option}: expected positive integers separated by commas, got {text!r}")
        if int(item) not in counts:
            counts.append(int(item))
    return sorted(counts)


def sequential_baseline(profiled: float, measurer: Measurer | None) -> float:
    """The block's sequential time that every speedup divides: the fastest sequential run seen.

    The profile's passes and the measured runs time the same thing, but the measured ones are
    repeated many more times per round; their minimums differed by up to 2.8x on the shortest
    blocks, and dividing each by its own made a good prediction of the Block-STM time read as a
    bad speedup. One baseline leaves the simulator judged on what it predicts."""
    return profiled if measurer is None else min(profiled, measurer.sequential_seconds)


def run(args: argparse.Namespace) -> int:
    workers = parse_workers(args.workers, "--workers")
    measured = [] if args.no_measure else parse_workers(args.measure, "--measure")
    if args.rounds < 1:
        raise UserError("--rounds must be at least 1")
    check_output(args.json, "--json")
    check_output(args.plot, "--plot")
    if args.plot is not None:
        check_plot_support(args.plot)
    specs = expand(args.files)
    check_targets(specs)
    published = load_published(shared_dir() / "mainnet" / "pevm-published-speedups.tsv")
    overheads = calibrate()
    print(f"calibration: scheduler call {overheads.lock_seconds * 1e6:.2f} us, executor with 1 thread "
          f"{overheads.start_seconds * 1e6:.0f} us, +{overheads.thread_seconds * 1e6:.0f} us per further thread, "
          f"wake-up {overheads.wake_seconds * 1e6:.0f} us")  # fmt: skip
    table = Table(workers, measured, sys.stdout)
    analyses: list[BlockAnalysis] = []
    for spec in specs:
        target = load_target(spec)
        profile, measurer = observe(target, measured, args.rounds)
        dag = build_dag(profile.txs)
        costs = [tx.seconds for tx in profile.txs]
        total = sum(costs)
        path = dag.critical_path(costs)
        analysis = BlockAnalysis(target.name, len(target.block.transactions), profile.gas, dag.edges, path / total if total else 0.0,
                                 dag.ideal_speedup(costs))  # fmt: skip
        analysis.path = choose_path(target.block.transactions, max(workers), target.state)
        baseline = sequential_baseline(profile.sequential_seconds, measurer)
        analysis.sequential_seconds = baseline
        analysis.published = published.get(target.name)
        analysis.contention = dict(profile.contention)
        analysis.costs = {
            "sequential_block": profile.sequential_seconds,
            "sequential_transactions": total,
            "pre_block": profile.pre_seconds,
            "worker_executions": sum(tx.exec_seconds for tx in profile.txs),
            "worker_records": sum(tx.record_seconds for tx in profile.txs),
            "worker_validations": sum(tx.validate_seconds for tx in profile.txs),
            "mv_memory_setup": profile.memory_seconds,
            "parallel_tail": profile.tail_seconds,
            "receipts": profile.receipts_seconds,
        }
        for count in workers:
            result = simulate(dag, profile, overheads, count)
            analysis.predicted_seconds[count] = result.seconds
            analysis.predicted[count] = baseline / result.seconds
            analysis.reexecutions[count] = result.executions - len(target.block.transactions)
        if measurer is not None:
            analysis.measured_sequential_seconds = measurer.sequential_seconds
            for count, seconds in measurer.parallel.items():
                analysis.measured_seconds[count] = seconds
                analysis.measured[count] = baseline / seconds
                if count not in analysis.predicted:
                    result = simulate(dag, profile, overheads, count)
                    analysis.predicted_seconds[count] = result.seconds
                    analysis.predicted[count] = baseline / result.seconds
        analyses.append(analysis)
        table.row(analysis)
    table.summary(analyses)
    if args.json is not None:
        write_json(args.json, analyses)
    if args.plot is not None:
        plot(args.plot, analyses, workers)
    return 0
