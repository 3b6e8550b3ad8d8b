"""The dependency DAG: known dependencies on hand-built read/write sets and on tiny real blocks,
and lazy balance credits that make no edge unless the balance is read."""

from __future__ import annotations

import pytest

from interp.delta import BalanceDelta
from interp.locations import BALANCE, NONCE, STORAGE_GEN, account_loc, storage_loc
from pevm import workloads
from pevm.analyze.dag import build_dag
from pevm.analyze.profile import TxProfile, profile_block

A, B, C, COINBASE = 0xA, 0xB, 0xC, 0xC0


def tx(reads: list[int], writes: dict[int, object], sender: int = 0) -> TxProfile:
    return TxProfile(21_000, sender, dict.fromkeys(reads, 0), writes)


@pytest.mark.pure
def test_reader_depends_on_the_nearest_writer_only() -> None:
    slot = storage_loc(A, 1)
    dag = build_dag([tx([], {slot: 1}), tx([], {slot: 2}), tx([slot], {}), tx([storage_loc(A, 2)], {})])
    assert dag.deps == [(), (), (1,), ()]
    assert dag.edges == 1


@pytest.mark.pure
def test_lazy_credits_make_no_edge_unless_the_balance_is_read() -> None:
    fee = account_loc(BALANCE, COINBASE)
    credits = [tx([account_loc(NONCE, s)], {fee: BalanceDelta(5), account_loc(NONCE, s): 1}, s) for s in (A, B)]
    dag = build_dag([*credits, tx([], {fee: BalanceDelta(7)})])
    assert dag.edges == 0
    reader = tx([fee], {storage_loc(C, 0): 12})
    dag = build_dag([*credits, reader])
    assert dag.deps[2] == (0, 1)  # folds both credits


@pytest.mark.pure
def test_credits_below_an_absolute_write_are_not_edges() -> None:
    balance = account_loc(BALANCE, A)
    dag = build_dag([tx([], {balance: BalanceDelta(1)}), tx([balance], {balance: 10}),
                     tx([], {balance: BalanceDelta(2)}), tx([balance], {})])  # fmt: skip
    assert dag.deps == [(), (0,), (), (1, 2)]


@pytest.mark.pure
def test_a_wipe_is_a_writer_of_every_slot() -> None:
    dag = build_dag([tx([], {account_loc(STORAGE_GEN, A): True}), tx([storage_loc(A, 9)], {})])
    assert dag.deps == [(), (0,)]


@pytest.mark.pure
def test_critical_path_and_ideal_speedup() -> None:
    slot = storage_loc(A, 0)
    dag = build_dag([tx([], {slot: 1}), tx([slot], {slot: 2}), tx([], {storage_loc(B, 0): 1})])
    costs = [1.0, 2.0, 4.0]
    assert dag.critical_path(costs) == 4.0
    assert dag.ideal_speedup(costs) == pytest.approx(7.0 / 4.0)
    assert dag.critical_path([3.0, 2.0, 4.0]) == 5.0


@pytest.mark.pure
def test_real_blocks_have_the_dependencies_they_were_built_with() -> None:
    independent = build_dag(profile_block(workloads.raw_transfers(6), 1, ()).txs)
    assert independent.edges == 0  # fees reach the beneficiary as deltas
    chain = build_dag(profile_block(workloads.same_sender_chain(5), 1, ()).txs)
    assert chain.deps == [(), (0,), (1,), (2,), (3,)]
    readers = build_dag(profile_block(workloads.coinbase_readers(6), 1, ()).txs)
    assert readers.deps[2] == (0, 1)  # reads the coinbase balance: every earlier fee
    assert readers.deps[5] == (2, 3, 4)  # tx 2 read it, so its fee is an absolute write
    assert readers.deps[3] == () and readers.deps[4] == ()
