"""A tiny EVM assembler for tests, workloads and fuzzing.

`assemble(["PUSH1", 1, "PUSH1", 0, "SSTORE"])` -> bytes. Items are mnemonics, ints (the
immediate of the preceding PUSHn, or a bare value that `PUSH` sizes itself), and labels:
a string ending in ':' defines a label (and emits JUMPDEST), `("@", name)` pushes its offset
as PUSH2.
"""

from __future__ import annotations

from opcodes.traits import TRAITS

_OPCODES = {traits.name: opcode for opcode, traits in enumerate(TRAITS) if not traits.name.startswith("0x")}
_OPCODES["DIFFICULTY"] = 0x44
_OPCODES["SHA3"] = 0x20
_OPCODES["SUICIDE"] = 0xFF


def push(value: int) -> list[object]:
    """The shortest PUSH of `value` (PUSH1 for 0, to stay valid before Shanghai)."""
    size = max(1, (value.bit_length() + 7) // 8)
    return [f"PUSH{size}", value]


def assemble(program: list[object]) -> bytes:
    labels: dict[str, int] = {}
    for pass_number in (0, 1):
        out = bytearray()
        pending_immediate = 0
        for item in program:
            if isinstance(item, tuple):
                out += b"\x61" + labels.get(str(item[1]), 0).to_bytes(2, "big")
            elif isinstance(item, int):
                if pending_immediate == 0:
                    raise ValueError(f"value {item} without a PUSH before it")
                out += item.to_bytes(pending_immediate, "big")
                pending_immediate = 0
            elif isinstance(item, str) and item.endswith(":"):
                labels[item[:-1]] = len(out)
                out.append(0x5B)
            elif isinstance(item, str):
                name = item.upper()
                if name not in _OPCODES:
                    raise ValueError(f"unknown mnemonic {item!r}")
                opcode = _OPCODES[name]
                out.append(opcode)
                if 0x60 <= opcode <= 0x7F:
                    pending_immediate = opcode - 0x5F
            else:
                raise ValueError(f"cannot assemble {item!r}")
        if pass_number == 1:
            return bytes(out)
    raise AssertionError("unreachable")
