"""Shared pricing helpers for precompiles: a base cost plus a cost per 32-byte word."""

from __future__ import annotations

from mypy_extensions import i64

from precompiles.errors import PrecompileFailure


def word_cost(data: bytes, base: i64, per_word: i64) -> i64:
    return base + per_word * ((len(data) + 31) // 32)


def charge(cost: int, gas_limit: i64) -> i64:
    """Fail before doing any work when the call cannot pay (cost may be a huge int)."""
    if cost > int(gas_limit):
        raise PrecompileFailure
    return cost
