"""The Block-STM simulation: deterministic, exact with one worker, conflicts cost re-executions."""

from __future__ import annotations

import pytest

from interp.locations import storage_loc
from pevm.analyze.dag import build_dag
from pevm.analyze.profile import BlockProfile, TxProfile
from pevm.analyze.simulate import Overheads, calibrate, receipts_seconds, simulate

LOCK, START, THREAD, WAKE, JOIN = 1e-6, 300e-6, 50e-6, 5e-6, 20e-6


def profile(writes: list[dict[int, object]], reads: list[list[int]], contention: float = 1.0) -> BlockProfile:
    txs = []
    for index, (tx_writes, tx_reads) in enumerate(zip(writes, reads)):
        tx = TxProfile(21_000, 0x100 + index, dict.fromkeys(tx_reads, 0), tx_writes)
        tx.seconds = tx.exec_seconds = 100e-6 * (1 + index % 3)
        tx.record_seconds = 5e-6
        tx.validate_seconds = 3e-6
        tx.apply_seconds = 2e-6
        txs.append(tx)
    block = BlockProfile("test", txs)
    block.pre_seconds = 10e-6
    block.memory_seconds = 10e-6
    block.tail_seconds = 60e-6
    block.receipts_seconds = 30e-6
    block.sequential_seconds = 40e-6 + sum(tx.seconds + tx.apply_seconds for tx in txs)
    block.contention = {2: contention}
    return block


def independent(size: int) -> BlockProfile:
    return profile([{storage_loc(1, index): 1} for index in range(size)], [[] for _ in range(size)])


def chain(size: int) -> BlockProfile:
    slot = storage_loc(1, 0)
    return profile([{slot: index + 1} for index in range(size)], [[slot] for _ in range(size)])


OVERHEADS = Overheads(LOCK, START, THREAD, WAKE, JOIN)


@pytest.mark.pure
@pytest.mark.parametrize("build", [independent, chain])
def test_one_worker_is_the_sum_of_costs_and_overheads(build: object) -> None:
    block = build(12)  # type: ignore[operator]
    result = simulate(build_dag(block.txs), block, OVERHEADS, 1)
    work = sum(tx.exec_seconds + tx.record_seconds + tx.validate_seconds for tx in block.txs)
    around = block.pre_seconds + block.memory_seconds + block.tail_seconds + block.receipts_seconds
    # one next_task, then each finishing call hands out the next task under the same lock
    assert result.seconds == pytest.approx(around + START + work + (2 * len(block.txs) + 1) * LOCK + JOIN)
    assert result.executions == len(block.txs) and result.aborts == 0


@pytest.mark.pure
def test_simulation_is_deterministic() -> None:
    block = chain(30)
    dag = build_dag(block.txs)
    runs = [simulate(dag, block, OVERHEADS, workers) for workers in (4, 4, 8, 8)]
    assert runs[0].seconds == runs[1].seconds and runs[0].executions == runs[1].executions
    assert runs[2].seconds == runs[3].seconds and runs[2].aborts == runs[3].aborts


@pytest.mark.pure
def test_independent_transactions_scale_and_a_chain_does_not() -> None:
    free = independent(64)
    dag = build_dag(free.txs)
    one, four = simulate(dag, free, OVERHEADS, 1).makespan, simulate(dag, free, OVERHEADS, 4).makespan
    assert 3.0 < one / four <= 4.0
    serial = chain(64)
    dag = build_dag(serial.txs)
    result = simulate(dag, serial, OVERHEADS, 4)
    assert result.executions > 64  # conflicts cost re-executions
    assert simulate(dag, serial, OVERHEADS, 1).makespan / result.makespan < 1.2


@pytest.mark.pure
def test_contention_slows_every_worker() -> None:
    dag = build_dag(independent(32).txs)
    fast = simulate(dag, independent(32), OVERHEADS, 2).makespan
    slow = simulate(dag, profile([{storage_loc(1, i): 1} for i in range(32)], [[] for _ in range(32)], 1.5), OVERHEADS, 2)
    assert slow.makespan > 1.4 * fast - 2 * THREAD


@pytest.mark.pure
def test_calibration_measures_positive_costs() -> None:
    overheads = calibrate()
    assert 0 < overheads.lock_seconds < 1e-3
    assert 0 < overheads.start_seconds < 0.1 and 0 <= overheads.thread_seconds < 0.1
    assert 0 <= overheads.join_seconds < 0.1
    assert 0 <= overheads.wake_seconds < 0.1


@pytest.mark.pure
def test_every_conflict_workload_finishes() -> None:
    from pevm import workloads
    from pevm.analyze.profile import profile_block
    from pevm.analyze.targets import WORKLOADS

    for name in sorted(workloads.CONFLICT_WORKLOADS):
        block = profile_block(WORKLOADS[name](12), 1, ())
        dag = build_dag(block.txs)
        for workers in (1, 2, 3, 8):
            result = simulate(dag, block, OVERHEADS, workers)
            assert result.executions >= len(block.txs), name


@pytest.mark.pure
def test_receipts_are_spread_like_the_executor_spreads_them() -> None:
    """interp.block.MIN_RECEIPTS_PER_PART (64) receipts or more per part."""
    small, large = independent(100), independent(300)
    assert receipts_seconds(small, OVERHEADS, 4) == small.receipts_seconds
    assert receipts_seconds(large, OVERHEADS, 1) == large.receipts_seconds
    assert receipts_seconds(large, OVERHEADS, 2) == pytest.approx(large.receipts_seconds / 2 + THREAD)
    assert receipts_seconds(large, OVERHEADS, 8) == pytest.approx(large.receipts_seconds / 4 + 3 * THREAD)
    small.txs[0].logs = 1000  # one receipt of many logs: split by logs (MIN_LOGS_PER_PART, 64)
    assert receipts_seconds(small, OVERHEADS, 2) == pytest.approx(small.receipts_seconds / 2 + THREAD)
