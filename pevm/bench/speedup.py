"""Parallel speedups from one bench run, next to what this machine allows at all.

A speedup is the 1-worker (sequential path) time over the N-worker time of the same workload
in the same run. The ceiling is how much N copies of a CPU-bound loop, each in its own
process, gain over one copy: no shared interpreter, no locks, no shared objects. On a
shared or SMT virtual machine it is well below N, and no executor can beat it.
"""

from __future__ import annotations

import subprocess
import sys
import time

from pevm.bench.runner import Row

# A CPU-bound loop over local ints: the same work in every process, nothing shared.
SPIN = "x = 0\nfor i in range(4_000_000):\n    x = (x * 31 + i) & 0xFFFFFFFF\n"


def _spin_seconds(copies: int) -> float:
    """Wall time for `copies` processes each running SPIN at once."""
    start = time.perf_counter()
    running = [subprocess.Popen([sys.executable, "-c", SPIN]) for _ in range(copies)]
    for process in running:
        process.wait()
    return time.perf_counter() - start


def machine_ceiling(workers: int, rounds: int = 3) -> float:
    """Throughput of `workers` independent processes over one (best of `rounds`)."""
    one = min(_spin_seconds(1) for _ in range(rounds))
    many = min(_spin_seconds(workers) for _ in range(rounds))
    return workers * one / many


def speedup_lines(rows: list[Row], block_rows: list[Row], workers: int, ceiling: float | None) -> list[str]:
    """One line per workload with both a 1-worker and a `workers` row, and the mainnet summary."""
    def pair(candidates: list[Row], workload: str) -> tuple[Row, Row] | None:
        found = {row.workers: row for row in candidates
                 if row.workload == workload and row.engine == "pevm" and row.mode == "tx" and row.measured}  # fmt: skip
        return (found[1], found[workers]) if 1 in found and workers in found and found[workers].seconds else None

    lines = [f"parallel speedup, pevm tx mode, {workers} workers over the sequential path (same run):"]
    for workload in dict.fromkeys(row.workload for row in rows):
        found = pair(rows, workload)
        if found is not None and workload != "mainnet":
            lines.append(f"  {workload}: {found[0].seconds / found[1].seconds:.2f}x")
    blocks = [found for workload in dict.fromkeys(row.workload for row in block_rows)
              if (found := pair(block_rows, workload)) is not None]  # fmt: skip
    if blocks:
        ratios = [one.seconds / many.seconds for one, many in blocks]
        slowest = min(range(len(ratios)), key=ratios.__getitem__)
        lines.append(f"  mainnet: {len(ratios)} blocks, average {sum(ratios) / len(ratios):.2f}x, "
                     f"lowest {ratios[slowest]:.2f}x ({blocks[slowest][0].workload}), "
                     f"{sum(ratio >= 1.0 for ratio in ratios)} at or above 1.0x")  # fmt: skip
    if ceiling is not None:
        lines.append(f"  machine ceiling: {workers} independent processes run {ceiling:.2f}x one process's throughput")
    return lines
