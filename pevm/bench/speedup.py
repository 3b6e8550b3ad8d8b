"""Parallel speedups from one bench run, next to what this machine allows at all.

A speedup is the 1-worker (sequential path) time over the N-worker time of the same workload
in the same run, both the best of as many runs taken in turns in one process (a best of more
runs is lower on a noisy machine, so unequal counts would bias the ratio). Two ceilings bound
it. The machine's: how much N copies of a CPU-bound loop, each in its own process, gain over
one copy (no shared interpreter, locks or objects). The workload's (`Row.ceiling`): the same
for N copies of the workload's own sequential run, which also pays for what the copies contend
for besides the cores (caches, memory bandwidth). On a shared or SMT virtual machine both are
well below N, and no executor can beat them.
"""

from __future__ import annotations

import subprocess
import sys
import time

from parallel.paths import SEQUENTIAL, TRANSFER_GROUPS
from pevm.bench.runner import Row

# A CPU-bound loop over local ints: the same work in every process, nothing shared.
SPIN = "x = 0\nfor i in range(4_000_000):\n    x = (x * 31 + i) & 0xFFFFFFFF\n"


def _with_ceiling(speedup: float, ceiling: float | None) -> str:
    if ceiling is None:
        return f"{speedup:.2f}x"
    return f"{speedup:.2f}x (ceiling {ceiling:.2f}x, {speedup / ceiling:.0%} of it)"


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


def pair(candidates: list[Row], workload: str, workers: int) -> tuple[Row, Row] | None:
    """The compiled pevm tx-mode rows of `workload` with 1 and with `workers` workers."""
    found = {row.workers: row for row in candidates
             if row.workload == workload and row.engine == "pevm" and row.mode == "tx" and row.measured}  # fmt: skip
    return (found[1], found[workers]) if 1 in found and workers in found and found[workers].seconds else None


def block_lines(block_rows: list[Row], workers: int) -> list[str]:
    """One line per mainnet block: times, speedup and Block-STM re-executions; `seq` where the
    executor's rule ran the block sequentially (its speedup is then only sender recovery's),
    `groups` where it ran it as transfer groups (no re-executions there)."""
    lines = [f"{'block':<16}{'txs':>6}{'1 worker':>11}{f'{workers} workers':>12}{'speedup':>9}{'re-exec':>9}"
             f"{'ceiling':>9}"]  # fmt: skip
    for workload in dict.fromkeys(row.workload for row in block_rows):
        found = pair(block_rows, workload, workers)
        if found is None:
            continue
        one, many = found
        reexecutions = {SEQUENTIAL: "seq", TRANSFER_GROUPS: "groups"}.get(many.path or "", f"{many.reexecutions}")
        ceiling = "" if many.ceiling is None else f"{many.ceiling:>8.2f}x"
        lines.append(f"{workload:<16}{one.txs:>6}{one.seconds * 1e3:>9.2f}ms{many.seconds * 1e3:>10.2f}ms"
                     f"{one.seconds / many.seconds:>8.2f}x{reexecutions:>9}{ceiling}")  # fmt: skip
    return lines


def speedup_lines(rows: list[Row], block_rows: list[Row], workers: int, ceiling: float | None) -> list[str]:
    """One line per workload with both a 1-worker and a `workers` row, and the mainnet summary."""
    lines = [f"parallel speedup, pevm tx mode, {workers} workers over the sequential path (same run):"]
    for workload in dict.fromkeys(row.workload for row in rows):
        found = pair(rows, workload, workers)
        if found is not None and workload != "mainnet":
            lines.append(f"  {workload}: {_with_ceiling(found[0].seconds / found[1].seconds, found[1].ceiling)}")
    blocks = [found for workload in dict.fromkeys(row.workload for row in block_rows)
              if (found := pair(block_rows, workload, workers)) is not None]  # fmt: skip
    if blocks:
        ratios = [one.seconds / many.seconds for one, many in blocks]
        slowest = min(range(len(ratios)), key=ratios.__getitem__)
        lines.append(f"  mainnet: {len(ratios)} blocks, average {sum(ratios) / len(ratios):.2f}x, "
                     f"lowest {ratios[slowest]:.2f}x ({blocks[slowest][0].workload}), "
                     f"{sum(ratio >= 1.0 for ratio in ratios)} at or above 1.0x")  # fmt: skip
        # The target is for blocks with parallelism: those the executor's rule ran on
        # several threads (the others run the sequential path with both worker counts).
        through = [(one.seconds / many.seconds, many.ceiling) for one, many in blocks if many.parallel]
        if through:
            speedups = [speedup for speedup, _ in through]
            average = sum(speedups) / len(speedups)
            groups = sum(1 for _, many in blocks if many.path == TRANSFER_GROUPS)
            line = (f"  mainnet in parallel: {len(through)} blocks ({groups} as transfer groups), average {average:.2f}x, "
                    f"lowest {min(speedups):.2f}x")  # fmt: skip
            ceilings = [ceiling for _, ceiling in through if ceiling is not None]
            if len(ceilings) == len(through):
                line += f"; their ceilings average {sum(ceilings) / len(ceilings):.2f}x"
            lines.append(line)
    if ceiling is not None:
        lines.append(f"  machine ceiling: {workers} independent processes run {ceiling:.2f}x one process's throughput")
    return lines
