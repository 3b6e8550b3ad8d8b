"""Sender recovery on threads gives the senders sequential recovery gives, and fails alike,
also when recovered on the way by the lookahead (`SenderRecovery`)."""

from __future__ import annotations

import pytest

from interp.block import execute_block
from interp.errors import InvalidTransaction
from interp.header import Block
from interp.transaction import decode_transaction
from parallel.block import execute_block as execute_parallel
from parallel.executor import execute_with_lookahead
from parallel.pool import run_jobs
from parallel.senders import SenderRecovery, decode_transactions, recover_senders
from pevm.fuzz.oracles import execute_forced, without_sender
from pevm.workloads import Workload, transfers_between
from primitives.secp256k1 import SECP256K1_N


@pytest.mark.parametrize("workers", [1, 2, 3, 8])
def test_threads_recover_the_signers(workers: int) -> None:
    workload = transfers_between(70, signed=True)
    expected = [tx.sender for tx in workload.block.transactions]
    transactions = [decode_transaction(tx.encode(), workload.rules) for tx in workload.block.transactions]
    assert all(tx.sender == 0 for tx in transactions)
    recover_senders(transactions, workload.rules, workload.chain_id, workers)
    assert [tx.sender for tx in transactions] == expected


def test_the_first_bad_signature_in_block_order_is_raised() -> None:
    workload = transfers_between(64, signed=True)
    transactions = [decode_transaction(tx.encode(), workload.rules) for tx in workload.block.transactions]
    transactions[41].r = 0
    transactions[17].s = SECP256K1_N - 1  # above n/2: EIP-2
    with pytest.raises(InvalidTransaction, match="above n/2"):
        recover_senders(transactions, workload.rules, workload.chain_id, 4)
    assert all(tx.sender == 0 for tx in transactions), "no sender is set when one fails"


@pytest.mark.parametrize("workers", [1, 3])
def test_decoding_on_threads_gives_the_sequential_transactions(workers: int) -> None:
    workload = transfers_between(50, signed=True)
    raw = [tx.encode() for tx in workload.block.transactions]
    decoded = decode_transactions(raw, workload.rules, workload.chain_id, workers)
    assert [tx.encode() for tx in decoded] == raw
    assert [tx.sender for tx in decoded] == [tx.sender for tx in workload.block.transactions]


def test_the_first_undecodable_transaction_in_block_order_is_raised() -> None:
    workload = transfers_between(64, signed=True)
    raw = [tx.encode() for tx in workload.block.transactions]
    raw[40] = b"\xc0"
    raw[20] = raw[20][:-3]
    with pytest.raises(InvalidTransaction) as raised:
        decode_transactions(raw, workload.rules, workload.chain_id, 4)
    with pytest.raises(InvalidTransaction) as alone:
        decode_transaction(raw[20], workload.rules)
    assert str(raised.value) == str(alone.value)


def test_recovery_on_the_way_publishes_every_sender() -> None:
    """One thread waits for each sender in order while another recovers them all."""
    workload = transfers_between(70, signed=True)
    transactions = [without_sender(tx) for tx in workload.block.transactions]
    recovery = SenderRecovery(transactions, workload.rules, workload.chain_id)
    seen: list[int] = []

    def in_order() -> None:
        known = 0
        for index, tx in enumerate(transactions):
            if index >= known:
                known = recovery.ready(index)
            seen.append(tx.sender)

    def recover_all() -> None:
        assert recovery.finish() is None

    batch = run_jobs([in_order, recover_all])
    batch.wait()
    assert not batch.errors
    assert seen == [tx.sender for tx in workload.block.transactions]


def _run_recovering(workload: Workload) -> None:
    unsent = [without_sender(tx) for tx in workload.block.transactions]
    recovery = SenderRecovery(unsent, workload.rules, workload.chain_id)
    execute_forced(workload, lambda state, block, env, rules: execute_with_lookahead(
        state, unsent, env, rules, 2, "test", None, recovery))  # fmt: skip


def test_the_first_bad_signature_is_raised_on_the_way_too() -> None:
    """As sequentially, where every sender is recovered before anything runs: the first bad
    signature in block order, even after a transaction that fails to execute (tx 5's changed
    nonce recovers a signer without funds)."""
    errors = []
    for way in ("sequential", "on the way"):
        workload = transfers_between(64, signed=True)
        transactions = workload.block.transactions
        transactions[5] = without_sender(transactions[5], nonce=7)
        transactions[41] = without_sender(transactions[41], r=0)
        transactions[17] = without_sender(transactions[17], s=SECP256K1_N - 1)  # above n/2: EIP-2
        with pytest.raises(InvalidTransaction) as raised:
            if way == "sequential":
                recover_senders(transactions, workload.rules, workload.chain_id, 1)
                execute_block(workload.state, Block(workload.block.header, transactions, [], []), workload.rules,
                              workload.chain_id)  # fmt: skip
            else:
                _run_recovering(workload)
        errors.append(str(raised.value))
    assert errors[0] == errors[1] and "above n/2" in errors[0]


def test_a_failed_execution_before_any_bad_signature_is_raised_on_the_way() -> None:
    workload = transfers_between(64, signed=True)
    workload.block.transactions[5] = without_sender(workload.block.transactions[5], nonce=7)
    with pytest.raises(InvalidTransaction) as raised:
        _run_recovering(workload)
    assert "signature" not in str(raised.value)


def test_the_door_raises_a_small_blocks_first_bad_signature() -> None:
    workload = transfers_between(10, signed=True)
    transactions = [without_sender(tx) for tx in workload.block.transactions]
    transactions[7] = without_sender(transactions[7], r=0)
    transactions[3] = without_sender(transactions[3], s=SECP256K1_N - 1)  # above n/2: EIP-2
    with pytest.raises(InvalidTransaction, match="above n/2"):
        execute_parallel(workload.state, Block(workload.block.header, transactions, [], []), workload.rules,
                         workload.chain_id, 2, None, recover=True)  # fmt: skip
    assert all(tx.sender == 0 for tx in transactions), "no sender is set when one fails"
