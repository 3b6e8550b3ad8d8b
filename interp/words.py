"""256-bit machine words as plain Python ints in [0, 2**256), and conversions.

Words are never wrapped in classes (STYLE rule 7): every operation masks with `UINT256_MASK`.
"""

from __future__ import annotations

from typing import Final

from mypy_extensions import i64

UINT256_MASK: Final = (1 << 256) - 1
UINT256_CEILING: Final = 1 << 256
SIGN_BIT: Final = 1 << 255
ADDRESS_MASK: Final = (1 << 160) - 1
# Operands above this bound cannot be memory offsets or sizes anyone could pay for.
I64_SAFE_BOUND: Final = 1 << 62


def to_signed(value: int) -> int:
    """Two's complement view of a word."""
    if value & SIGN_BIT:
        return value - UINT256_CEILING
    return value


def word_to_bytes(value: int) -> bytes:
    return value.to_bytes(32, "big")


def bytes_to_word(data: bytes) -> int:
    return int.from_bytes(data, "big")


def address_to_bytes(address: int) -> bytes:
    return address.to_bytes(20, "big")


def ceil32(size: i64) -> i64:
    return (size + 31) // 32 * 32


def words(size: i64) -> i64:
    """Number of 32-byte words covering `size` bytes."""
    return (size + 31) // 32
