"""Control flow: STOP, JUMP, JUMPI, PC, GAS. Jumps return the next pc; JUMPDEST (a no-op that
marks targets) needs no handler."""

from __future__ import annotations

from mypy_extensions import i64

from interp.errors import InvalidJump
from interp.frame import Frame


def stop(f: Frame) -> None:
    """STOP (0x00): halt with empty output."""
    f.output = b""


def _target(f: Frame, destination: int) -> i64:
    code = f.code
    if destination >= code.size or code.jumpdests[destination] == 0:
        raise InvalidJump
    return destination


def jump(f: Frame) -> i64:
    """JUMP (0x56): destination ->."""
    return _target(f, f.stack.pop())


def jumpi(f: Frame, pc: i64) -> i64:
    """JUMPI (0x57): destination, condition ->; jumps when condition is not zero."""
    stack = f.stack
    destination = stack.pop()
    if stack.pop() == 0:
        return pc
    return _target(f, destination)


def pc(stack: list[int], pc_of_opcode: i64) -> None:
    """PC (0x58): -> position of this opcode."""
    stack.append(pc_of_opcode)


def gas(f: Frame) -> None:
    """GAS (0x5a): -> gas left after paying for this opcode."""
    f.stack.append(f.gas)
