"""Fitting the one figure the block's own replay cannot show: how the executor's workers slow
each other down.

The profile times a block's executions alone and side by side over one shared MvMemory, but
the executor's workers also share the scheduler, its lock and every object they pass around,
and on some machines (free-threaded CPython, few cores, a hypervisor) that costs more than the
replay shows. So one synthetic, conflict-free calibration block (ERC-20 transfers, or plain
transfers without shared data) is profiled and run for real with 2 workers, and the factor that
makes the simulation reproduce that run is applied to a block with more than one worker (the
command refits before each block, as the cores a second worker gets change on a shared
machine). The blocks then test the model: only the calibration block matches by construction.
"""

from __future__ import annotations

from typing import Final

from pevm import workloads
from pevm.analyze.dag import build_dag
from pevm.analyze.measure import observe
from pevm.analyze.simulate import Overheads, simulate
from pevm.analyze.targets import Target, shared_dir

CALIBRATION_TXS: Final = 300
FIT_WORKERS: Final = 2
MAX_SLOWDOWN: Final = 4.0


def calibration_target() -> Target:
    contracts = shared_dir() / "contracts"
    if (contracts / "erc20" / "ERC20Token.hex").is_file():
        workload = workloads.erc20_transfers(CALIBRATION_TXS, contracts)
    else:
        workload = workloads.transfers_between(CALIBRATION_TXS)
    workload.name = f"calibration:{workload.name}"
    return workload


def fit_worker_slowdown(overheads: Overheads, rounds: int) -> tuple[float, str]:
    """Set `overheads.worker_slowdown` so the calibration block's simulated 2-worker speedup is
    the measured one; returns the factor and the calibration block's name."""
    target = calibration_target()
    profile, measurer = observe(target, [FIT_WORKERS], rounds)
    assert measurer is not None
    dag = build_dag(profile.txs)
    speedup = measurer.sequential_seconds / measurer.parallel[FIT_WORKERS]
    goal = profile.sequential_seconds / speedup  # the measured run on the profile's clock

    def predicted(slowdown: float) -> float:
        overheads.worker_slowdown = slowdown
        return simulate(dag, profile, overheads, FIT_WORKERS).seconds

    low, high = 1.0, MAX_SLOWDOWN
    if predicted(low) >= goal:
        high = low
    elif predicted(high) <= goal:
        low = high
    for _ in range(40):
        middle = (low + high) / 2
        if predicted(middle) < goal:
            low = middle
        else:
            high = middle
    overheads.worker_slowdown = (low + high) / 2
    return overheads.worker_slowdown, target.name
