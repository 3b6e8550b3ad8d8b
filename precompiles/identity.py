"""0x04 IDENTITY: 15 gas plus 3 per word; returns its input."""

from __future__ import annotations

from mypy_extensions import i64

from precompiles.pricing import charge, word_cost


def identity(data: bytes, gas_limit: i64) -> tuple[i64, bytes]:
    return charge(word_cost(data, 15, 3), gas_limit), data
