"""EIP-7702 delegation designators: an account whose code is 0xef0100 ++ address runs that
address's code when called (EXTCODE* still see the 23-byte designator itself)."""

from __future__ import annotations

from typing import Final

from interp.analysis import CodeAnalysis

PREFIX: Final = b"\xef\x01\x00"
DESIGNATOR_SIZE: Final = 23
PER_AUTH_BASE_COST: Final = 12500
PER_EMPTY_ACCOUNT_COST: Final = 25000


def delegation_target(code: CodeAnalysis) -> int:
    """The delegate's address, or -1 when the code is not a delegation designator."""
    if code.size != DESIGNATOR_SIZE or code.code[:3] != PREFIX:
        return -1
    return int.from_bytes(code.code[3:], "big")


def designator(address: int) -> bytes:
    return PREFIX + address.to_bytes(20, "big")
