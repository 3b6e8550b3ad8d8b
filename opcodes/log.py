"""LOG0-LOG4 (0xa0-0xa4)."""

from __future__ import annotations

from mypy_extensions import i64

from interp.errors import WriteInStaticContext
from interp.frame import Frame
from interp.gas import LOG_DATA_BYTE, charge, expand_memory
from interp.journal import Log


def log_n(f: Frame, n: i64) -> None:
    """LOGn (0xa0+n): offset, size, topic1..topicn -> (appends a log)."""
    # STACK
    stack = f.stack
    offset = stack.pop()
    size = stack.pop()
    topics: list[bytes] = []
    for _ in range(n):
        topics.append(stack.pop().to_bytes(32, "big"))
    # GAS
    expand_memory(f, offset, size)
    charge(f, LOG_DATA_BYTE * size)
    # OPERATION
    if f.msg.is_static:
        raise WriteInStaticContext
    data = bytes(f.memory[offset : offset + size])
    f.ctx.journal.add_log(Log(f.msg.target, tuple(topics), data))
