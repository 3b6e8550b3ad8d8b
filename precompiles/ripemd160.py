"""0x03 RIPEMD160: 600 gas plus 120 per word; the 20-byte digest left-padded to 32."""

from __future__ import annotations

from Crypto.Hash import RIPEMD160
from mypy_extensions import i64

from precompiles.pricing import charge, word_cost


def ripemd160(data: bytes, gas_limit: i64) -> tuple[i64, bytes]:
    cost = charge(word_cost(data, 600, 120), gas_limit)
    return cost, RIPEMD160.new(data).digest().rjust(32, b"\0")
