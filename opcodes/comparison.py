"""Comparison opcodes (0x10-0x15)."""

from __future__ import annotations

from interp.words import SIGN_BIT


def lt(stack: list[int]) -> None:
    """LT (0x10): a, b -> a < b."""
    a = stack.pop()
    stack[-1] = 1 if a < stack[-1] else 0


def gt(stack: list[int]) -> None:
    """GT (0x11): a, b -> a > b."""
    a = stack.pop()
    stack[-1] = 1 if a > stack[-1] else 0


def slt(stack: list[int]) -> None:
    """SLT (0x12): signed a, b -> a < b."""
    a = stack.pop() ^ SIGN_BIT
    stack[-1] = 1 if a < (stack[-1] ^ SIGN_BIT) else 0


def sgt(stack: list[int]) -> None:
    """SGT (0x13): signed a, b -> a > b."""
    a = stack.pop() ^ SIGN_BIT
    stack[-1] = 1 if a > (stack[-1] ^ SIGN_BIT) else 0


def eq(stack: list[int]) -> None:
    """EQ (0x14): a, b -> a == b."""
    a = stack.pop()
    stack[-1] = 1 if a == stack[-1] else 0


def iszero(stack: list[int]) -> None:
    """ISZERO (0x15): a -> a == 0."""
    stack[-1] = 1 if stack[-1] == 0 else 0
