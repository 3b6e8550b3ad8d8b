"""0x02 SHA256: 60 gas plus 12 per word."""

from __future__ import annotations

import hashlib

from mypy_extensions import i64

from precompiles.pricing import charge, word_cost


def sha256(data: bytes, gas_limit: i64) -> tuple[i64, bytes]:
    cost = charge(word_cost(data, 60, 12), gas_limit)
    return cost, hashlib.sha256(data).digest()
