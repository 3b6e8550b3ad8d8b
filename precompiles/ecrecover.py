"""0x01 ECRECOVER: hash, v, r, s -> the signer's address (left-padded), or nothing."""

from __future__ import annotations

from typing import Final

from mypy_extensions import i64

from precompiles.pricing import charge
from primitives.secp256k1 import recover_address

GAS: Final = 3000


def ecrecover(data: bytes, gas_limit: i64) -> tuple[i64, bytes]:
    cost = charge(GAS, gas_limit)
    padded = data[:128].ljust(128, b"\0")
    v = int.from_bytes(padded[32:64], "big")
    r = int.from_bytes(padded[64:96], "big")
    s = int.from_bytes(padded[96:128], "big")
    if v != 27 and v != 28:
        return cost, b""
    address = recover_address(padded[:32], v - 27, r, s)
    if address is None:
        return cost, b""
    return cost, address.to_bytes(32, "big")
