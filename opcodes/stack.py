"""Stack opcodes: POP, PUSH0, PUSH1-32, DUP1-16, SWAP1-16."""

from __future__ import annotations

from typing import cast

from mypy_extensions import i64

from interp.words import bytes_to_word


def pop(stack: list[int]) -> None:
    """POP (0x50): a ->."""
    stack.pop()


def push0(stack: list[int]) -> None:
    """PUSH0 (0x5f): -> 0. EIP-3855."""
    stack.append(0)


def push_n(stack: list[int], code: bytes, pc: i64, n: i64) -> i64:
    """PUSH1-PUSH32 (0x60-0x7f): -> the n bytes after the opcode; returns the next pc.

    `code` is the padded code, so an immediate cut off by the end of code reads zeros.
    """
    if n == 1:
        stack.append(code[pc])
    elif n == 2:
        stack.append((code[pc] << 8) | code[pc + 1])
    else:
        stack.append(bytes_to_word(code[pc : pc + n]))
    return pc + n


def dup_n(stack: list[int], n: i64) -> None:
    """DUP1-DUP16 (0x80-0x8f): copy the n-th item to the top.

    DUP and SWAP move items as objects: read as `int`, mypyc would unbox every item and box it
    again (allocating a new int for each value above 256) to store it back.
    """
    items = cast(list[object], stack)
    items.append(items[-n])


def swap_n(stack: list[int], n: i64) -> None:
    """SWAP1-SWAP16 (0x90-0x9f): exchange the top with the (n+1)-th item, moved as objects."""
    items = cast(list[object], stack)
    top = items[-1]
    items[-1] = items[-1 - n]
    items[-1 - n] = top
