"""Scheduler behaviour: termination, dependencies, and the watchdog that turns a scheduler bug
into an error naming the block instead of a hang."""

from __future__ import annotations

import pytest

from parallel import executor, paths
from parallel.scheduler import (
    EXECUTED,
    EXECUTING,
    EXECUTION_IDX,
    HOT_LANE_RUNS,
    MAX_LANE_WORKERS,
    PARKED,
    READY_TO_EXECUTE,
    VALIDATION_IDX,
    VALIDATION_RUN,
    Scheduler,
)
from parallel.types import EXECUTION, VALIDATION, VALIDATIONS, SchedulerStuck
from pevm import workloads
from interp.block import block_env


@pytest.mark.pure
def test_single_worker_sweeps_execute_then_validate() -> None:
    """Each finishing task hands out the worker's next one under the same lock."""
    scheduler = Scheduler(2)
    assert scheduler.next_task() == (EXECUTION, 0, 0)
    assert scheduler.finish_execution(0, 0, True) == (VALIDATIONS, 0, 1)
    assert scheduler.finish_validation(0, False) == (EXECUTION, 1, 0)
    assert scheduler.finish_execution(1, 0, True) == (VALIDATIONS, 1, 2)
    assert scheduler.finish_validation(1, False) is None
    assert scheduler.done()
    assert scheduler.next_task() is None


@pytest.mark.pure
def test_validation_runs_cover_executed_transactions_and_restart_after_an_abort() -> None:
    size = VALIDATION_RUN + 4
    scheduler = Scheduler(size)
    # As after other workers executed every transaction before anyone validated.
    scheduler.counters[EXECUTION_IDX] = size
    scheduler.status[:] = [EXECUTED] * size
    assert scheduler.next_task() == (VALIDATIONS, 0, VALIDATION_RUN)
    assert scheduler.is_executed(3)
    assert scheduler.try_validation_abort(3, -1)  # the run's fourth transaction fails
    assert not scheduler.is_executed(3)  # not validated again while it re-executes
    assert not scheduler.try_validation_abort(3, -1)
    assert scheduler.finish_validation(3, True) == (EXECUTION, 3, 1)
    assert scheduler.counters[VALIDATION_IDX] == 4  # the rest of the run is validated again
    assert scheduler.finish_execution(3, 1, False) == (VALIDATION, 3, 1)
    assert scheduler.finish_validation(3, False) == (VALIDATIONS, 4, 4 + VALIDATION_RUN)


@pytest.mark.pure
def test_abort_reexecutes_with_next_incarnation() -> None:
    scheduler = Scheduler(1)
    assert scheduler.next_task() == (EXECUTION, 0, 0)
    assert scheduler.finish_execution(0, 0, True) == (VALIDATIONS, 0, 1)
    assert scheduler.try_validation_abort(0, 0)
    assert scheduler.finish_validation(0, True) == (EXECUTION, 0, 1)
    assert scheduler.reexecutions() == 1


@pytest.mark.pure
def test_dependency_parks_until_the_writer_finishes() -> None:
    scheduler = Scheduler(2)
    first = scheduler.next_task()
    second = scheduler.next_task()
    assert first == (EXECUTION, 0, 0) and second == (EXECUTION, 1, 0)
    assert scheduler.add_dependency(1, 0)  # tx 1 read an ESTIMATE of tx 0
    assert scheduler.finish_execution(0, 0, True) == (VALIDATIONS, 0, 1)
    assert scheduler.finish_validation(0, False) == (EXECUTION, 1, 1)  # resumed as its next incarnation


@pytest.mark.pure
def test_a_hot_lane_runs_one_transaction_at_a_time_without_spending_incarnations() -> None:
    """Transactions 0, 2 and 3 call contract 7, 1 another. 2 runs beside 0 and is aborted by
    0's write: the lane is hot, so 2's next incarnation and 3's first wait for their
    predecessor to execute."""
    scheduler = Scheduler(4, [7, 8, 7, 7])
    assert [scheduler.next_task() for _ in range(3)] == [(EXECUTION, 0, 0), (EXECUTION, 1, 0), (EXECUTION, 2, 0)]
    assert scheduler.finish_execution(2, 0, True) == (VALIDATIONS, 2, 3)
    assert scheduler.try_validation_abort(2, -1, 0)  # 2 read what 0 has since written
    assert scheduler.lane_conflicts[0] == 1 and scheduler.lane_runs[0] == 1
    assert scheduler.finish_validation(2, True) is None  # 2 waits for 0, and 3 for 2
    assert scheduler.status[2] == scheduler.status[3] == PARKED
    assert scheduler.finish_execution(0, 0, True) == (VALIDATIONS, 0, 2)
    assert scheduler.finish_validation(1, False) == (EXECUTION, 2, 1)
    assert scheduler.finish_execution(2, 1, False) == (VALIDATIONS, 2, 3)
    assert scheduler.finish_validation(2, False) == (EXECUTION, 3, 0)  # its first incarnation still
    assert scheduler.reexecutions() == 1


@pytest.mark.pure
def test_a_lane_cools_down_and_only_its_own_conflicts_heat_it() -> None:
    scheduler = Scheduler(6, [7, 8, 7, 7, 7, 7])
    scheduler.status[:] = [EXECUTED] * 6
    assert scheduler.try_validation_abort(2, -1, 1)  # a conflict with 1, outside the lane
    assert scheduler.lane_conflicts[0] == 0
    scheduler.status[2] = EXECUTED
    assert scheduler.try_validation_abort(2, -1, 0)
    assert scheduler.lane_conflicts[0] == 1
    scheduler.lane_runs[0] = HOT_LANE_RUNS
    scheduler.status[4] = READY_TO_EXECUTE
    scheduler.status[3] = EXECUTING
    assert scheduler._parks(4)  # one conflict in HOT_LANE_RUNS runs: still hot
    scheduler.lane_runs[0] = HOT_LANE_RUNS + 1
    scheduler.status[5] = READY_TO_EXECUTE
    scheduler.status[4] = EXECUTING
    assert not scheduler._parks(5)  # cooled down: runs beside its predecessor again


@pytest.mark.pure
def test_lanes_follow_the_callee_and_skip_creations() -> None:
    scheduler = Scheduler(5, [7, -1, 7, -1, 9])
    assert scheduler.lane_previous == [-1, -1, 0, -1, -1]
    assert scheduler.lane_head == [0, 1, 0, 3, 4]
    assert Scheduler(2).lane_previous == [-1, -1]  # no recipients: no lanes
    assert Scheduler(2, [7, 7], MAX_LANE_WORKERS + 1).lane_previous == [-1, -1]  # nor with many workers


def test_check_progress_names_the_block() -> None:
    scheduler = Scheduler(3)
    scheduler.next_task()
    scheduler.progress[1] -= 10.0  # nothing finished for ten seconds
    with pytest.raises(SchedulerStuck, match="block 1234: no transaction finished"):
        scheduler.check_progress(5.0, "1234")


class LosingWorker:
    """A broken worker that takes a task and never reports back: the lost task keeps the
    scheduler from finishing, which the executor's watchdog must turn into an error."""

    def __init__(self, scheduler: Scheduler, *args: object) -> None:
        self.scheduler = scheduler
        self.failures: list[BaseException] = []

    def run(self) -> None:
        self.scheduler.next_task()


def test_executor_watchdog_raises_instead_of_hanging(monkeypatch: pytest.MonkeyPatch) -> None:
    workload = workloads.raw_transfers(8)
    env = block_env(workload.block.header, workload.rules, workload.chain_id)
    monkeypatch.setattr(executor, "WATCHDOG_SECONDS", 1.0)
    monkeypatch.setattr(executor, "Worker", LosingWorker)
    with pytest.raises(SchedulerStuck, match=f"block {workload.block.header.number}"):
        executor.execute_transactions_parallel(workload.state, workload.block, env, workload.rules, 2)


@pytest.mark.pure
def test_the_measured_rule_picks_sequential_lookahead_block_stm_or_transfer_groups() -> None:
    calls = workloads.coinbase_readers(300)  # 100 contract calls x 60,000 + 200 x 21,000 = 10.2M
    assert paths.choose_path(calls.block.transactions, 2, calls.state) == paths.LOOKAHEAD
    assert paths.choose_path(calls.block.transactions, 3, calls.state) == paths.BLOCK_STM
    assert paths.choose_path(calls.block.transactions, 1, calls.state) == paths.SEQUENTIAL
    assert paths.choose_path(calls.block.transactions[:270], 2, calls.state) == paths.SEQUENTIAL  # 9.5M gas
    chain = workloads.same_sender_chain(500)  # one sender: every transaction waits for the last
    assert paths.choose_path(chain.block.transactions, 2, chain.state) == paths.SEQUENTIAL
    transfers = workloads.raw_transfers(500)  # plain transfers: Block-STM's bookkeeping outweighs them
    assert paths.choose_path(transfers.block.transactions, 2, transfers.state) == paths.TRANSFER_GROUPS
    assert paths.choose_path(transfers.block.transactions, 4, transfers.state) == paths.BLOCK_STM  # outgrown


@pytest.mark.pure
def test_forcing_a_path_that_is_not_parallel_is_an_error() -> None:
    workload = workloads.raw_transfers(4)
    with pytest.raises(ValueError, match="not a parallel path: 'sequential'"):
        executor.execute_in_parallel(workload.state, workload.block, workload.rules, workload.chain_id, 2,
                                     paths.SEQUENTIAL, None)  # fmt: skip
