"""Results of `pevm analyze`: one record per block, the table, the JSON and the chart.

Speedups are against the sequential executor: both the predicted and the measured ones divide
one baseline, the fastest sequential run of the block seen by the profile or the measured runs,
by the simulated or the measured (best of the repeats) Block-STM time. The error is
|predicted - measured| / measured.
"""

from __future__ import annotations

import csv
import importlib.util
import json
import subprocess
from pathlib import Path
from typing import Any, Final, TextIO

from parallel.paths import BLOCK_STM, LOOKAHEAD, SEQUENTIAL, TRANSFER_GROUPS
from pevm.analyze.chart import draw
from pevm.analyze.svgchart import write_svg
from pevm.errors import UserError
from pevm.peers import peer_pythons

# Seconds in the JSON to the nanosecond: a synthetic block of a few transactions runs in 10-50
# us, where microseconds kept two digits and speedups read back from them were off by up to ~3%.
SECONDS_DIGITS: Final = 9


class BlockAnalysis:
    def __init__(self, name: str, txs: int, gas: int, edges: int, critical_share: float, ideal: float) -> None:
        self.name = name
        self.txs = txs
        self.gas = gas
        self.edges = edges
        self.critical_share = critical_share  # critical path / total transaction cost
        self.ideal = ideal
        self.path = BLOCK_STM  # how parallel.executor would run it with the most workers asked for
        self.sequential_seconds = 0.0  # the baseline every speedup divides (commands.analyze)
        self.predicted: dict[int, float] = {}  # workers -> speedup
        self.predicted_seconds: dict[int, float] = {}
        self.reexecutions: dict[int, int] = {}  # workers -> simulated executions beyond one per tx
        self.measured_sequential_seconds: float | None = None
        self.measured: dict[int, float] = {}
        self.measured_seconds: dict[int, float] = {}
        self.published: float | None = None  # RISE pevm's speedup for this block
        self.costs: dict[str, float] = {}  # where the time goes (seconds), from the profile
        self.contention: dict[int, float] = {}  # threads -> measured side-by-side slowdown

    @property
    def falls_back(self) -> bool:
        """parallel.executor would run the block sequentially."""
        return self.path == SEQUENTIAL

    def executor_speedup(self, workers: int) -> float:
        """The predicted speedup of parallel.executor, which runs small blocks sequentially."""
        return 1.0 if self.falls_back or workers == 1 else self.predicted[workers]

    def error(self, workers: int) -> float | None:
        """Relative error of the predicted speedup, in percent."""
        if workers not in self.measured or workers not in self.predicted:
            return None
        return abs(self.predicted[workers] - self.measured[workers]) / self.measured[workers] * 100

    def as_json(self) -> dict[str, Any]:
        return {
            "block": self.name,
            "txs": self.txs,
            "gas": self.gas,
            "dag_edges": self.edges,
            "critical_path_share": round(self.critical_share, 4),
            "ideal_speedup": round(self.ideal, 3),
            "predicted": {str(n): round(value, 3) for n, value in self.predicted.items()},
            "measured": {str(n): round(value, 3) for n, value in self.measured.items()},
            "error_percent": {str(n): round(e, 1) for n in self.measured if (e := self.error(n)) is not None},
            "sequential_seconds": round(self.sequential_seconds, SECONDS_DIGITS),
            "predicted_seconds": {str(n): round(value, SECONDS_DIGITS) for n, value in self.predicted_seconds.items()},
            "measured_seconds": {str(n): round(value, SECONDS_DIGITS) for n, value in self.measured_seconds.items()}
            | ({"sequential": round(self.measured_sequential_seconds, SECONDS_DIGITS)}
               if self.measured_sequential_seconds else {}),
            "simulated_reexecutions": {str(n): value for n, value in self.reexecutions.items()},
            "executor_runs_sequentially": self.falls_back,
            "executor_path": self.path,
            "published_speedup": self.published,
            "profile_seconds": {name: round(value, SECONDS_DIGITS) for name, value in self.costs.items()},
            "replay_contention": {str(n): round(value, 3) for n, value in self.contention.items()},
        }


def load_published(path: Path) -> dict[str, float]:
    """RISE pevm's published speedups by block number ({} when the file is absent)."""
    if not path.is_file():
        return {}
    with path.open() as handle:
        return {row["block"]: float(row["speedup"]) for row in csv.DictReader(handle, delimiter="\t")}


class Table:
    """Prints one row per block as it finishes, then a summary."""

    def __init__(self, workers: list[int], measured: list[int], out: TextIO) -> None:
        self.workers = workers
        self.measured = measured
        self.out = out
        head = f"{'block':<16}{'txs':>6}{'Mgas':>7}{'edges':>7}{'cp%':>6}{'ideal':>7} |"
        head += "".join(f"{'p' + str(n):>7}" for n in workers) + " |"
        if measured:
            head += "".join(f"{'m' + str(n):>7}{'err%':>6}" for n in measured) + " |"
        head += f"{'RISE':>6}"
        print("speedup vs sequential: p<N> predicted with N workers, m<N> measured here (Block-STM forced);", file=out)
        print("cp% = critical path share of the transactions' cost; RISE = pevm's published speedup", file=out)
        print(head, file=out)
        print("-" * len(head), file=out, flush=True)

    def row(self, analysis: BlockAnalysis) -> None:
        name = analysis.name + {SEQUENTIAL: "*", TRANSFER_GROUPS: "+", LOOKAHEAD: "^"}.get(analysis.path, "")
        line = (f"{name:<16}{analysis.txs:>6}{analysis.gas / 1e6:>7.1f}{analysis.edges:>7}"
                f"{analysis.critical_share * 100:>6.1f}{analysis.ideal:>7.2f} |")  # fmt: skip
        line += "".join(f"{analysis.predicted[n]:>7.2f}" for n in self.workers) + " |"
        for n in self.measured:
            error = analysis.error(n)
            line += f"{analysis.measured[n]:>7.2f}{error:>6.1f}" if error is not None else f"{'-':>7}{'-':>6}"
        if self.measured:
            line += " |"
        line += f"{analysis.published:>6.2f}" if analysis.published is not None else f"{'-':>6}"
        print(line, file=self.out, flush=True)

    def summary(self, analyses: list[BlockAnalysis]) -> None:
        out = self.out
        if any(a.falls_back for a in analyses):
            print(f"* parallel.execute_block runs this block sequentially with {max(self.workers)} workers "
                  "(its rule: too few transactions or too little gas, or a nonce chain)", file=out)  # fmt: skip
        if any(a.path == TRANSFER_GROUPS for a in analyses):
            print(f"+ parallel.execute_block runs this block as transfer groups with {max(self.workers)} workers "
                  "(mostly plain transfers); the predicted and measured columns are Block-STM's", file=out)  # fmt: skip
        if any(a.path == LOOKAHEAD for a in analyses):
            print(f"^ parallel.execute_block runs this block with lookahead first with {max(self.workers)} workers; "
                  "the predicted and measured columns are Block-STM's", file=out)  # fmt: skip
        for n in self.measured:
            errors = [e for a in analyses if (e := a.error(n)) is not None]
            if errors:
                within = sum(1 for e in errors if e <= 15.0)
                print(f"simulator error at {n} worker(s): mean {sum(errors) / len(errors):.1f}%, "
                      f"max {max(errors):.1f}%, {within}/{len(errors)} blocks within 15%", file=out)  # fmt: skip
        published = [a for a in analyses if a.published is not None]
        if published:
            shown = [n for n in (8, 16, 32) if n in self.workers] or self.workers[-1:]
            print(f"vs RISE pevm's published speedups ({len(published)} blocks; ours as the executor runs them,"
                  " 1.00 where it runs a block sequentially):", file=out)  # fmt: skip
            for n in shown:
                ours = sum(a.executor_speedup(n) for a in published) / len(published)
                theirs = sum(a.published or 0.0 for a in published) / len(published)
                print(f"  mean predicted at {n} workers {ours:.2f}x, RISE mean {theirs:.2f}x", file=out)
        print(file=out, flush=True)


def write_json(path: Path, analyses: list[BlockAnalysis]) -> None:
    path.write_text(json.dumps([a.as_json() for a in analyses], indent=2) + "\n")


PLOT_SUFFIXES: Final = (".svg", ".png", ".pdf")
CHART_SCRIPT: Final = Path(__file__).resolve().with_name("chart.py")
PLOT_PEER: Final = Path(".venv-peers/plot/bin/python")  # made by `make peers-plot`
HAS_MATPLOTLIB: Final = "import importlib.util, sys; sys.exit(importlib.util.find_spec('matplotlib') is None)"


def matplotlib_in_process() -> bool:
    """True on GIL builds with matplotlib; never on free-threaded 3.13, where it does not install."""
    return importlib.util.find_spec("matplotlib") is not None


def peer_python() -> Path | None:
    """The GIL Python of `make peers-plot` (under the working directory or the source tree) if it has matplotlib."""
    for python in peer_pythons("plot"):
        probe = subprocess.run([str(python), "-I", "-c", HAS_MATPLOTLIB], capture_output=True, check=False)
        if probe.returncode == 0:
            return python
    return None


def check_plot_support(path: Path) -> Path | None:
    """The Python that draws the --plot chart: None for this one (SVG, or matplotlib imports),
    else the peer's. A UserError says what is missing before hours of analysis rather than after."""
    suffix = path.suffix.lower()
    if suffix not in PLOT_SUFFIXES:
        raise UserError(f"--plot {path}: unknown chart format {suffix or '(no extension)'!r}; use .svg, .png or .pdf")
    if suffix == ".svg" or matplotlib_in_process():
        return None
    python = peer_python()
    if python is None:
        raise UserError(
            f"--plot {path}: {suffix} needs matplotlib, which does not install on free-threaded 3.13; run "
            f"`make peers-plot` (a GIL Python with matplotlib in {PLOT_PEER.parents[1]}) or write --plot OUT.svg, "
            "which needs nothing"
        )
    return python


def draw_in_peer(python: Path, path: Path, workers: list[int], series: list[tuple[str, list[float]]]) -> None:
    """Run chart.py by path under `python`, a GIL Python with matplotlib, the chart as JSON on stdin."""
    request = json.dumps({"path": str(path.resolve()), "workers": workers, "series": series})
    # -I keeps pevm/analyze (whose profile.py shadows the standard library's) off sys.path and
    # ignores PYTHON_GIL and PYTHONPATH, which are meant for pevm's free-threaded interpreter.
    command = [str(python), "-I", str(CHART_SCRIPT)]
    done = subprocess.run(command, input=request, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        lines = done.stderr.strip().splitlines() or [f"exit status {done.returncode}"]
        raise UserError(f"--plot {path}: {python} could not draw the chart: {lines[-1]}")


def plot(path: Path, analyses: list[BlockAnalysis], workers: list[int]) -> None:
    """Predicted speedup against workers, one line per block: SVG, or matplotlib here or in the peer."""
    series = [(analysis.name, [analysis.predicted[n] for n in workers]) for analysis in analyses]
    python = check_plot_support(path)
    if python is not None:
        draw_in_peer(python, path, workers, series)
    elif path.suffix.lower() == ".svg":
        write_svg(path, workers, series)
    else:
        draw(str(path), workers, series)
