"""Differential fuzzing: parallel == sequential, or pevm == the executable specification (EELS).

`pevm fuzz [--oracle parallel|eels] [--seconds S] [--seed N] [--out DIR]`: runs a campaign with
a progress line (cases, divergences, cases/s); each divergence is shrunk and written to DIR as
a reproducer. `pevm fuzz --replay FILE...` runs reproducers again. Exits 1 when any diverged.
"""

from __future__ import annotations

import argparse
import json
import math
import random
from pathlib import Path

from pevm.errors import UserError


def _seconds(text: str) -> float:
    try:
        seconds = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not (seconds > 0 and math.isfinite(seconds)):
        raise argparse.ArgumentTypeError(f"must be a positive number of seconds, got {text}")
    return seconds


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--oracle", choices=("parallel", "eels"), default="parallel", help="what to compare (default: parallel)")
    parser.add_argument("--seconds", type=_seconds, default=60.0, help="campaign length (default: 60)")
    parser.add_argument("--seed", type=int, default=None, help="seed (default: random, printed)")
    parser.add_argument("--out", type=Path, default=Path("fuzz-out"), help="where reproducers go (default: fuzz-out)")
    parser.add_argument("--replay", type=Path, nargs="+", metavar="FILE", help="run reproducers instead of a campaign")


def run(args: argparse.Namespace) -> int:
    from pevm.fuzz.campaign import Campaign
    from pevm.fuzz.oracles import EelsUnavailable

    if args.replay:
        return replay(args.replay)
    seed = args.seed if args.seed is not None else random.randrange(2**32)
    print(f"pevm fuzz: oracle {args.oracle}, {args.seconds:g} s, seed {seed}, reproducers to {args.out}")
    try:
        campaign = Campaign(args.oracle, args.seconds, seed, args.out)
    except EelsUnavailable as error:
        raise UserError(str(error)) from None
    return 1 if campaign.run() else 0


def replay(paths: list[Path]) -> int:
    """Run each reproducer: a parallel block, or a state test (the EELS oracle's)."""
    from ethtests import statetest
    from ethtests.fixtures import FixtureError
    from ethtests.report import FAILED, SKIPPED
    from pevm.fuzz.case import FORK
    from pevm.fuzz.reproducers import BLOCK_KIND, ReproducerError, replay_block

    failed = 0
    for path in paths:
        try:
            data = json.loads(path.read_text())
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
            raise UserError(f"{path}: {error}") from None
        if not isinstance(data, dict):
            raise UserError(f"{path}: not a reproducer (expected a JSON object)")
        try:
            if data.get("kind") == BLOCK_KIND:
                diff = replay_block(path)
            else:
                results = [r for r in statetest.run_file(path, FORK, None) if r.status != SKIPPED]
                if not results:
                    raise UserError(f"{path}: not a reproducer (no {FORK} state test case in it)")
                diff = "; ".join(r.reason for r in results if r.status == FAILED) or None
        except (ReproducerError, FixtureError) as error:
            raise UserError(str(error)) from None
        print(f"{path}: {'diverges: ' + diff if diff else 'agrees'}")
        failed += diff is not None
    return 1 if failed else 0
