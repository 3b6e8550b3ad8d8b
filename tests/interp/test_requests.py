"""EIP-7685 requests: deposit-event parsing and the requests hash."""

from __future__ import annotations

import hashlib

import pytest

from interp.errors import InvalidBlock
from interp.journal import Log
from interp.requests import DEPOSIT_CONTRACT_ADDRESS, DEPOSIT_EVENT_SIGNATURE, deposit_requests, requests_hash


def deposit_event(pubkey: bytes, credentials: bytes, amount: bytes, signature: bytes, index: bytes) -> bytes:
    """ABI-encode DepositEvent(bytes,bytes,bytes,bytes,bytes) as the deposit contract logs it."""
    heads = b"".join(offset.to_bytes(32, "big") for offset in (160, 256, 320, 384, 512))
    tails = b""
    for field in (pubkey, credentials, amount, signature, index):
        tails += len(field).to_bytes(32, "big") + field.ljust((len(field) + 31) // 32 * 32, b"\0")
    return heads + tails


@pytest.mark.pure
def test_empty_requests_hash_is_sha256_of_nothing() -> None:
    assert requests_hash([]) == hashlib.sha256(b"").digest()


@pytest.mark.pure
def test_deposit_requests_concatenate_the_fields() -> None:
    fields = (b"\x01" * 48, b"\x02" * 32, b"\x03" * 8, b"\x04" * 96, b"\x05" * 8)
    data = deposit_event(*fields)
    assert len(data) == 576
    log = Log(DEPOSIT_CONTRACT_ADDRESS, (DEPOSIT_EVENT_SIGNATURE,), data)
    other = Log(0x1234, (DEPOSIT_EVENT_SIGNATURE,), data)  # same event from another contract: ignored
    assert deposit_requests([log, other, log]) == b"".join(fields) * 2


@pytest.mark.pure
def test_malformed_deposit_event_invalidates_the_block() -> None:
    data = bytearray(deposit_event(b"\x01" * 48, b"\x02" * 32, b"\x03" * 8, b"\x04" * 96, b"\x05" * 8))
    data[31] = 0  # pubkey offset 0 instead of 160
    with pytest.raises(InvalidBlock):
        deposit_requests([Log(DEPOSIT_CONTRACT_ADDRESS, (DEPOSIT_EVENT_SIGNATURE,), bytes(data))])
