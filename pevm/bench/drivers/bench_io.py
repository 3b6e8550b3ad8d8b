"""What every benchmark driver shares: reading the request, timing, replying.

Drivers run under each engine's own interpreter (free-threaded 3.13 for pevm, a GIL Python for
the peers), started as `python <driver>.py REQUEST.json`; so this module uses only the standard
library and is imported from the drivers' own directory. A request is the engine-neutral
workload from `pevm.bench.workloads`; the reply, the last line on stdout, is one JSON object.
"""

from __future__ import annotations

import hashlib
import json
import sys
import time
from typing import Any, Callable

Prepared = Any  # whatever an engine builds before the clock starts (state, decoded inputs)


def load_request() -> dict[str, Any]:
    with open(sys.argv[1]) as handle:
        request: dict[str, Any] = json.load(handle)
    return request


def hexint(value: str | int) -> int:
    return value if isinstance(value, int) else int(value, 16)


def unhex(value: str) -> bytes:
    return bytes.fromhex(value[2:] if value.startswith("0x") else value)


class Outcome:
    """What one timed run produced; engines must agree on all of it (`summary`)."""

    def __init__(self) -> None:
        self.gas = 0
        self.successes = 0
        self.outputs = hashlib.sha256()
        self.balances: list[int] = []
        self.storage: list[int] = []

    def summary(self) -> dict[str, Any]:
        return {"gas": self.gas, "successes": self.successes, "outputs": self.outputs.hexdigest()[:16],
                "balances": [hex(value) for value in self.balances],
                "storage": [hex(value) for value in self.storage]}  # fmt: skip


def best_of(
    request: dict[str, Any],
    prepare: Callable[[], Prepared],
    execute: Callable[[Prepared], Outcome],
    probe: Callable[[Prepared, Outcome], None],
) -> dict[str, Any]:
    """Run `execute` on a fresh `prepare()` `repeats` times, and more while the timed runs add
    up to less than `min_seconds`; fewer once `budget` seconds are spent. Only `execute` is
    timed. Every run must give the same outcome."""
    runs: list[float] = []
    setup: list[float] = []
    first: dict[str, Any] | None = None
    spent = 0.0
    repeats = max(1, int(request.get("repeats", 3)))
    while len(runs) < repeats or sum(runs) < float(request.get("min_seconds", 0.0)):
        start = time.perf_counter()
        prepared = prepare()
        setup.append(time.perf_counter() - start)
        start = time.perf_counter()
        outcome = execute(prepared)
        runs.append(time.perf_counter() - start)
        probe(prepared, outcome)
        summary = outcome.summary()
        if first is None:
            first = summary
        elif summary != first:
            raise RuntimeError(f"runs disagree: {first} then {summary}")
        spent += runs[-1] + setup[-1]
        if spent > float(request.get("budget", 60.0)):
            break
    assert first is not None
    return dict(first, seconds=min(runs), runs=runs, setup_seconds=min(setup))


def reply(result: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(result) + "\n")
    sys.stdout.flush()


def main(engine: str, run: Callable[[dict[str, Any]], dict[str, Any]], info: Callable[[], dict[str, Any]]) -> None:
    """Answer one request; a failure becomes `{"error": ...}` so the table can say why."""
    try:
        request = load_request()
        result = run(request)
        result.update(engine=engine, info=info())
    except Exception as error:  # noqa: BLE001 - reported in the benchmark table, not raised
        import traceback

        result = {"engine": engine, "error": f"{type(error).__name__}: {error}", "traceback": traceback.format_exc()}
    reply(result)
