"""0x05 MODEXP: base ** exp % mod over arbitrary lengths (EIP-198), repriced by EIP-2565 and
EIP-7883, bounded by EIP-7823.

Declared lengths may be far beyond the input (missing bytes read as zero) or astronomically
large: gas is computed from the lengths without allocating anything, and the call fails
before any arithmetic when it cannot pay.
"""

from __future__ import annotations

from typing import Final

from mypy_extensions import i64

from precompiles.errors import PrecompileFailure
from precompiles.pricing import charge


def _slice(data: bytes, start: int, size: int) -> bytes:
    """data[start:start+size], zero-padded (start and size may be huge)."""
    if start >= len(data):
        return bytes(size)
    chunk = data[start : start + size]
    return chunk + bytes(size - len(chunk))


def _lengths(data: bytes) -> tuple[int, int, int]:
    return (
        int.from_bytes(_slice(data, 0, 32), "big"),
        int.from_bytes(_slice(data, 32, 32), "big"),
        int.from_bytes(_slice(data, 64, 32), "big"),
    )


def _head_bits(data: bytes, base_length: int, exp_length: int) -> int:
    """Bit length of the exponent's first 32 bytes, as EIP-198 prices it."""
    if exp_length == 0:
        return 0
    head = _slice(data, 96 + base_length, min(exp_length, 32)) if 96 + base_length < len(data) else b""
    return int.from_bytes(head, "big").bit_length()


def adjusted_exponent_length(data: bytes, base_length: int, exp_length: int, word_multiplier: int) -> int:
    bits = _head_bits(data, base_length, exp_length)
    highest = bits - 1 if bits > 0 else 0
    if exp_length <= 32:
        return highest
    return word_multiplier * (exp_length - 32) + highest


def _complexity_eip198(length: int) -> int:
    if length <= 64:
        return length * length
    if length <= 1024:
        return length * length // 4 + 96 * length - 3072
    return length * length // 16 + 480 * length - 199680


def gas_byzantium(data: bytes) -> int:
    """EIP-198."""
    base_length, exp_length, mod_length = _lengths(data)
    iterations = max(adjusted_exponent_length(data, base_length, exp_length, 8), 1)
    return _complexity_eip198(max(base_length, mod_length)) * iterations // 20


def gas_berlin(data: bytes) -> int:
    """EIP-2565: words squared, divided by 3, at least 200."""
    base_length, exp_length, mod_length = _lengths(data)
    words = (max(base_length, mod_length) + 7) // 8
    iterations = max(adjusted_exponent_length(data, base_length, exp_length, 8), 1)
    return max(200, words * words * iterations // 3)


def compute(data: bytes) -> bytes:
    base_length, exp_length, mod_length = _lengths(data)
    if mod_length == 0:
        return b""
    base = int.from_bytes(_slice(data, 96, base_length), "big")
    exponent = int.from_bytes(_slice(data, 96 + base_length, exp_length), "big")
    modulus = int.from_bytes(_slice(data, 96 + base_length + exp_length, mod_length), "big")
    if modulus == 0:
        return bytes(mod_length)
    return pow(base, exponent, modulus).to_bytes(mod_length, "big")


def modexp_byzantium(data: bytes, gas_limit: i64) -> tuple[i64, bytes]:
    cost = charge(gas_byzantium(data), gas_limit)
    return cost, compute(data)


def modexp_berlin(data: bytes, gas_limit: i64) -> tuple[i64, bytes]:
    cost = charge(gas_berlin(data), gas_limit)
    return cost, compute(data)


MAX_INPUT_LENGTH_EIP7823: Final = 1024


def gas_osaka(data: bytes) -> int:
    """EIP-7883: at least 500; 16 for operands up to 32 bytes, else 2 * words^2; exponent bytes
    past the first 32 count 16 iterations each."""
    base_length, exp_length, mod_length = _lengths(data)
    longest = max(base_length, mod_length)
    words = (longest + 7) // 8
    complexity = 16 if longest <= 32 else 2 * words * words
    iterations = max(adjusted_exponent_length(data, base_length, exp_length, 16), 1)
    return max(500, complexity * iterations)


def modexp_osaka(data: bytes, gas_limit: i64) -> tuple[i64, bytes]:
    """EIP-7823 bounds every length to 1024 bytes; EIP-7883 reprices."""
    for length in _lengths(data):
        if length > MAX_INPUT_LENGTH_EIP7823:
            raise PrecompileFailure
    cost = charge(gas_osaka(data), gas_limit)
    return cost, compute(data)
