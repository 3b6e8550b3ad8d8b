"""Code analysed once per code hash: padded code plus a jump-destination map.

The padding (33 zero bytes) lets the loop read a PUSH32 immediate or the implicit final STOP
without bounds checks. `CodeAnalysis` objects are immutable after construction, so worker
threads share them freely; whoever loads code (the state, a CREATE) analyses it once and keeps
the result keyed by hash.
"""

from __future__ import annotations

from typing import Final, final

from mypy_extensions import i64

from primitives.keccak import keccak256

JUMPDEST: Final = 0x5B
PUSH1: Final = 0x60
PUSH32: Final = 0x7F
PADDING: Final = bytes(33)


@final
class CodeAnalysis:
    """Immutable: the code, its hash, the padded copy the loop reads and valid jump targets."""

    code: Final[bytes]
    hash: Final[bytes]
    padded: Final[bytes]
    jumpdests: Final[bytes]  # one byte per code position: 1 where a JUMPDEST opcode starts
    size: Final[int]  # an int: compared with 256-bit jump targets

    def __init__(self, code: bytes, code_hash: bytes) -> None:
        self.code = code
        self.hash = code_hash
        self.padded = code + PADDING
        self.jumpdests = jump_destinations(code)
        self.size = len(code)


def jump_destinations(code: bytes) -> bytes:
    """Mark JUMPDEST bytes that are opcodes, not PUSH immediates."""
    size: i64 = len(code)
    marks = bytearray(size)
    pc: i64 = 0
    while pc < size:
        op = code[pc]
        if op == JUMPDEST:
            marks[pc] = 1
        elif PUSH1 <= op <= PUSH32:
            pc += op - PUSH1 + 1
        pc += 1
    return bytes(marks)


def analyse(code: bytes) -> CodeAnalysis:
    return CodeAnalysis(code, keccak256(code))


EMPTY_CODE: Final = analyse(b"")
