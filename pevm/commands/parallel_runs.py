"""`--parallel`, `--workers N` and `--repeat R`: how `statetest` and `blocktest` run fixtures
through the parallel executor."""

from __future__ import annotations

import argparse

from ethtests.statetest import PARALLEL_WORKERS
from pevm.errors import UserError


def add_arguments(parser: argparse.ArgumentParser, parallel_help: str) -> None:
    parser.add_argument("--parallel", action="store_true", help=parallel_help)
    parser.add_argument("--workers", type=int, metavar="N",
                        help=f"with --parallel: worker threads (default {PARALLEL_WORKERS})")  # fmt: skip
    parser.add_argument("--repeat", type=int, metavar="R",
                        help="with --parallel: run each case R times; it passes only if every run does")  # fmt: skip


def settings(args: argparse.Namespace) -> tuple[int, int]:
    """The worker threads and runs per case that the arguments ask for; an error for values
    below 1, or for either option without --parallel (it would change nothing)."""
    for flag, value in (("--workers", args.workers), ("--repeat", args.repeat)):
        if value is None:
            continue
        if not args.parallel:
            raise UserError(f"{flag} needs --parallel")
        if value < 1:
            raise UserError(f"{flag} must be at least 1, got {value}")
    return args.workers or PARALLEL_WORKERS, args.repeat or 1
