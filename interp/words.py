"""256-bit machine words as plain Python ints in [0, 2**256), and conversions.

Words are never wrapped in classes (STYLE rule 7): every operation masks with `UINT256_MASK`.
"""

from __future__ import annotations

from typing import Any, Final

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


# `int.from_bytes` held as a value: mypyc looks a method of `int` up on every call (~72 ns for
# 32 bytes on 3.13t), a held callable is one vectorcall (~45 ns).
_FROM_BYTES: Final[Any] = int.from_bytes


def bytes_to_word(data: bytes | bytearray) -> int:
    """The big-endian unsigned integer `data` encodes (a word, an address, an immediate)."""
    value: int = _FROM_BYTES(data, "big")
    return value


def ceil32(size: i64) -> i64:
    return (size + 31) // 32 * 32


def words(size: i64) -> i64:
    """Number of 32-byte words covering `size` bytes."""
    return (size + 31) // 32
