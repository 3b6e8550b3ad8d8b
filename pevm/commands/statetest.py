"""Run GeneralStateTests fixture files or folders (.json or .json.gz).

`pevm statetest PATH... [--fork F] [-k PATTERN] [-j N] [--json OUT]`: checks every (test, fork,
data/gas/value) case's post state root, logs hash and expected exception; prints each failure,
ends with `N passed, M failed, K skipped`, exits non-zero on any failure.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from ethtests import statetest
from ethtests.fixtures import FixtureError
from ethtests.report import Reporter
from interp.forks import UnknownFork
from pevm.errors import UserError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="fixture files or folders")
    parser.add_argument("--fork", help="run only this fork's posts (e.g. Cancun)")
    parser.add_argument("-k", dest="pattern", help="run only cases whose id contains PATTERN")
    parser.add_argument("-j", dest="jobs", type=int, default=os.cpu_count() or 1, help="worker threads")
    parser.add_argument("--json", type=Path, metavar="OUT", help="write a JSON summary")


def run(args: argparse.Namespace) -> int:
    try:
        return statetest.run_files(args.paths, Reporter, statetest.run_file, args.fork, args.pattern, args.jobs, args.json)
    except (FixtureError, UnknownFork) as error:
        raise UserError(str(error)) from None
