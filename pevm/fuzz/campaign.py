"""A time-boxed fuzzing campaign: rounds of hypothesis runs against one oracle.

Each round is a hypothesis run of `ROUND_EXAMPLES` examples from its own seed; a divergence
stops the round, hypothesis shrinks it, and the minimal example is written as a reproducer
(`reproducers.write`). Rounds repeat until the time is up. Divergences are deduplicated by their
description with the numbers taken out, so one bug found a hundred times is one reproducer.
"""

from __future__ import annotations

import random
import re
import sys
import time
from pathlib import Path
from typing import Any, Final, TextIO

from hypothesis import HealthCheck, Phase, given, seed as hypothesis_seed, settings, strategies as st
from hypothesis.errors import Flaky

from pevm import workloads
from pevm.fuzz import reproducers
from pevm.fuzz.case import Case
from pevm.fuzz.oracles import WORKERS, Eels, check_eels, check_parallel
from pevm.fuzz.strategies import cases, conflict_blocks

ROUND_EXAMPLES: Final = 100
ORACLES: Final = ("parallel", "eels")


class Divergence(Exception):
    """An oracle's two sides disagree."""


class TimeUp(Exception):
    """The campaign's time ran out in the middle of a round."""


class Campaign:
    """Counts cases and divergences, prints the progress line, keeps the reproducers written."""

    def __init__(
        self, oracle: str, seconds: float, seed: int, out: Path, stream: TextIO = sys.stderr, until_first: bool = False
    ) -> None:
        if oracle not in ORACLES:
            raise ValueError(f"unknown oracle {oracle!r} (choose from {', '.join(ORACLES)})")
        self.oracle = oracle
        self.deadline = time.monotonic() + seconds
        self.started = time.monotonic()
        self.seed = seed
        self.until_first = until_first  # stop at the first divergence (the planted-bug test)
        self.out = out
        self.stream = stream
        self.cases = 0
        self.divergences = 0  # distinct ones
        self.repeats = 0  # seen again
        self.found: dict[str, Path] = {}
        self.first_after: float | None = None  # seconds until the first divergence
        self.eels: Eels | None = Eels() if oracle == "eels" else None
        self._shown = 0.0

    # --- the loop ---------------------------------------------------------------------------------
    def run(self) -> int:
        """Run rounds until the deadline; returns the number of distinct divergences."""
        rounds = random.Random(self.seed)
        try:
            while time.monotonic() < self.deadline and not (self.until_first and self.divergences):
                self._round(rounds.getrandbits(64))
        finally:
            if self.eels is not None:
                self.eels.close()
            self._progress(final=True)
        return self.divergences

    def _round(self, seed: int) -> None:
        failure: dict[str, Any] = {}
        strategy = cases() if self.oracle == "eels" else st.tuples(conflict_blocks(), st.sampled_from(WORKERS))

        @settings(max_examples=ROUND_EXAMPLES, deadline=None, database=None, derandomize=False,
                  suppress_health_check=list(HealthCheck), phases=[Phase.generate, Phase.shrink],
                  report_multiple_bugs=False)  # fmt: skip
        @given(strategy)
        def probe(example: Any) -> None:
            if not failure and time.monotonic() > self.deadline:
                raise TimeUp  # (a divergence being shrunk is seen through)
            self.cases += 1
            self._progress()
            diff = self.check(example)
            if diff is not None:
                failure.setdefault("first", (example, diff))
                failure["last"] = (example, diff)
                raise Divergence(diff)

        try:
            hypothesis_seed(seed)(probe)()
        except TimeUp:
            return
        except (Divergence, Flaky):
            # Shrinking replays the minimal example last; a flaky (timing-dependent) one keeps
            # the first failure seen.
            example, diff = failure["last"] if "last" in failure else failure["first"]
            self._record(example, diff)

    def check(self, example: Any) -> str | None:
        if self.eels is not None:
            assert isinstance(example, Case)
            return check_eels(example, self.eels)
        workload, workers = example
        assert isinstance(workload, workloads.Workload)
        return check_parallel(workload, workers)

    # --- reporting -------------------------------------------------------------------------------
    def _record(self, example: Any, diff: str) -> None:
        key = re.sub(r"\d+", "N", diff)
        if key in self.found:
            self.repeats += 1
            return
        self.divergences += 1
        if self.first_after is None:
            self.first_after = time.monotonic() - self.started
        if isinstance(example, Case):
            path = reproducers.write_state_test(example, diff, self.out, self.eels)
        else:
            workload, workers = example
            path = reproducers.write_block(workload, workers, diff, self.out)
        self.found[key] = path
        print(f"\npevm fuzz: divergence ({diff}) -> {path}", file=self.stream)

    def _progress(self, final: bool = False) -> None:
        now = time.monotonic()
        if not final and now - self._shown < 1.0:
            return
        self._shown = now
        elapsed = max(now - self.started, 1e-9)
        line = (f"{self.oracle}: {self.cases} cases, {self.divergences} divergences"
                f" ({self.repeats} repeats), {self.cases / elapsed:.1f} cases/s")  # fmt: skip
        print(f"\r{line}", end="\n" if final else "", file=self.stream, flush=True)
