"""Run BlockchainTests fixture files or folders (.json or .json.gz).

`pevm blocktest PATH... [-k PATTERN] [-j N] [--json OUT] [--parallel [--workers N] [--repeat R]]`:
imports every test's blocks onto its genesis (rejecting the invalid ones), then checks the head's
hash and post state; prints each failure with its id and reason (and a NOTE when a block was
rejected for another reason than the fixture names), ends with `N passed, M failed, K skipped`,
exits 1 on any failure. `--parallel` runs every test once per parallel way instead (each
parallel path, and lookahead with the senders recovered during execution) on `--workers`
threads (2 by default), `--repeat R` times each.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from ethtests import blocktest
from ethtests.fixtures import FixtureError
from ethtests.report import ReportError
from pevm.commands import parallel_runs
from pevm.errors import UserError, check_output


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="fixture files or folders")
    parser.add_argument("-k", dest="pattern", help="run only tests whose id contains PATTERN")
    parser.add_argument("-j", dest="jobs", type=int, default=os.cpu_count() or 1, help="parallel workers")
    parser.add_argument("--json", type=Path, metavar="OUT", help="write a JSON summary to OUT (-: standard output)")
    parallel_runs.add_arguments(parser, "run every test through Block-STM, lookahead and transfer groups")


def run(args: argparse.Namespace) -> int:
    if args.jobs < 1:
        raise UserError(f"-j must be at least 1, got {args.jobs}")
    check_output(args.json, "--json")
    workers, repeats = parallel_runs.settings(args)
    try:
        return blocktest.run_paths(args.paths, args.pattern, args.jobs, args.json, args.parallel, workers, repeats)
    except (FixtureError, ReportError) as error:
        raise UserError(str(error)) from None
