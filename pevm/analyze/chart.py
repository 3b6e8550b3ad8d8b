"""The `pevm analyze --plot OUT.png|OUT.pdf` chart, drawn with matplotlib: the one drawing function.

matplotlib does not install on free-threaded 3.13. Where it imports, report.py calls `draw`
in-process; elsewhere it runs this file by path under the GIL Python of `make peers-plot`
(`.venv-peers/plot`), the chart as JSON on stdin ({"path", "workers", "series"}). So this file
imports nothing from pevm.
"""

from __future__ import annotations

import importlib
import json
import sys
from typing import Any


def draw(path: str, workers: list[int], series: list[tuple[str, list[float]]]) -> None:
    """Predicted speedup against workers, one line per block (log2 axis), saved to `path`."""
    importlib.import_module("matplotlib").use("Agg")  # no display: write the file only
    pyplot: Any = importlib.import_module("matplotlib.pyplot")

    figure, axes = pyplot.subplots(figsize=(9, 6))
    for name, values in series:
        axes.plot(workers, values, marker=".", linewidth=1, label=name)
    axes.plot(workers, workers, linestyle=":", color="grey", label="linear")
    axes.set_xscale("log", base=2)
    axes.set_xticks(workers, [str(n) for n in workers])
    axes.set_xlabel("workers")
    axes.set_ylabel("predicted speedup vs sequential")
    axes.set_title("pevm analyze: predicted Block-STM speedup")
    if len(series) <= 20:  # beyond that the legend hides the lines
        axes.legend(fontsize="small")
    figure.savefig(path, dpi=120, bbox_inches="tight")
    pyplot.close(figure)


def main() -> None:
    request = json.load(sys.stdin)
    draw(request["path"], request["workers"], [(name, values) for name, values in request["series"]])


if __name__ == "__main__":
    main()
