"""What a read or a write names: one int per location, cheap to hash and safe to share.

Balance, nonce and code of an account are separate locations, so a balance change does not
conflict with a nonce read. `STORAGE_GEN` is written when an account's storage is wiped
(SELFDESTRUCT, EIP-161 deletion); storage reads also read it, which makes a destroyed and
re-created account conflict precisely, slot by slot, without a sequential fallback.

Layout: the kind in the low 3 bits, the address above it (bits 3..162), and for storage the
slot above that (bits 163..418). Account locations stay ~163-bit ints, cheap to build and split.
"""

from __future__ import annotations

from typing import Final

STORAGE: Final = 0
BALANCE: Final = 1
NONCE: Final = 2
CODE: Final = 3
EXISTS: Final = 4
STORAGE_GEN: Final = 5

KIND_BITS: Final = 3
KIND_MASK: Final = (1 << KIND_BITS) - 1
SLOT_SHIFT: Final = 160 + KIND_BITS
_ADDRESS_MASK: Final = (1 << 160) - 1
_SLOT_FLOOR: Final = 1 << SLOT_SHIFT  # storage locations of slot 1 and up start here

KIND_NAMES: Final = ("storage", "balance", "nonce", "code", "exists", "storage-gen")


def storage_loc(address: int, slot: int) -> int:
    return slot_loc(address << KIND_BITS, slot)


def slot_loc(base: int, slot: int) -> int:
    """Location of `slot` in the account whose `fields_base` is `base`."""
    return (slot << SLOT_SHIFT) | base


def fields_base(address: int) -> int:
    """The account's locations without their kind: `base | kind` is `account_loc(kind,
    address)` and `slot_loc(base, slot)` is `storage_loc(address, slot)`. Shifting a
    160-bit address allocates (~400 instructions under mypyc); the journal does it once per
    account and transaction instead of once per location."""
    return address << KIND_BITS


def account_loc(kind: int, address: int) -> int:
    """Location of an account field: BALANCE, NONCE, CODE, EXISTS or STORAGE_GEN."""
    return (address << KIND_BITS) | kind


def loc_kind(loc: int) -> int:
    # The remainder: `loc & KIND_MASK` builds its result digit by digit from a many-digit int,
    # ~1.5x slower on a storage location (the interpreter's `long_and` against `long_rem`).
    return loc % (KIND_MASK + 1)


def loc_address(loc: int) -> int:
    if loc < _SLOT_FLOOR:  # an account location (or slot 0): nothing above the address to mask
        return loc >> KIND_BITS
    return (loc >> KIND_BITS) & _ADDRESS_MASK


def loc_slot(loc: int) -> int:
    return loc >> SLOT_SHIFT


def describe(loc: int) -> str:
    """Human-readable location, for error messages and analysis output."""
    kind = loc_kind(loc)
    address = f"0x{loc_address(loc):040x}"
    if kind == STORAGE:
        return f"storage({address}, 0x{loc_slot(loc):x})"
    return f"{KIND_NAMES[kind]}({address})"
