"""Run GeneralStateTests fixture files or folders (.json or .json.gz).

`pevm statetest PATH... [--fork F] [-k PATTERN] [-j N] [--json OUT] [--durations N]
[--skip-file NAME] [--parallel [--workers N] [--repeat R]] [--trace]`: checks every (test, fork,
data/gas/value) case's post state root, logs hash and expected exception; prints each failure
with its id and reason, ends with `N passed, M failed, K skipped`, exits 1 on any failure.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from ethtests import statetest
from ethtests.fixtures import FixtureError
from ethtests.report import ReportError
from interp.forks import UnknownFork
from pevm.commands import parallel_runs
from pevm.errors import UserError, check_output


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="fixture files or folders")
    parser.add_argument("--fork", help="run only this fork's posts (e.g. Cancun)")
    parser.add_argument("-k", dest="pattern", help="run only cases whose id contains PATTERN")
    parser.add_argument("-j", dest="jobs", type=int, default=os.cpu_count() or 1, help="parallel workers")
    parser.add_argument("--json", type=Path, metavar="OUT", help="write a JSON summary to OUT (-: standard output)")
    parser.add_argument("--durations", type=int, default=0, metavar="N", help="list the N slowest files")
    parser.add_argument("--skip-file", dest="skip_files", action="append", default=[], metavar="NAME",
                        help="do not run files whose path ends with NAME; each counts as one skipped")
    parallel_runs.add_arguments(parser, "run each case through Block-STM")
    parser.add_argument("--trace", action="store_true", help="write EIP-3155 JSON lines to stderr (one case at a time)")


def run(args: argparse.Namespace) -> int:
    if args.jobs < 1:
        raise UserError(f"-j must be at least 1, got {args.jobs}")
    check_output(args.json, "--json")
    workers, repeats = parallel_runs.settings(args)
    if args.trace and args.parallel:
        raise UserError("--trace runs the cases one at a time on the sequential path: drop --parallel")
    try:
        if args.trace:
            from pevm.trace import trace_files

            return trace_files(args.paths, args.fork, args.pattern)
        return statetest.run_paths(args.paths, args.fork, args.pattern, args.jobs, args.json, args.durations,
                                   tuple(args.skip_files), args.parallel, workers, repeats)  # fmt: skip
    except (FixtureError, UnknownFork, ReportError) as error:
        raise UserError(str(error)) from None
