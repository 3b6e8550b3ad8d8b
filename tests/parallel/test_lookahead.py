"""Lookahead (parallel.lookahead): the front in order, workers ahead on a snapshot, Block-STM for
what failed; exactly what sequential execution gives, errors included."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from interp.block import execute_block
from interp.errors import InvalidTransaction
from interp.locations import BALANCE, account_loc, storage_loc
from parallel import executor
from parallel.lookahead import CopyOnWrite, snapshot
from parallel.scheduler import EXECUTED, EXECUTION_IDX, READY_TO_EXECUTE, Scheduler
from parallel.types import VALIDATIONS
from pevm import workloads
from pevm.compare import difference
from pevm.fuzz.oracles import execute_forced, execute_lookahead

pytestmark = pytest.mark.pure


def test_independent_transfers_take_every_result_from_ahead() -> None:
    reference = workloads.transfers_between(400)
    expected = execute_block(reference.state, reference.block, reference.rules, reference.chain_id)
    for workers in (2, 3):
        candidate = workloads.transfers_between(400)
        stats = executor.ParallelStats()
        result = execute_forced(candidate, lambda state, block, env, rules: executor.execute_with_lookahead(
            state, block.transactions, env, rules, workers, "t", stats))  # fmt: skip
        assert (stats.path, stats.reexecutions) == (executor.LOOKAHEAD, 0)  # no transfer reads another's writes
        assert difference(expected, reference.state, result, candidate.state) is None


def _unfunded(*positions: int) -> Callable[[], workloads.Workload]:
    """Transfers whose senders at `positions` cannot pay."""

    def build() -> workloads.Workload:
        workload = workloads.transfers_between(200)
        for position in positions:
            workload.state.accounts[workload.block.transactions[position].sender].balance = 0
        return workload

    return build


@pytest.mark.parametrize("positions", [(5,), (190,), (150, 30)])
@pytest.mark.parametrize("workers", [2, 4])
def test_an_invalid_transaction_raises_what_sequential_raises(positions: tuple[int, ...], workers: int) -> None:
    """Taken by the front, executed ahead, or both (the first in block order is raised)."""
    build = _unfunded(*positions)
    reference = build()
    with pytest.raises(InvalidTransaction) as expected:
        execute_block(reference.state, reference.block, reference.rules, reference.chain_id)
    for _ in range(3):
        with pytest.raises(InvalidTransaction) as raised:
            execute_lookahead(build(), workers)
        assert (raised.value.kind, str(raised.value)) == (expected.value.kind, str(expected.value))


def test_the_front_never_changes_an_account_the_snapshot_holds() -> None:
    state = workloads.transfers_between(4).state
    address = next(iter(state.accounts))
    shared = state.accounts[address]
    balance, storage = shared.balance, dict(shared.storage)
    view = snapshot(state)
    writer = CopyOnWrite(state)
    writer.apply({account_loc(BALANCE, address): balance + 5, storage_loc(address, 1): 7})
    writer.apply({account_loc(BALANCE, address): balance + 6})  # copied once, then its own
    assert view.accounts[address] is shared and (shared.balance, shared.storage) == (balance, storage)
    assert state.accounts[address] is not shared
    assert (state.accounts[address].balance, state.accounts[address].storage.get(1)) == (balance + 6, 7)


def test_seeded_transactions_start_executed_and_wait_for_validation() -> None:
    scheduler = Scheduler(4)
    scheduler.seed([True, False, True, True])
    assert scheduler.status == [EXECUTED, READY_TO_EXECUTE, EXECUTED, EXECUTED]
    assert scheduler.counters[EXECUTION_IDX] == 1
    assert scheduler.next_task() == (VALIDATIONS, 0, 1)
