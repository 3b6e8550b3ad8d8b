"""The 2048-bit logs bloom (Yellow Paper, 4.3.1): each log's address and each of its topics
sets three bits, picked by the first three big-endian 16-bit pairs of its keccak256, mod 2048.
Bit i counts from the least significant end of the 256-byte big-endian value, so the bloom is
built as one int and converted once.
"""

from __future__ import annotations

from typing import Final

from primitives.keccak import keccak256

_BLOOM_BYTES: Final = 256


def logs_bloom(entries: list[bytes]) -> bytes:
    """The bloom of the given items: every log's 20-byte address and 32-byte topics."""
    bits = 0
    for entry in entries:
        digest = keccak256(entry)
        bits |= 1 << (((digest[0] << 8) | digest[1]) & 2047)
        bits |= 1 << (((digest[2] << 8) | digest[3]) & 2047)
        bits |= 1 << (((digest[4] << 8) | digest[5]) & 2047)
    return bits.to_bytes(_BLOOM_BYTES, "big")


def bloom_or(a: bytes, b: bytes) -> bytes:
    """The union of two blooms (a block's bloom is the union of its receipts')."""
    return (int.from_bytes(a, "big") | int.from_bytes(b, "big")).to_bytes(_BLOOM_BYTES, "big")
