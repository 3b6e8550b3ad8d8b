"""The parallel-speedup summary of `pevm bench`."""

from __future__ import annotations

from pevm.bench.runner import Row
from pevm.bench.speedup import speedup_lines


def row(workload: str, workers: int, seconds: float, engine: str = "pevm", mode: str = "tx") -> Row:
    return Row(workload, mode, engine, workers, seconds=seconds, measured=True)


def test_speedups_per_workload_and_mainnet_summary() -> None:
    rows = [row("W4", 1, 3.0), row("W4", 2, 2.0), row("W4", 1, 1.0, mode="msg"), row("W5", 1, 1.0),
            row("W5", 1, 9.0, engine="py-evm"), row("mainnet", 1, 5.0), row("mainnet", 2, 4.0)]  # fmt: skip
    blocks = [row("block 1", 1, 1.0), row("block 1", 2, 0.5), row("block 2", 1, 1.0), row("block 2", 2, 1.25)]
    lines = speedup_lines(rows, blocks, 2, 1.45)
    assert lines[1:] == [
        "  W4: 1.50x",  # W5 has no 2-worker row, mainnet is summarised per block
        "  mainnet: 2 blocks, average 1.40x, lowest 0.80x (block 2), 1 at or above 1.0x",
        "  machine ceiling: 2 independent processes run 1.45x one process's throughput",
    ]
