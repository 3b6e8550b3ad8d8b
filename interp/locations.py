"""What a read or a write names: one int per location, cheap to hash and safe to share.

Balance, nonce and code of an account are separate locations, so a balance change does not
conflict with a nonce read. `STORAGE_GEN` is written when an account's storage is wiped
(SELFDESTRUCT, EIP-161 deletion); storage reads also read it, which makes a destroyed and
re-created account conflict precisely, slot by slot, without a sequential fallback.

Layout: kind in the bits above 416, the address in bits 256..415, the slot in bits 0..255.
"""

from __future__ import annotations

from typing import Final

STORAGE: Final = 0
BALANCE: Final = 1
NONCE: Final = 2
CODE: Final = 3
EXISTS: Final = 4
STORAGE_GEN: Final = 5

KIND_SHIFT: Final = 416
ADDRESS_SHIFT: Final = 256
_ADDRESS_MASK: Final = (1 << 160) - 1
_SLOT_MASK: Final = (1 << 256) - 1

KIND_NAMES: Final = ("storage", "balance", "nonce", "code", "exists", "storage-gen")


def storage_loc(address: int, slot: int) -> int:
    return (address << ADDRESS_SHIFT) | slot


def account_loc(kind: int, address: int) -> int:
    """Location of an account field: BALANCE, NONCE, CODE, EXISTS or STORAGE_GEN."""
    return (kind << KIND_SHIFT) | (address << ADDRESS_SHIFT)


def loc_kind(loc: int) -> int:
    return loc >> KIND_SHIFT


def loc_address(loc: int) -> int:
    return (loc >> ADDRESS_SHIFT) & _ADDRESS_MASK


def loc_slot(loc: int) -> int:
    return loc & _SLOT_MASK


def describe(loc: int) -> str:
    """Human-readable location, for error messages and analysis output."""
    kind = loc_kind(loc)
    address = f"0x{loc_address(loc):040x}"
    if kind == STORAGE:
        return f"storage({address}, 0x{loc_slot(loc):x})"
    return f"{KIND_NAMES[kind]}({address})"
