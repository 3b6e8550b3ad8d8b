"""The parallel-speedup summary of `pevm bench`."""

from __future__ import annotations

from pevm.bench.runner import Row
from pevm.bench.speedup import block_lines, speedup_lines


def row(workload: str, workers: int, seconds: float, engine: str = "pevm", mode: str = "tx") -> Row:
    return Row(workload, mode, engine, workers, seconds=seconds, measured=True)


def test_speedups_per_workload_and_mainnet_summary() -> None:
    rows = [row("W4", 1, 3.0), row("W4", 2, 2.0), row("W4", 1, 1.0, mode="msg"), row("W5", 1, 1.0),
            row("W5", 1, 9.0, engine="py-evm"), row("mainnet", 1, 5.0), row("mainnet", 2, 4.0)]  # fmt: skip
    blocks = [row("block 1", 1, 1.0), row("block 1", 2, 0.5), row("block 2", 1, 1.0), row("block 2", 2, 1.25),
              row("block 3", 1, 1.0), row("block 3", 2, 0.8)]  # fmt: skip
    blocks[1].path, blocks[3].path = "Block-STM", "transfer groups"
    blocks[5].path = "sequential"  # the executor's rule ran it sequentially
    rows[1].ceiling, blocks[1].ceiling, blocks[3].ceiling = 1.6, 1.7, 1.5
    lines = speedup_lines(rows, blocks, 2, 1.45)
    assert lines[1:] == [
        "  W4: 1.50x (ceiling 1.60x, 94% of it)",  # W5 has no 2-worker row, mainnet is summarised per block
        "  mainnet: 3 blocks, average 1.35x, lowest 0.80x (block 2), 2 at or above 1.0x",
        "  mainnet in parallel: 2 blocks (1 as transfer groups), average 1.40x, lowest 0.80x; their ceilings average 1.60x",
        "  machine ceiling: 2 independent processes run 1.45x one process's throughput",
    ]


def test_per_block_lines_show_speedup_and_reexecutions() -> None:
    blocks = [row("block 1", 1, 0.004), row("block 1", 2, 0.002), row("block 2", 1, 0.001), row("block 2", 2, 0.001),
              row("block 3", 1, 0.003), row("block 3", 2, 0.002)]  # fmt: skip
    blocks[0].txs = blocks[2].txs = blocks[4].txs = 7
    blocks[1].path, blocks[1].reexecutions, blocks[1].ceiling = "Block-STM", 3, 1.75
    blocks[3].path, blocks[3].reexecutions = "sequential", 0
    blocks[5].path, blocks[5].reexecutions = "transfer groups", 0
    lines = block_lines(blocks, 2)
    assert lines[0].split() == ["block", "txs", "1", "worker", "2", "workers", "speedup", "re-exec", "ceiling"]
    assert lines[1].split() == ["block", "1", "7", "4.00ms", "2.00ms", "2.00x", "3", "1.75x"]
    assert lines[2].split() == ["block", "2", "7", "1.00ms", "1.00ms", "1.00x", "seq"]  # the executor's rule
    assert lines[3].split() == ["block", "3", "7", "3.00ms", "2.00ms", "1.50x", "groups"]
