"""Bitwise opcodes (0x16-0x1e)."""

from __future__ import annotations

from interp.words import SIGN_BIT, UINT256_MASK


def and_(stack: list[int]) -> None:
    """AND (0x16): a, b -> a & b."""
    b = stack.pop()
    stack[-1] &= b


def or_(stack: list[int]) -> None:
    """OR (0x17): a, b -> a | b."""
    b = stack.pop()
    stack[-1] |= b


def xor(stack: list[int]) -> None:
    """XOR (0x18): a, b -> a ^ b."""
    b = stack.pop()
    stack[-1] ^= b


def not_(stack: list[int]) -> None:
    """NOT (0x19): a -> ~a."""
    stack[-1] ^= UINT256_MASK


def byte(stack: list[int]) -> None:
    """BYTE (0x1a): i, x -> the i-th byte of x counted from the most significant."""
    i = stack.pop()
    stack[-1] = (stack[-1] >> (248 - i * 8)) & 0xFF if i < 32 else 0


def shl(stack: list[int]) -> None:
    """SHL (0x1b): shift, value -> value << shift. EIP-145."""
    shift = stack.pop()
    stack[-1] = (stack[-1] << shift) & UINT256_MASK if shift < 256 else 0


def shr(stack: list[int]) -> None:
    """SHR (0x1c): shift, value -> value >> shift. EIP-145."""
    shift = stack.pop()
    stack[-1] = stack[-1] >> shift if shift < 256 else 0


def sar(stack: list[int]) -> None:
    """SAR (0x1d): shift, value -> signed value >> shift. EIP-145."""
    shift = stack.pop()
    value = stack[-1]
    if value & SIGN_BIT:
        stack[-1] = ((value - (1 << 256)) >> shift) & UINT256_MASK if shift < 256 else UINT256_MASK
    else:
        stack[-1] = value >> shift if shift < 256 else 0


def clz(stack: list[int]) -> None:
    """CLZ (0x1e): x -> number of leading zero bits of x (256 for 0). EIP-7939."""
    stack[-1] = 256 - stack[-1].bit_length()
