"""EIP-7685 execution-layer requests (Prague): deposits parsed from the deposit contract's logs
(EIP-6110), withdrawal (EIP-7002) and consolidation (EIP-7251) requests dequeued from their
system contracts at the end of the block, and the requests hash the header commits to."""

from __future__ import annotations

import hashlib
from typing import Final

from interp.errors import InvalidBlock
from interp.journal import Log

DEPOSIT_CONTRACT_ADDRESS: Final = 0x00000000219AB540356CBB839CBE05303D7705FA
DEPOSIT_EVENT_SIGNATURE: Final = bytes.fromhex("649bbc62d0e31342afea4e5cd82d4049e7e1ee912fc0889aa790803be39038c5")
WITHDRAWAL_REQUEST_ADDRESS: Final = 0x00000961EF480EB55E80D19AD83579A64C007002
CONSOLIDATION_REQUEST_ADDRESS: Final = 0x0000BBDDC7CE488642FB579F8B00F3A590007251
DEPOSIT_REQUEST_TYPE: Final = b"\x00"
WITHDRAWAL_REQUEST_TYPE: Final = b"\x01"
CONSOLIDATION_REQUEST_TYPE: Final = b"\x02"
INVALID_DEPOSIT: Final = "BlockException.INVALID_DEPOSIT_EVENT_LAYOUT"

# DepositEvent(bytes pubkey, bytes withdrawal_credentials, bytes amount, bytes signature, bytes index):
# ABI offsets of the five fields and their sizes; the event data is always 576 bytes.
DEPOSIT_EVENT_LENGTH: Final = 576
DEPOSIT_FIELDS: Final = ((160, 48), (256, 32), (320, 8), (384, 96), (512, 8))


def deposit_request(data: bytes) -> bytes:
    """The 192-byte deposit request inside one DepositEvent's data; a malformed layout makes the
    block invalid."""
    if len(data) != DEPOSIT_EVENT_LENGTH:
        raise InvalidBlock(INVALID_DEPOSIT, "deposit event of the wrong length")
    request = b""
    for index, (offset, size) in enumerate(DEPOSIT_FIELDS):
        if int.from_bytes(data[32 * index : 32 * index + 32], "big") != offset:
            raise InvalidBlock(INVALID_DEPOSIT, "deposit event field at the wrong offset")
        if int.from_bytes(data[offset : offset + 32], "big") != size:
            raise InvalidBlock(INVALID_DEPOSIT, "deposit event field of the wrong size")
        request += data[offset + 32 : offset + 32 + size]
    return request


def deposit_requests(logs: list[Log]) -> bytes:
    requests = b""
    for log in logs:
        if log.address == DEPOSIT_CONTRACT_ADDRESS and log.topics and log.topics[0] == DEPOSIT_EVENT_SIGNATURE:
            requests += deposit_request(log.data)
    return requests


def requests_hash(requests: list[bytes]) -> bytes:
    """sha256 over the sha256 of each non-empty typed request list."""
    outer = hashlib.sha256()
    for request in requests:
        outer.update(hashlib.sha256(request).digest())
    return outer.digest()
