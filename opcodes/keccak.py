"""KECCAK256 (0x20)."""

from __future__ import annotations

from interp.frame import Frame
from interp.gas import KECCAK_WORD, charge, expand_memory, words
from interp.words import bytes_to_word
from primitives.keccak import keccak256 as keccak


def keccak256(f: Frame) -> None:
    """KECCAK256 (0x20): offset, size -> keccak256(memory[offset:offset+size])."""
    # STACK
    stack = f.stack
    offset = stack.pop()
    size = stack[-1]
    # GAS
    expand_memory(f, offset, size)
    charge(f, KECCAK_WORD * words(size))
    # OPERATION
    stack[-1] = bytes_to_word(keccak(f.memory[offset : offset + size]))
