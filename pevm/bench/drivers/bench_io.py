"""What every benchmark driver shares: reading the request, timing, replying.

Drivers run under each engine's own interpreter (free-threaded 3.13 for pevm, a GIL Python for
the peers), started as `python <driver>.py REQUEST.json`; so this module uses only the standard
library and is imported from the drivers' own directory. A request is the engine-neutral
workload from `pevm.bench.workloads`; the reply, the last line on stdout, is one JSON object.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
import uuid
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


def rendezvous(directory: str, parties: int, label: str, timeout: float = 600.0) -> None:
    """Wait until `parties` processes have reached the point `label` in `directory`."""
    os.close(os.open(os.path.join(directory, f"{label}.{uuid.uuid4().hex}"), os.O_CREAT | os.O_WRONLY))
    prefix = f"{label}."
    deadline = time.monotonic() + timeout
    while sum(name.startswith(prefix) for name in os.listdir(directory)) < parties:
        if time.monotonic() > deadline:
            raise RuntimeError(f"rendezvous: {parties} parties did not reach {label} in {timeout:.0f} s")
        time.sleep(0.001)


def _timed(prepare: Callable[[], Prepared], execute: Callable[[Prepared], Outcome],
           probe: Callable[[Prepared, Outcome], None], meet: Callable[[], None] = lambda: None,
           ) -> tuple[float, float, dict[str, Any]]:  # fmt: skip
    """One run: (setup seconds, timed seconds, outcome summary); `meet` just before the clock."""
    start = time.perf_counter()
    prepared = prepare()
    setup = time.perf_counter() - start
    meet()
    start = time.perf_counter()
    outcome = execute(prepared)
    seconds = time.perf_counter() - start
    probe(prepared, outcome)
    return setup, seconds, outcome.summary()


def _same(first: dict[str, Any] | None, summary: dict[str, Any]) -> dict[str, Any]:
    if first is not None and summary != first:
        raise RuntimeError(f"runs disagree: {first} then {summary}")
    return summary


def best_of(
    request: dict[str, Any],
    prepare: Callable[[], Prepared],
    execute: Callable[[Prepared], Outcome],
    probe: Callable[[Prepared, Outcome], None],
) -> dict[str, Any]:
    """Run `execute` on a fresh `prepare()` `repeats` times, and more while the timed runs add
    up to less than `min_seconds`; fewer once `budget` seconds are spent. Only `execute` is
    timed. Every run must give the same outcome. A request with `rendezvous` is one of several
    copies measuring the workload's ceiling (`alongside`)."""
    return interleaved(request, prepare, [execute], probe)[0]


def interleaved(
    request: dict[str, Any],
    prepare: Callable[[], Prepared],
    executes: list[Callable[[Prepared], Outcome]],
    probe: Callable[[Prepared, Outcome], None],
) -> list[dict[str, Any]]:
    """`best_of` for several ways of doing the same work, in rounds that run each way once (in
    turn forwards and backwards, so none always goes first): on a shared machine a neighbour's
    burst then slows every way alike instead of one process's whole measurement. Every run of
    every way must give the same outcome; one reply per way."""
    if "rendezvous" in request:
        if len(executes) != 1:
            raise ValueError("a ceiling's copies time one way each")
        return [alongside(request, prepare, executes[0], probe)]
    runs: list[list[float]] = [[] for _ in executes]
    setup: list[float] = []
    first: dict[str, Any] | None = None
    spent = 0.0
    repeats = max(1, int(request.get("repeats", 3)))
    order = list(range(len(executes)))
    while len(runs[0]) < repeats or min(map(sum, runs)) < float(request.get("min_seconds", 0.0)):
        for way in order:
            setup_seconds, seconds, summary = _timed(prepare, executes[way], probe)
            first = _same(first, summary)
            runs[way].append(seconds)
            setup.append(setup_seconds)
            spent += seconds + setup_seconds
        order.reverse()
        if spent > float(request.get("budget", 60.0)):
            break
    assert first is not None
    return [dict(first, seconds=min(times), runs=times, setup_seconds=min(setup)) for times in runs]


def alongside(
    request: dict[str, Any],
    prepare: Callable[[], Prepared],
    execute: Callable[[Prepared], Outcome],
    probe: Callable[[Prepared, Outcome], None],
) -> dict[str, Any]:
    """One of `parties` copies of the same run, in rounds: first one copy (the leader, whoever
    comes first) alone while the others wait, then all copies together. N copies' throughput
    over one copy's, from rounds interleaved on the same machine, is the workload's ceiling.
    Replies with the together rounds' times (`runs`) and, for the leader, `solo_runs`."""
    directory, parties = request["rendezvous"]["dir"], int(request["rendezvous"]["parties"])
    try:
        os.close(os.open(os.path.join(directory, "leader"), os.O_CREAT | os.O_EXCL | os.O_WRONLY))
        leader = True
    except FileExistsError:
        leader = False
    solo: list[float] = []
    runs: list[float] = []
    first: dict[str, Any] | None = None
    for index in range(max(1, int(request.get("repeats", 3)))):
        alone, together = f"solo-{index}", f"together-{index}"
        if leader:
            _, seconds, summary = _timed(prepare, execute, probe, lambda: rendezvous(directory, parties, alone))
            first = _same(first, summary)
            solo.append(seconds)
        else:
            rendezvous(directory, parties, alone)
        rendezvous(directory, parties, f"{alone}-done")  # no copy prepares while the leader runs
        _, seconds, summary = _timed(prepare, execute, probe, lambda: rendezvous(directory, parties, together))
        first = _same(first, summary)
        runs.append(seconds)
    assert first is not None
    return dict(first, seconds=min(runs), runs=runs, solo_runs=solo)


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
