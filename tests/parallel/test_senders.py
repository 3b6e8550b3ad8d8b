"""Sender recovery on threads gives the senders sequential recovery gives, and fails alike."""

from __future__ import annotations

import pytest

from interp.errors import InvalidTransaction
from interp.transaction import decode_transaction
from primitives.secp256k1 import SECP256K1_N
from parallel.senders import decode_transactions, recover_senders
from pevm.workloads import transfers_between


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
