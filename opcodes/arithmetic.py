"""Arithmetic opcodes (0x01-0x0b). Pure stack operations take only the stack."""

from __future__ import annotations

from typing import Final

from mypy_extensions import i64

from interp.frame import Frame
from interp.gas import charge
from interp.words import SIGN_BIT, UINT256_CEILING, UINT256_MASK

EXP_BYTE_FRONTIER: Final[i64] = 10
EXP_BYTE_EIP160: Final[i64] = 50


def add(stack: list[int]) -> None:
    """ADD (0x01): a, b -> a + b.

    ADD and SUB wrap with a test rather than `& UINT256_MASK`: under mypyc a mask with a
    256-bit constant always takes the slow path, boxing even a small sum, while `>> 256` and
    `< 0` stay inline for small ints and allocate nothing for big ones that do not wrap.
    """
    # STACK
    b = stack.pop()
    # OPERATION
    result = stack[-1] + b
    if result >> 256:
        result -= UINT256_CEILING
    stack[-1] = result


def mul(stack: list[int]) -> None:
    """MUL (0x02): a, b -> a * b."""
    b = stack.pop()
    stack[-1] = (stack[-1] * b) & UINT256_MASK


def sub(stack: list[int]) -> None:
    """SUB (0x03): a, b -> a - b."""
    a = stack.pop()
    result = a - stack[-1]
    if result < 0:
        result += UINT256_CEILING
    stack[-1] = result


def div(stack: list[int]) -> None:
    """DIV (0x04): a, b -> a // b (0 when b is 0)."""
    a = stack.pop()
    b = stack[-1]
    stack[-1] = 0 if b == 0 else a // b


def sdiv(stack: list[int]) -> None:
    """SDIV (0x05): signed a, b -> a / b truncated towards zero (0 when b is 0)."""
    a = stack.pop()
    b = stack[-1]
    if b == 0:
        stack[-1] = 0
        return
    negative = False
    if a & SIGN_BIT:
        a = UINT256_CEILING - a
        negative = True
    if b & SIGN_BIT:
        b = UINT256_CEILING - b
        negative = not negative
    quotient = a // b
    stack[-1] = ((UINT256_CEILING - quotient) & UINT256_MASK) if negative else quotient


def mod(stack: list[int]) -> None:
    """MOD (0x06): a, b -> a % b (0 when b is 0)."""
    a = stack.pop()
    b = stack[-1]
    stack[-1] = 0 if b == 0 else a % b


def smod(stack: list[int]) -> None:
    """SMOD (0x07): signed a, b -> a % b with the sign of a (0 when b is 0)."""
    a = stack.pop()
    b = stack[-1]
    if b == 0:
        stack[-1] = 0
        return
    negative = False
    if a & SIGN_BIT:
        a = UINT256_CEILING - a
        negative = True
    if b & SIGN_BIT:
        b = UINT256_CEILING - b
    remainder = a % b
    stack[-1] = ((UINT256_CEILING - remainder) & UINT256_MASK) if negative else remainder


def addmod(stack: list[int]) -> None:
    """ADDMOD (0x08): a, b, n -> (a + b) % n without overflow (0 when n is 0)."""
    a = stack.pop()
    b = stack.pop()
    n = stack[-1]
    stack[-1] = 0 if n == 0 else (a + b) % n


def mulmod(stack: list[int]) -> None:
    """MULMOD (0x09): a, b, n -> (a * b) % n without overflow (0 when n is 0)."""
    a = stack.pop()
    b = stack.pop()
    n = stack[-1]
    stack[-1] = 0 if n == 0 else (a * b) % n


def exp(f: Frame) -> None:
    """EXP (0x0a): base, exponent -> base ** exponent. EIP-160 prices exponent bytes at 50."""
    # STACK
    stack = f.stack
    base = stack.pop()
    exponent = stack[-1]
    # GAS
    if exponent != 0:
        byte_cost = EXP_BYTE_EIP160 if f.ctx.rules.eip161_state_clearing else EXP_BYTE_FRONTIER
        exponent_bytes: i64 = (exponent.bit_length() + 7) // 8
        charge(f, byte_cost * exponent_bytes)
    # OPERATION
    stack[-1] = pow(base, exponent, UINT256_CEILING)


def signextend(stack: list[int]) -> None:
    """SIGNEXTEND (0x0b): b, x -> x sign-extended from byte b (counted from the right)."""
    b = stack.pop()
    x = stack[-1]
    if b < 31:
        bits = 8 * b + 7
        sign = 1 << bits
        if x & sign:
            stack[-1] = x | (UINT256_MASK ^ ((sign << 1) - 1))
        else:
            stack[-1] = x & ((sign << 1) - 1)
