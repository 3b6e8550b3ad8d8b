"""One traits table: per opcode its mnemonic, immediate size, stack inputs and outputs, and the
fork that introduced it (evmone's `Traits`). The dispatcher's stack checks come from here.
"""

from __future__ import annotations

from typing import Final, final

from interp.forks import (
    BYZANTIUM,
    CANCUN,
    CONSTANTINOPLE,
    FRONTIER,
    HOMESTEAD,
    ISTANBUL,
    LONDON,
    OSAKA,
    SHANGHAI,
)

STACK_LIMIT: Final = 1024


@final
class Traits:
    __slots__ = ("name", "immediate", "inputs", "outputs", "since")

    def __init__(self, name: str, immediate: int, inputs: int, outputs: int, since: int) -> None:
        self.name: Final = name
        self.immediate: Final = immediate
        self.inputs: Final = inputs
        self.outputs: Final = outputs
        self.since: Final = since


# opcode: (mnemonic, inputs, outputs, since)
_DEFINED: Final[dict[int, tuple[str, int, int, int]]] = {
    0x00: ("STOP", 0, 0, FRONTIER),
    0x01: ("ADD", 2, 1, FRONTIER),
    0x02: ("MUL", 2, 1, FRONTIER),
    0x03: ("SUB", 2, 1, FRONTIER),
    0x04: ("DIV", 2, 1, FRONTIER),
    0x05: ("SDIV", 2, 1, FRONTIER),
    0x06: ("MOD", 2, 1, FRONTIER),
    0x07: ("SMOD", 2, 1, FRONTIER),
    0x08: ("ADDMOD", 3, 1, FRONTIER),
    0x09: ("MULMOD", 3, 1, FRONTIER),
    0x0A: ("EXP", 2, 1, FRONTIER),
    0x0B: ("SIGNEXTEND", 2, 1, FRONTIER),
    0x10: ("LT", 2, 1, FRONTIER),
    0x11: ("GT", 2, 1, FRONTIER),
    0x12: ("SLT", 2, 1, FRONTIER),
    0x13: ("SGT", 2, 1, FRONTIER),
    0x14: ("EQ", 2, 1, FRONTIER),
    0x15: ("ISZERO", 1, 1, FRONTIER),
    0x16: ("AND", 2, 1, FRONTIER),
    0x17: ("OR", 2, 1, FRONTIER),
    0x18: ("XOR", 2, 1, FRONTIER),
    0x19: ("NOT", 1, 1, FRONTIER),
    0x1A: ("BYTE", 2, 1, FRONTIER),
    0x1B: ("SHL", 2, 1, CONSTANTINOPLE),
    0x1C: ("SHR", 2, 1, CONSTANTINOPLE),
    0x1D: ("SAR", 2, 1, CONSTANTINOPLE),
    0x1E: ("CLZ", 1, 1, OSAKA),
    0x20: ("KECCAK256", 2, 1, FRONTIER),
    0x30: ("ADDRESS", 0, 1, FRONTIER),
    0x31: ("BALANCE", 1, 1, FRONTIER),
    0x32: ("ORIGIN", 0, 1, FRONTIER),
    0x33: ("CALLER", 0, 1, FRONTIER),
    0x34: ("CALLVALUE", 0, 1, FRONTIER),
    0x35: ("CALLDATALOAD", 1, 1, FRONTIER),
    0x36: ("CALLDATASIZE", 0, 1, FRONTIER),
    0x37: ("CALLDATACOPY", 3, 0, FRONTIER),
    0x38: ("CODESIZE", 0, 1, FRONTIER),
    0x39: ("CODECOPY", 3, 0, FRONTIER),
    0x3A: ("GASPRICE", 0, 1, FRONTIER),
    0x3B: ("EXTCODESIZE", 1, 1, FRONTIER),
    0x3C: ("EXTCODECOPY", 4, 0, FRONTIER),
    0x3D: ("RETURNDATASIZE", 0, 1, BYZANTIUM),
    0x3E: ("RETURNDATACOPY", 3, 0, BYZANTIUM),
    0x3F: ("EXTCODEHASH", 1, 1, CONSTANTINOPLE),
    0x40: ("BLOCKHASH", 1, 1, FRONTIER),
    0x41: ("COINBASE", 0, 1, FRONTIER),
    0x42: ("TIMESTAMP", 0, 1, FRONTIER),
    0x43: ("NUMBER", 0, 1, FRONTIER),
    0x44: ("PREVRANDAO", 0, 1, FRONTIER),  # DIFFICULTY before the Merge
    0x45: ("GASLIMIT", 0, 1, FRONTIER),
    0x46: ("CHAINID", 0, 1, ISTANBUL),
    0x47: ("SELFBALANCE", 0, 1, ISTANBUL),
    0x48: ("BASEFEE", 0, 1, LONDON),
    0x49: ("BLOBHASH", 1, 1, CANCUN),
    0x4A: ("BLOBBASEFEE", 0, 1, CANCUN),
    0x50: ("POP", 1, 0, FRONTIER),
    0x51: ("MLOAD", 1, 1, FRONTIER),
    0x52: ("MSTORE", 2, 0, FRONTIER),
    0x53: ("MSTORE8", 2, 0, FRONTIER),
    0x54: ("SLOAD", 1, 1, FRONTIER),
    0x55: ("SSTORE", 2, 0, FRONTIER),
    0x56: ("JUMP", 1, 0, FRONTIER),
    0x57: ("JUMPI", 2, 0, FRONTIER),
    0x58: ("PC", 0, 1, FRONTIER),
    0x59: ("MSIZE", 0, 1, FRONTIER),
    0x5A: ("GAS", 0, 1, FRONTIER),
    0x5B: ("JUMPDEST", 0, 0, FRONTIER),
    0x5C: ("TLOAD", 1, 1, CANCUN),
    0x5D: ("TSTORE", 2, 0, CANCUN),
    0x5E: ("MCOPY", 3, 0, CANCUN),
    0x5F: ("PUSH0", 0, 1, SHANGHAI),
    0xA0: ("LOG0", 2, 0, FRONTIER),
    0xA1: ("LOG1", 3, 0, FRONTIER),
    0xA2: ("LOG2", 4, 0, FRONTIER),
    0xA3: ("LOG3", 5, 0, FRONTIER),
    0xA4: ("LOG4", 6, 0, FRONTIER),
    0xF0: ("CREATE", 3, 1, FRONTIER),
    0xF1: ("CALL", 7, 1, FRONTIER),
    0xF2: ("CALLCODE", 7, 1, FRONTIER),
    0xF3: ("RETURN", 2, 0, FRONTIER),
    0xF4: ("DELEGATECALL", 6, 1, HOMESTEAD),
    0xF5: ("CREATE2", 4, 1, CONSTANTINOPLE),
    0xFA: ("STATICCALL", 6, 1, BYZANTIUM),
    0xFD: ("REVERT", 2, 0, BYZANTIUM),
    0xFE: ("INVALID", 0, 0, FRONTIER),
    0xFF: ("SELFDESTRUCT", 1, 0, FRONTIER),
}


def _traits(opcode: int) -> Traits:
    if 0x60 <= opcode <= 0x7F:
        n = opcode - 0x5F
        return Traits(f"PUSH{n}", n, 0, 1, FRONTIER)
    if 0x80 <= opcode <= 0x8F:
        n = opcode - 0x7F
        return Traits(f"DUP{n}", 0, n, n + 1, FRONTIER)
    if 0x90 <= opcode <= 0x9F:
        n = opcode - 0x8F
        return Traits(f"SWAP{n}", 0, n + 1, n + 1, FRONTIER)
    if opcode in _DEFINED:
        name, inputs, outputs, since = _DEFINED[opcode]
        return Traits(name, 0, inputs, outputs, since)
    return Traits(f"0x{opcode:02x}", 0, 0, 0, -1)


TRAITS: Final[tuple[Traits, ...]] = tuple(_traits(op) for op in range(256))
# The dispatcher's stack checks, as `bytes` for the same reason as `OpcodeTable.static`: at
# least STACK_MIN items before the opcode, and at most STACK_LIMIT after it grows the stack by
# STACK_GROWTH (0 or 1: no opcode pushes more than one item beyond what it pops).
STACK_MIN: Final[bytes] = bytes(t.inputs for t in TRAITS)
STACK_GROWTH: Final[bytes] = bytes(max(0, t.outputs - t.inputs) for t in TRAITS)


def mnemonic(opcode: int) -> str:
    return TRAITS[opcode].name
