"""Multi-version memory: for every location, the value each transaction last wrote there.

A read by transaction `tx` returns the write of the highest transaction below `tx` (or
NOT_FOUND, meaning the block's base state), and raises `Blocked` when that write is an ESTIMATE
left by an aborted incarnation. Balance writes may be lazy `BalanceDelta`s: a balance read folds
the deltas below it down to the nearest absolute value. Storage reads honour wipes (the
account's STORAGE_GEN location): a slot reads 0 when a wipe is newer than its last write.

Validation is by value: a transaction's read set maps each location to the value it saw, and
it stays valid while every location still resolves to an equal value.

Free-threading: this module is deliberately not compiled (mypyc objects mutated by one thread
while another reads them crashed 3.13t). Every location of one account shares one lock out of
`SHARDS`, so a read that looks at a slot and at its account's wipe marker holds a single lock;
there is no process-wide lock on the read path.
"""

from __future__ import annotations

import threading
from bisect import bisect_left, insort
from typing import Final

from interp.analysis import CodeAnalysis
from interp.delta import BalanceDelta
from interp.locations import (
    BALANCE,
    CODE,
    EXISTS,
    NONCE,
    STORAGE,
    STORAGE_GEN,
    account_loc,
    loc_address,
    loc_kind,
    loc_slot,
    storage_loc,
)
from interp.plain_state import PlainState
from parallel.types import ESTIMATE, Blocked, Incarnation, TxIdx

SHARDS: Final = 64


class _NotFound:
    __slots__ = ()


NOT_FOUND: Final = _NotFound()


class _Cell:
    """The writes to one location: sorted writer indices and their entries."""

    __slots__ = ("writers", "entries")

    def __init__(self) -> None:
        self.writers: list[TxIdx] = []
        self.entries: dict[TxIdx, object] = {}  # tx -> (incarnation, value) or ESTIMATE


def same_value(a: object, b: object) -> bool:
    """Equality for validation; code compares by hash (each incarnation analyses its own)."""
    if isinstance(a, CodeAnalysis) and isinstance(b, CodeAnalysis):
        return a.hash == b.hash
    return a == b


class MvMemory:
    def __init__(self, block_size: int, base: PlainState) -> None:
        self._base: Final = base
        self._cells: dict[int, _Cell] = {}
        self._locks: Final = tuple(threading.Lock() for _ in range(SHARDS))
        self._last_writes: list[dict[int, object]] = [{} for _ in range(block_size)]
        self._last_reads: list[dict[int, object]] = [{} for _ in range(block_size)]
        # storage locations written per account, for EIP-7610 "has storage" checks
        self._written_slots: dict[int, set[int]] = {}

    def _lock(self, address: int) -> threading.Lock:
        return self._locks[hash(address) % SHARDS]

    # --- writing ----------------------------------------------------------------------------
    def record(self, tx: TxIdx, incarnation: Incarnation, reads: dict[int, object], writes: dict[int, object]) -> bool:
        """Store an incarnation's reads and writes; True when it wrote a location the previous
        incarnation did not (higher transactions must then be validated again)."""
        previous = self._last_writes[tx]
        wrote_new = False
        for loc, value in writes.items():
            address = loc_address(loc)
            with self._lock(address):
                cell = self._cells.get(loc)
                if cell is None:
                    cell = _Cell()
                    self._cells[loc] = cell
                if tx not in cell.entries:
                    insort(cell.writers, tx)
                cell.entries[tx] = (incarnation, value)
                if loc_kind(loc) == STORAGE:
                    slots = self._written_slots.get(address)
                    if slots is None:
                        slots = set()
                        self._written_slots[address] = slots
                    slots.add(loc)
            if loc not in previous:
                wrote_new = True
        for loc in previous:
            if loc not in writes:
                with self._lock(loc_address(loc)):
                    cell = self._cells[loc]
                    del cell.entries[tx]
                    cell.writers.remove(tx)
        self._last_writes[tx] = writes
        self._last_reads[tx] = reads
        return wrote_new

    def convert_writes_to_estimates(self, tx: TxIdx) -> None:
        """An aborted incarnation's writes become ESTIMATEs until it executes again."""
        for loc in self._last_writes[tx]:
            with self._lock(loc_address(loc)):
                self._cells[loc].entries[tx] = ESTIMATE

    def last_writes(self, tx: TxIdx) -> dict[int, object]:
        return self._last_writes[tx]

    # --- reading (callers hold no lock) -----------------------------------------------------
    def _below(self, cell: _Cell | None, tx: TxIdx) -> int:
        """Position after the highest writer below tx in cell.writers (0: none)."""
        if cell is None:
            return 0
        return bisect_left(cell.writers, tx)

    def _value_at(self, cell: _Cell, position: int) -> object:
        writer = cell.writers[position - 1]
        entry = cell.entries[writer]
        if entry is ESTIMATE:
            raise Blocked(writer)
        assert isinstance(entry, tuple)
        return entry[1]

    def read(self, loc: int, tx: TxIdx) -> object:
        """The value of a nonce, code or exists location as `tx` sees it, or NOT_FOUND."""
        with self._lock(loc_address(loc)):
            cell = self._cells.get(loc)
            position = self._below(cell, tx)
            if position == 0:
                return NOT_FOUND
            assert cell is not None
            return self._value_at(cell, position)

    def read_balance(self, address: int, tx: TxIdx) -> int:
        """Fold lazy credits below `tx` down to the nearest absolute balance (or the base)."""
        total = 0
        with self._lock(address):
            cell = self._cells.get(account_loc(BALANCE, address))
            position = self._below(cell, tx)
            while position > 0:
                assert cell is not None
                value = self._value_at(cell, position)
                if isinstance(value, BalanceDelta):
                    total += value.amount
                    position -= 1
                    continue
                assert isinstance(value, int)
                return value + total
        return self._base.balance(address) + total

    def read_storage(self, address: int, slot: int, tx: TxIdx) -> int:
        """A slot's value: its newest write below `tx`, unless a wipe came after it."""
        with self._lock(address):
            cell = self._cells.get(storage_loc(address, slot))
            position = self._below(cell, tx)
            wipes = self._cells.get(account_loc(STORAGE_GEN, address))
            wipe_position = self._below(wipes, tx)
            slot_writer = cell.writers[position - 1] if cell is not None and position > 0 else -1
            wiper = wipes.writers[wipe_position - 1] if wipes is not None and wipe_position > 0 else -1
            if wiper > slot_writer:
                assert wipes is not None
                self._value_at(wipes, wipe_position)  # raises Blocked on an ESTIMATE
                return 0
            if slot_writer >= 0:
                assert cell is not None
                value = self._value_at(cell, position)
                assert isinstance(value, int)
                return value
        return self._base.storage(address, slot)

    def has_storage(self, address: int, tx: TxIdx) -> bool:
        """EIP-7610: any non-zero slot as `tx` sees the account."""
        with self._lock(address):
            wipes = self._cells.get(account_loc(STORAGE_GEN, address))
            wipe_position = self._below(wipes, tx)
            wiper = -1
            if wipe_position > 0:
                assert wipes is not None
                self._value_at(wipes, wipe_position)
                wiper = wipes.writers[wipe_position - 1]
            for loc in self._written_slots.get(address, ()):
                cell = self._cells[loc]
                position = self._below(cell, tx)
                if position > 0 and cell.writers[position - 1] > wiper and self._value_at(cell, position) != 0:
                    return True
        if wiper >= 0:
            return False
        return self._base.has_storage(address)

    def resolve(self, loc: int, tx: TxIdx) -> object:
        """What a read of `loc` by `tx` returns now, by the same rules the view uses."""
        kind = loc_kind(loc)
        address = loc_address(loc)
        if kind == STORAGE:
            return self.read_storage(address, loc_slot(loc), tx)
        if kind == BALANCE:
            return self.read_balance(address, tx)
        if kind == STORAGE_GEN:
            return self.has_storage(address, tx)
        value = self.read(loc, tx)
        if value is not NOT_FOUND:
            return value
        if kind == NONCE:
            return self._base.nonce(address)
        if kind == CODE:
            return self._base.code(address)
        assert kind == EXISTS
        return self._base.exists(address)

    def validate_read_set(self, tx: TxIdx) -> bool:
        """True while every location `tx` read still resolves to the value it saw."""
        try:
            for loc, seen in self._last_reads[tx].items():
                if not same_value(self.resolve(loc, tx), seen):
                    return False
        except Blocked:
            return False
        return True
