"""Per-fork opcode tables: Frontier's static gas, then each fork as the previous one plus a diff.

An undefined opcode costs -1 (the dispatcher raises InvalidOpcode). Dynamic costs (memory,
cold access, copies, EXP bytes) are charged by the handlers. Where an opcode's meaning changed
rather than its price, the table names the handler variant to run (SSTORE's gas schedules).
"""

from __future__ import annotations

from typing import Final, final

from interp.forks import (
    BERLIN,
    BYZANTIUM,
    CANCUN,
    CONSTANTINOPLE,
    FORK_NAMES,
    HOMESTEAD,
    ISTANBUL,
    LONDON,
    OSAKA,
    PETERSBURG,
    SHANGHAI,
    TANGERINE_WHISTLE,
)

# SSTORE variants (opcodes/storage.py)
SSTORE_FRONTIER: Final = 0
SSTORE_EIP1283: Final = 1
SSTORE_EIP2200: Final = 2
SSTORE_EIP2929: Final = 3

UNDEFINED: Final = -1
# The dispatcher's copy of the gas column: two big-endian bytes per opcode, 0xFFFF where the
# opcode is undefined. Indexing `bytes` under mypyc yields a native int with no reference
# counting, where a tuple item costs an incref and an unboxing per opcode (~10% of W1).
UNDEFINED_STATIC: Final = 0xFFFF


def _static_bytes(gas: tuple[int, ...]) -> bytes:
    assert all(cost < UNDEFINED_STATIC for cost in gas)
    return b"".join((UNDEFINED_STATIC if cost == UNDEFINED else cost).to_bytes(2, "big") for cost in gas)


@final
class OpcodeTable:
    """Immutable per-fork table shared by every frame of that fork."""

    __slots__ = ("fork", "gas", "static", "sstore")

    def __init__(self, fork: int, gas: tuple[int, ...], sstore: int) -> None:
        self.fork: Final = fork
        self.gas: Final = gas
        self.static: Final = _static_bytes(gas)
        self.sstore: Final = sstore


def _frontier() -> list[int]:
    gas = [UNDEFINED] * 256
    for op, cost in (
        (0x00, 0), (0x01, 3), (0x02, 5), (0x03, 3), (0x04, 5), (0x05, 5), (0x06, 5), (0x07, 5),
        (0x08, 8), (0x09, 8), (0x0A, 10), (0x0B, 5),
        (0x10, 3), (0x11, 3), (0x12, 3), (0x13, 3), (0x14, 3), (0x15, 3), (0x16, 3), (0x17, 3),
        (0x18, 3), (0x19, 3), (0x1A, 3),
        (0x20, 30),
        (0x30, 2), (0x31, 20), (0x32, 2), (0x33, 2), (0x34, 2), (0x35, 3), (0x36, 2), (0x37, 3),
        (0x38, 2), (0x39, 3), (0x3A, 2), (0x3B, 20), (0x3C, 20),
        (0x40, 20), (0x41, 2), (0x42, 2), (0x43, 2), (0x44, 2), (0x45, 2),
        (0x50, 2), (0x51, 3), (0x52, 3), (0x53, 3), (0x54, 50), (0x55, 0), (0x56, 8), (0x57, 10),
        (0x58, 2), (0x59, 2), (0x5A, 2), (0x5B, 1),
        (0xA0, 375), (0xA1, 750), (0xA2, 1125), (0xA3, 1500), (0xA4, 1875),
        (0xF0, 32000), (0xF1, 40), (0xF2, 40), (0xF3, 0), (0xFF, 0),
    ):  # fmt: skip
        gas[op] = cost
    for op in range(0x60, 0xA0):  # PUSH1-32, DUP1-16, SWAP1-16
        gas[op] = 3
    return gas


def _build() -> tuple[OpcodeTable, ...]:
    gas = _frontier()
    sstore = SSTORE_FRONTIER
    tables: list[OpcodeTable] = []
    for fork in range(len(FORK_NAMES)):
        if fork == HOMESTEAD:
            gas[0xF4] = 40  # EIP-7 DELEGATECALL
        elif fork == TANGERINE_WHISTLE:  # EIP-150 repricing
            gas[0x31] = 400  # BALANCE
            gas[0x3B] = 700  # EXTCODESIZE
            gas[0x3C] = 700  # EXTCODECOPY
            gas[0x54] = 200  # SLOAD
            gas[0xF1] = gas[0xF2] = gas[0xF4] = 700  # CALL, CALLCODE, DELEGATECALL
            gas[0xFF] = 5000  # SELFDESTRUCT
        elif fork == BYZANTIUM:
            gas[0x3D] = 2  # EIP-211 RETURNDATASIZE
            gas[0x3E] = 3  # EIP-211 RETURNDATACOPY
            gas[0xFA] = 700  # EIP-214 STATICCALL
            gas[0xFD] = 0  # EIP-140 REVERT
        elif fork == CONSTANTINOPLE:
            gas[0x1B] = gas[0x1C] = gas[0x1D] = 3  # EIP-145 SHL, SHR, SAR
            gas[0x3F] = 400  # EIP-1052 EXTCODEHASH
            gas[0xF5] = 32000  # EIP-1014 CREATE2
            sstore = SSTORE_EIP1283  # EIP-1283 net gas metering
        elif fork == PETERSBURG:
            sstore = SSTORE_FRONTIER  # EIP-1283 withdrawn
        elif fork == ISTANBUL:
            gas[0x31] = 700  # EIP-1884 BALANCE
            gas[0x3F] = 700  # EIP-1884 EXTCODEHASH
            gas[0x54] = 800  # EIP-1884 SLOAD
            gas[0x46] = 2  # EIP-1344 CHAINID
            gas[0x47] = 5  # EIP-1884 SELFBALANCE
            sstore = SSTORE_EIP2200  # EIP-2200 net gas metering
        elif fork == BERLIN:
            # EIP-2929: the static part is the warm cost; handlers add the cold surcharge.
            for op in (0x31, 0x3B, 0x3C, 0x3F, 0x54, 0xF1, 0xF2, 0xF4, 0xFA):
                gas[op] = 100
            sstore = SSTORE_EIP2929
        elif fork == LONDON:
            gas[0x48] = 2  # EIP-3198 BASEFEE
        elif fork == SHANGHAI:
            gas[0x5F] = 2  # EIP-3855 PUSH0
        elif fork == CANCUN:
            gas[0x5C] = 100  # EIP-1153 TLOAD
            gas[0x5D] = 100  # EIP-1153 TSTORE
            gas[0x5E] = 3  # EIP-5656 MCOPY
            gas[0x49] = 3  # EIP-4844 BLOBHASH
            gas[0x4A] = 2  # EIP-7516 BLOBBASEFEE
        elif fork == OSAKA:
            gas[0x1E] = 5  # EIP-7939 CLZ
        tables.append(OpcodeTable(fork, tuple(gas), sstore))
    return tuple(tables)


TABLES: Final[tuple[OpcodeTable, ...]] = _build()


def table(fork: int) -> OpcodeTable:
    return TABLES[fork]
