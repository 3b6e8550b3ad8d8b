"""Memory opcodes: MLOAD, MSTORE, MSTORE8, MSIZE, MCOPY."""

from __future__ import annotations

import struct
from typing import Any, Final

from interp.frame import Frame
from interp.gas import COPY_WORD, charge, expand_memory, words
from interp.words import bytes_to_word

# A word's 32 bytes written in place: assigning `bytes` to a bytearray slice first copies them
# into a new bytearray (CPython 3.13), 135 ns against 75 ns for this under mypyc.
_STORE_WORD: Final[Any] = struct.Struct("32s").pack_into


def mload(f: Frame) -> None:
    """MLOAD (0x51): offset -> memory[offset:offset+32]."""
    # STACK
    stack = f.stack
    offset = stack[-1]
    # GAS
    expand_memory(f, offset, 32)
    # OPERATION
    stack[-1] = bytes_to_word(f.memory[offset : offset + 32])


def mstore(f: Frame) -> None:
    """MSTORE (0x52): offset, value ->."""
    stack = f.stack
    offset = stack.pop()
    value = stack.pop()
    expand_memory(f, offset, 32)
    _STORE_WORD(f.memory, offset, value.to_bytes(32, "big"))


def mstore8(f: Frame) -> None:
    """MSTORE8 (0x53): offset, value -> (stores the low byte)."""
    stack = f.stack
    offset = stack.pop()
    value = stack.pop()
    expand_memory(f, offset, 1)
    f.memory[offset] = value & 0xFF


def msize(f: Frame) -> None:
    """MSIZE (0x59): -> memory size in bytes."""
    f.stack.append(len(f.memory))


def mcopy(f: Frame) -> None:
    """MCOPY (0x5e): dest, src, size ->. EIP-5656."""
    # STACK
    stack = f.stack
    dest = stack.pop()
    src = stack.pop()
    size = stack.pop()
    # GAS
    expand_memory(f, max(dest, src), size)
    charge(f, COPY_WORD * words(size))
    # OPERATION
    if size:
        memory = f.memory
        memory[dest : dest + size] = memory[src : src + size]
