"""Receipt and log encodings against the generic RLP encoder."""

from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from interp.journal import Log
from interp.receipt import Receipt, encode_log, logs_hash
from primitives import rlp
from primitives.keccak import keccak256

pytestmark = pytest.mark.pure

logs = st.builds(
    Log,
    st.integers(0, 2**160 - 1),
    st.lists(st.binary(min_size=32, max_size=32), max_size=4).map(tuple),
    st.binary(max_size=80),
)


def generic(log: Log) -> bytes:
    return rlp.encode([log.address.to_bytes(20, "big"), list(log.topics), log.data])


@given(logs)
def test_a_log_encodes_as_the_generic_encoder_does(log: Log) -> None:
    assert encode_log(log) == generic(log)


@given(st.lists(logs, max_size=5), st.integers(0, 2**63 - 1), st.booleans(), st.sampled_from([0, 1, 2, 3, 4]))
def test_a_receipt_encodes_as_the_generic_encoder_does(items: list[Log], gas: int, success: bool, tx_type: int) -> None:
    receipt = Receipt(tx_type, success, gas, items, None)
    payload = rlp.encode([1 if success else 0, gas, receipt.bloom, [rlp.decode(generic(log)) for log in items]])
    assert receipt.encode() == (payload if tx_type == 0 else bytes([tx_type]) + payload)
    assert logs_hash(items) == keccak256(rlp.encode([rlp.decode(generic(log)) for log in items]))
