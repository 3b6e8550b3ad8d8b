"""Run every workload on every engine, check they agree, and tabulate throughput.

Each (workload, mode) request is written once to a temporary file and handed to each engine's
driver in its own process, one after another, so the ratios come from the same run on the same
machine. A row whose gas or results differ from pevm's is flagged, never printed as a plain
number; a failing or missing engine becomes a note, not a crash.
"""

from __future__ import annotations

import json
import math
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from parallel.paths import SEQUENTIAL
from pevm.bench.engines import Engine
from pevm.bench.workloads import MODES, SPECS, Sizes, mainnet_blocks, request

COMPARED = ("gas", "successes", "outputs", "balances", "storage")


@dataclass
class Row:
    """One engine's measurement of one workload in one mode."""

    workload: str
    mode: str
    engine: str
    workers: int
    txs: int = 0
    ops: int = 0
    unit: str = "tx"
    gas: int = 0
    seconds: float = 0.0
    note: str = ""
    agrees: bool = True
    measured: bool = False
    summary: dict[str, Any] = field(default_factory=dict)
    path: str | None = None  # pevm rows: the executor's choice (parallel.executor's path names)
    reexecutions: int | None = None  # pevm rows: Block-STM re-executions in the last timed run
    ceiling: float | None = None  # pevm N-worker tx rows: what N concurrent copies of the work gain

    @property
    def parallel(self) -> bool | None:
        """pevm rows: the transactions ran on more than one thread."""
        return None if self.path is None else self.path != SEQUENTIAL

    @property
    def mgas_per_s(self) -> float | None:
        return self.gas / self.seconds / 1e6 if self.measured and self.seconds and self.gas else None

    @property
    def tx_per_s(self) -> float | None:
        return self.txs / self.seconds if self.measured and self.seconds else None

    def as_json(self) -> dict[str, Any]:
        def rounded(value: float | None) -> float | None:
            return None if value is None else round(value, 4)

        return {"workload": self.workload, "mode": self.mode, "engine": self.engine, "workers": self.workers,
                "gas": self.gas, "seconds": round(self.seconds, 6), "mgas_per_s": rounded(self.mgas_per_s),
                "tx_per_s": rounded(self.tx_per_s), "txs": self.txs, "agrees": self.agrees, "note": self.note,
                "parallel": self.parallel, "path": self.path, "reexecutions": self.reexecutions, "ceiling": rounded(self.ceiling)}  # fmt: skip


# A mainnet block runs in milliseconds: repeat it until its runs add up to this long (within the
# budget); the best of 3 of the same few-millisecond block moved by 30% between runs here.
BLOCK_SAMPLE_SECONDS: Final = 0.5
# A synthetic workload's speedup is the ratio of two bests, and a run on two workers needs both
# CPUs quiet at once, which a shared machine gives less often than one: at the best of 5 runs in
# turns W4, W5 and W6 read anywhere from 1.39x to 1.85x, at the best of 15 1.85x-1.86x
# (BENCHMARKS.md, stop 39). Tx-mode runs repeat until they add up to this long (within the
# budget), as blocks do.
SPEEDUP_SAMPLE_SECONDS: Final = 5.0
CEILING_ROUNDS: Final = 5


def call_driver(engine: Engine, request_path: Path, timeout: float, copies: int = 1) -> list[dict[str, Any]]:
    """Run `copies` of one driver at once; each reply is the last stdout line of its process
    (or an error we can print). When one copy fails the others are stopped: they would wait
    for it at their rendezvous."""
    running = [subprocess.Popen(engine.command(request_path), env=engine.environment, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True) for _ in range(copies)]  # fmt: skip
    deadline = time.monotonic() + timeout
    replies: list[dict[str, Any]] = []
    try:
        for process in running:
            try:
                out, err = process.communicate(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                return [{"error": f"timed out after {timeout:.0f} s"}]
            replies.append(_reply(process.returncode, out, err))
            if "error" in replies[-1]:
                return replies[-1:]
    finally:
        for process in running:
            if process.poll() is None:
                process.kill()
                process.communicate()
    return replies


def _reply(returncode: int, out: str, err: str) -> dict[str, Any]:
    lines = out.strip().splitlines()
    try:
        reply: dict[str, Any] = json.loads(lines[-1])
        return reply
    except (IndexError, json.JSONDecodeError):
        tail = (err.strip().splitlines() or ["no output"])[-1]
        return {"error": f"exit {returncode}: {tail}"}


class Runner:
    def __init__(self, engines: list[Engine], sizes: Sizes, repeats: int, budget: float, timeout: float,
                 only: set[str] | None = None, log: Any = sys.stderr, tx_seconds: float = 0.0) -> None:  # fmt: skip
        self.engines = engines
        self.sizes = sizes
        self.repeats = repeats
        self.budget = budget
        self.tx_seconds = tx_seconds  # synthetic tx-mode runs add up to at least this (SPEEDUP_SAMPLE_SECONDS)
        self.timeout = timeout
        self.only = only
        self.log = log
        self.rows: list[Row] = []
        self.block_rows: list[Row] = []  # each mainnet block, behind the totals in `rows`
        self.infos: dict[str, dict[str, Any]] = {}
        self.directory = Path(tempfile.mkdtemp(prefix="pevm-bench-"))

    def __enter__(self) -> Runner:
        return self

    def __exit__(self, *exc: object) -> None:
        """Remove the directory of request files, which a run would otherwise leave in /tmp."""
        shutil.rmtree(self.directory, ignore_errors=True)

    def say(self, text: str) -> None:
        print(text, file=self.log, flush=True)

    def measure(self, engine: Engine, body: dict[str, Any], rows: list[Row]) -> list[dict[str, Any]]:
        """Measure `rows` (one engine, one workload, one row per worker count) in one driver
        process; several worker counts take turns there (`bench_io.interleaved`)."""
        body = dict(body, repeats=self.repeats, budget=self.budget, workers=rows[0].workers)
        if len(rows) > 1:
            body["interleave"] = [row.workers for row in rows]
        path = self.directory / f"{rows[0].workload}-{rows[0].mode}-{engine.name}.json"
        path.write_text(json.dumps(body))
        start = time.perf_counter()
        reply = call_driver(engine, path, self.timeout)[0]
        path.unlink()
        replies = [reply] * len(rows)  # a failed driver replies once, an error for every row
        if "interleaved" in reply:
            shared = {key: value for key, value in reply.items() if key != "interleaved"}
            replies = [dict(shared, **each) for each in reply["interleaved"]]
        for row, each in zip(rows, replies):
            self._record(engine, row, each)
            self.say(f"  {row.workload} {row.mode:<3} {engine.name:<9} x{row.workers}: "
                     f"{row.note or f'{row.seconds:.3f} s'} ({time.perf_counter() - start:.1f} s with setup)")  # fmt: skip
        return replies

    def _record(self, engine: Engine, row: Row, reply: dict[str, Any]) -> None:
        if "error" in reply:
            row.note = f"failed: {reply['error']}"
            row.agrees = False
            return
        row.measured = True
        row.gas, row.seconds = int(reply["gas"]), float(reply["seconds"])
        row.summary = {key: reply.get(key) for key in COMPARED}
        row.path, row.reexecutions = reply.get("path"), reply.get("reexecutions")
        self.infos.setdefault(engine.name, reply.get("info", {}))
        compiled = reply.get("info", {}).get("compiled", False)
        if compiled != (engine.name == "pevm"):  # a label must never lie about the build
            build = "compiled" if compiled else "pure-Python"
            row.note = f"ran the {build} build: interp.loop is {reply.get('info', {}).get('interp')}"
            row.agrees = False

    def measure_ceiling(self, engine: Engine, body: dict[str, Any], rows: list[Row]) -> None:
        """For the compiled engine's rows of one workload with 1 and N workers: run N copies of
        the sequential run, each its own process, in rounds of one copy alone then all together
        (`bench_io.alongside`). N copies' throughput over one copy's is what this machine gives
        this very work with nothing shared; the N-worker speedup cannot pass it."""
        found = {row.workers: row for row in rows if row.engine == engine.name == "pevm" and row.mode == "tx"}
        if 1 not in found or len(found) < 2:
            return
        one, many = found[1], found[max(found)]
        if not (one.measured and many.measured and one.seconds):
            return
        copies = many.workers
        # Alone and together are each a best of rounds that the machine's neighbours also
        # disturb: at least 5 rounds, and for a short block as many as it samples alone.
        sampled = math.ceil(float(body.get("min_seconds", 0.0)) / one.seconds)
        repeats = min(max(self.repeats, CEILING_ROUNDS, sampled), 500)
        meeting = tempfile.mkdtemp(dir=self.directory)
        body = dict(body, repeats=repeats, workers=1, rendezvous={"dir": meeting, "parties": copies})
        path = self.directory / f"{one.workload}-{one.mode}-{engine.name}-ceiling.json"
        path.write_text(json.dumps(body))
        replies = call_driver(engine, path, self.timeout, copies)
        path.unlink()
        shutil.rmtree(meeting)
        if "error" in replies[0]:
            self.say(f"  {one.workload} ceiling: {replies[0]['error']}")
            return
        alone = min(run for reply in replies for run in reply.get("solo_runs", []))
        together = min(max(runs) for runs in zip(*(reply["runs"] for reply in replies)))
        many.ceiling = copies * alone / together
        self.say(f"  {one.workload} ceiling: one copy {alone:.3f} s, {copies} at once {together:.3f} s: "
                 f"{many.ceiling:.2f}x")  # fmt: skip

    def run_synthetic(self) -> None:
        for spec in SPECS:
            if self.only and spec.name not in self.only:
                continue
            for mode in MODES:
                start = time.perf_counter()
                workload = spec.build(self.sizes, mode == "tx")
                body = request(workload, mode)
                if mode == "tx":
                    body["min_seconds"] = self.tx_seconds
                self.say(f"{spec.name} {mode}: {spec.title}, built in {time.perf_counter() - start:.1f} s")
                rows: list[Row] = []
                for engine in self.engines:
                    if mode not in engine.modes:
                        continue
                    mine = [Row(spec.name, mode, engine.name, workers, len(workload.block.transactions),
                                spec.ops(self.sizes), spec.unit)
                            for workers in (engine.workers if mode == "tx" else (1,))]  # fmt: skip
                    if engine.missing:
                        for row in mine:
                            row.note, row.agrees = f"skipped: {engine.missing}", False
                    else:
                        self.measure(engine, body, mine)
                    rows.extend(mine)
                    self.measure_ceiling(engine, body, rows)
                check_agreement(rows)
                self.rows.extend(rows)

    def run_mainnet(self) -> None:
        """Block by block, every engine back to back and its worker counts taking turns in one
        process, so a block's speedup compares runs that saw the same neighbours on a shared
        machine."""
        blocks = mainnet_blocks(self.sizes.blocks)
        if not blocks or (self.only and "mainnet" not in self.only):
            return
        self.say(f"mainnet: {len(blocks)} block(s), tx mode, pevm only")
        totals = {engine.name: (engine, [Row("mainnet", "tx", engine.name, workers) for workers in engine.workers])
                  for engine in self.engines if engine.mainnet and not engine.missing}  # fmt: skip
        void: set[str] = set()  # engines with a block that failed: no more runs for them
        for path in blocks:
            body = {"kind": "block-file", "path": str(path.resolve()), "min_seconds": BLOCK_SAMPLE_SECONDS}
            first = len(self.block_rows)
            for engine, engine_totals in totals.values():
                if engine.name in void:
                    continue
                name = f"block {path.name.split('.')[0]}"
                rows = [Row(name, "tx", engine.name, total.workers) for total in engine_totals]
                replies = self.measure(engine, body, rows)
                self.block_rows.extend(rows)
                for row, reply, total in zip(rows, replies, engine_totals):
                    if not row.measured:
                        total.note, total.agrees = row.note, False
                        void.add(engine.name)
                        continue
                    if reply.get("header_gas") != row.gas:
                        total.note = f"{row.workload}: gas {row.gas} != header {reply.get('header_gas')}"
                        total.agrees = False
                    row.txs = int(reply.get("txs", 0))
                    total.gas += row.gas
                    total.seconds += row.seconds
                    total.txs += row.txs
            # A block the executor's rule ran sequentially has no speedup to bound.
            if any(row.parallel for row in self.block_rows[first:]):
                for engine, _ in totals.values():
                    self.measure_ceiling(engine, body, self.block_rows[first:])
        for _, engine_totals in totals.values():
            for total in engine_totals:
                total.measured = total.agrees
                total.ops = total.txs
                self.rows.append(total)

    def run(self) -> list[Row]:
        self.run_synthetic()
        self.run_mainnet()
        return self.rows


def check_agreement(rows: list[Row]) -> None:
    """Compare every measured row with the first measured pevm row of its workload and mode."""
    reference = next((row for row in rows if row.measured and row.engine.startswith("pevm")), None)
    if reference is None:
        return
    for row in rows:
        if not row.measured or row is reference:
            continue
        differing = [key for key in COMPARED if row.summary.get(key) != reference.summary.get(key)]
        if not differing:
            continue
        row.agrees = False
        if differing == ["gas"] and row.engine == "pyrevm":
            row.note = (f"gas {row.gas:,} != {reference.gas:,}: pyrevm 0.3.7 keeps accounts and slots warm "
                        "across calls (results agree)")  # fmt: skip
        else:
            row.note = "DISAGREES on " + ", ".join(
                f"{key} ({row.summary.get(key)} != {reference.summary.get(key)})" for key in differing
            )


# --- the table --------------------------------------------------------------------------------
def _number(value: float | None) -> str:
    if value is None:
        return "—"
    if value >= 100:
        return f"{value:,.0f}"
    return f"{value:.3g}" if value < 10 else f"{value:.1f}"


def ratio(row: Row, peer: Row | None) -> str:
    """How many times faster `row` ran than `peer` (time ratio; both must agree)."""
    if peer is None or not peer.measured or not row.measured or not row.seconds:
        return "—"
    flag = "" if peer.agrees else "*"
    return f"{peer.seconds / row.seconds:,.1f}x{flag}"


def table(rows: list[Row], peers: list[str]) -> str:
    """A Markdown table: throughput per row, and for pevm rows the ratio to each peer."""
    header = ["workload", "mode", "engine", "workers", "Mgas/s", "tx/s", "µs/op"] + [f"vs {peer}" for peer in peers]
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" if index < 4 else "---:" for index in range(len(header))) + "|"]
    notes: list[str] = []
    for row in rows:
        cells = [row.workload, row.mode, row.engine, str(row.workers)]
        if row.measured and row.agrees or (row.measured and row.engine == "pyrevm" and row.note.startswith("gas")):
            per_op = row.seconds / row.ops * 1e6 if row.ops and row.unit != "tx" else None
            mgas = row.mgas_per_s if row.agrees else None
            cells += [_number(mgas), _number(row.tx_per_s), _number(per_op)]
        else:
            cells += ["—", "—", "—"]
        for peer in peers:
            match = next((other for other in rows if other.engine == peer and other.workload == row.workload
                          and other.mode == row.mode), None)  # fmt: skip
            cells.append(ratio(row, match) if row.engine.startswith("pevm") and row.agrees else "")
        if row.note:
            notes.append(f"- {row.workload} {row.mode} {row.engine} x{row.workers}: {row.note}")
            cells[2] += " (!)"
        lines.append("| " + " | ".join(cells) + " |")
    if notes:
        lines += ["", "(!) notes:"] + notes
    if any("*" in line for line in lines[2:]):
        lines.append("`*`: the peer's gas differs (see its note); the ratio compares time for the same calls.")
    return "\n".join(lines)
