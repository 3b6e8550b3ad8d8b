"""Results of `pevm analyze`: one record per block, the table, the JSON and the chart.

Speedups are against the sequential executor. Predicted ones divide the profiled sequential
time by the simulated Block-STM time; measured ones divide the measured sequential time by the
measured Block-STM time (best of the repeats). The error is |predicted - measured| / measured.
"""

from __future__ import annotations

import csv
import importlib
import importlib.util
import json
from pathlib import Path
from typing import Any, TextIO

from pevm.errors import UserError


class BlockAnalysis:
    def __init__(self, name: str, txs: int, gas: int, edges: int, critical_share: float, ideal: float) -> None:
        self.name = name
        self.txs = txs
        self.gas = gas
        self.edges = edges
        self.critical_share = critical_share  # critical path / total transaction cost
        self.ideal = ideal
        self.falls_back = False  # parallel.executor would run it sequentially
        self.sequential_seconds = 0.0
        self.predicted: dict[int, float] = {}  # workers -> speedup
        self.predicted_seconds: dict[int, float] = {}
        self.reexecutions: dict[int, int] = {}  # workers -> simulated executions beyond one per tx
        self.measured_sequential_seconds: float | None = None
        self.measured: dict[int, float] = {}
        self.measured_seconds: dict[int, float] = {}
        self.published: float | None = None  # RISE pevm's speedup for this block
        self.worker_slowdown = 1.0  # the fitted side-by-side slowdown used for this block
        self.costs: dict[str, float] = {}  # where the time goes (seconds), from the profile
        self.contention: dict[int, float] = {}  # threads -> measured side-by-side slowdown

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
            "sequential_seconds": round(self.sequential_seconds, 6),
            "predicted_seconds": {str(n): round(value, 6) for n, value in self.predicted_seconds.items()},
            "measured_seconds": {str(n): round(value, 6) for n, value in self.measured_seconds.items()}
            | ({"sequential": round(self.measured_sequential_seconds, 6)} if self.measured_sequential_seconds else {}),
            "simulated_reexecutions": {str(n): value for n, value in self.reexecutions.items()},
            "executor_runs_sequentially": self.falls_back,
            "published_speedup": self.published,
            "profile_seconds": {name: round(value, 6) for name, value in self.costs.items()},
            "replay_contention": {str(n): round(value, 3) for n, value in self.contention.items()},
            "fitted_worker_slowdown": round(self.worker_slowdown, 3),
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
        head += f"{'RISE':>6}{'x':>6}"
        print("speedup vs sequential: p<N> predicted with N workers, m<N> measured here (Block-STM forced);", file=out)
        print("cp% = critical path share of the transactions' cost; RISE = pevm's published speedup", file=out)
        print(head, file=out)
        print("-" * len(head), file=out, flush=True)

    def row(self, analysis: BlockAnalysis) -> None:
        name = analysis.name + ("*" if analysis.falls_back else "")
        line = (f"{name:<16}{analysis.txs:>6}{analysis.gas / 1e6:>7.1f}{analysis.edges:>7}"
                f"{analysis.critical_share * 100:>6.1f}{analysis.ideal:>7.2f} |")  # fmt: skip
        line += "".join(f"{analysis.predicted[n]:>7.2f}" for n in self.workers) + " |"
        for n in self.measured:
            error = analysis.error(n)
            line += f"{analysis.measured[n]:>7.2f}{error:>6.1f}" if error is not None else f"{'-':>7}{'-':>6}"
        if self.measured:
            line += " |"
        line += f"{analysis.published:>6.2f}" if analysis.published is not None else f"{'-':>6}"
        line += f"{analysis.worker_slowdown:>6.2f}"
        print(line, file=self.out, flush=True)

    def summary(self, analyses: list[BlockAnalysis]) -> None:
        out = self.out
        if any(a.falls_back for a in analyses):
            print("* parallel.executor runs this block sequentially (too few transactions or too little gas)", file=out)
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


def check_plot_support() -> None:
    """--plot needs matplotlib; say so before hours of work rather than after."""
    if importlib.util.find_spec("matplotlib") is None:
        raise UserError(
            "--plot needs matplotlib, which is not importable here (it has no free-threaded 3.13 "
            "build); write --json OUT and plot the 'predicted' figures elsewhere"
        )


def plot(path: Path, analyses: list[BlockAnalysis], workers: list[int]) -> None:
    """Predicted speedup against workers, one line per block (log2 axis)."""
    importlib.import_module("matplotlib").use("Agg")
    pyplot: Any = importlib.import_module("matplotlib.pyplot")

    figure, axes = pyplot.subplots(figsize=(9, 6))
    for analysis in analyses:
        axes.plot(workers, [analysis.predicted[n] for n in workers], marker=".", linewidth=1, label=analysis.name)
    axes.plot(workers, workers, linestyle=":", color="grey", label="linear")
    axes.set_xscale("log", base=2)
    axes.set_xticks(workers, [str(n) for n in workers])
    axes.set_xlabel("workers")
    axes.set_ylabel("predicted speedup vs sequential")
    axes.set_title("pevm analyze: predicted Block-STM speedup")
    if len(analyses) <= 20:
        axes.legend(fontsize="small")
    figure.savefig(path, dpi=120, bbox_inches="tight")
    pyplot.close(figure)
