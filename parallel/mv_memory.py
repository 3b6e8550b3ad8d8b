"""Multi-version memory: for every location, the value each transaction last wrote there.

A read by transaction `tx` returns the write of the highest transaction below `tx` (or
None, meaning the block's base state) and raises `Blocked` when that write is an ESTIMATE
left by an aborted incarnation. Balance writes may be lazy `BalanceDelta`s: a balance read folds
the deltas below it down to the nearest absolute value. Deltas are kept apart from absolute
values, in a per-location dict updated in place under the lock: the beneficiary receives one
from every transaction, and copying its snapshot on every write would cost O(n^2). Storage
reads honour wipes (the account's STORAGE_GEN location): a slot reads 0 when a wipe is newer
than its last write. Wipes are rare, so `wiped` names the accounts that ever had one in the
block, and storage reads of other accounts skip the check.

Validation is by value: a transaction's read set maps each location to the value it saw, and
it stays valid while every location still resolves to an equal value.

Free-threading. The `MvMemory` object is never mutated after construction (every attribute is
Final); the shared mutable state is builtin containers. Each location's writes are one
immutable `Snapshot` (writer indices, values), that writers replace copy-on-write under
one of `SHARDS` locks (all locations of an account share a lock). Readers take no lock: they
fetch the current snapshot, which no one mutates. A read racing a concurrent write may see the
older snapshot; Block-STM tolerates that, because the writer's `finish_execution` makes every
higher transaction validate again. Replaced snapshots and read/write sets are kept alive
until the block is done, so a lock-free reader never holds a reference to an object another
thread just freed: snapshots in `retired`, one list per shard appended under that shard's lock;
a transaction's superseded read and write sets in its own list, which only the thread
recording its current incarnation touches (Block-STM runs one incarnation at a time).
"""

from __future__ import annotations

import threading
from typing import Final, final

from interp.analysis import CodeAnalysis
from interp.delta import BalanceDelta
from interp.locations import (
    BALANCE,
    CODE,
    EXISTS,
    KIND_BITS,
    KIND_MASK,
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
from parallel.types import ESTIMATE, Blocked

SHARDS: Final = 64


def shard_of(loc: int) -> int:
    """The location's address modulo SHARDS, from its low bits: a remainder of the (up to
    419-bit) location, without splitting the address out of it."""
    return (loc % (SHARDS << KIND_BITS)) >> KIND_BITS


@final
class Snapshot:
    """A location's writes: sorted writer indices and their values (or ESTIMATE), and `lowest`,
    the lowest transaction that wrote the location at all in this block. `lowest` only goes
    down: while it is not below a transaction, no write that transaction could have read
    below itself ever existed, and its read of the location saw the base state.

    A native object, not a tuple: mypyc would unbox a fixed-length tuple into a C struct and
    box a *new* tuple when it is appended to `retired`, so the object the dict held would
    be freed while a lock-free reader was still taking its reference (a crash seen once in
    a few hundred 2-worker runs). Never mutated: writers replace the whole object."""

    def __init__(self, writers: tuple[int, ...], values: tuple[object, ...], lowest: int) -> None:
        self.writers: Final = writers
        self.values: Final = values
        self.lowest: Final = lowest


VALID: Final = -2  # validate_read_set: every read still sees what it saw


def below(writers: tuple[int, ...], tx: int) -> int:
    """How many writers are below `tx` (the position after the nearest lower writer)."""
    low = 0
    high = len(writers)
    while low < high:
        middle = (low + high) >> 1
        if writers[middle] < tx:
            low = middle + 1
        else:
            high = middle
    return low


# A location no transaction wrote has no snapshot: `cells.get` returns None. (A shared
# placeholder snapshot would cost every worker an atomic reference count change on one object
# per read: objects made by another thread are counted atomically under free-threading.)


def position_in(snapshot: Snapshot | None, tx: int) -> int:
    """`below` for a location that may never have been written."""
    return 0 if snapshot is None else below(snapshot.writers, tx)


def writer_at(snapshot: Snapshot | None, position: int) -> int:
    """The writer before `position` (see `below`), or -1 when there is none."""
    if snapshot is None or position == 0:
        return -1
    return snapshot.writers[position - 1]


def value_at(snapshot: Snapshot | None, position: int) -> object:
    """The value written by writers[position - 1]; Blocked when it is an ESTIMATE."""
    assert snapshot is not None and position > 0
    value = snapshot.values[position - 1]
    if value is ESTIMATE:
        raise Blocked(snapshot.writers[position - 1])
    return value


def same_value(a: object, b: object) -> bool:
    """Equality for validation; code compares by hash (each incarnation analyses its own)."""
    if isinstance(a, CodeAnalysis) and isinstance(b, CodeAnalysis):
        return a.hash == b.hash
    return a == b


@final
class MvMemory:
    base: Final[PlainState]
    cells: Final[dict[int, Snapshot]]
    locks: Final[tuple[threading.Lock, ...]]
    last_writes: Final[list[dict[int, object]]]
    last_reads: Final[list[dict[int, object]]]
    deltas: Final[dict[int, dict[int, object]]]  # balance location -> {tx: BalanceDelta or ESTIMATE}
    written_slots: Final[dict[int, set[int]]]  # storage locations written per account (EIP-7610)
    wiped: Final[dict[int, bool]]  # accounts with a STORAGE_GEN write (a dict: lock-free lookups)
    retired: Final[tuple[list[object], ...]]  # per shard
    superseded: Final[list[list[object]]]  # per transaction: its earlier read and write sets

    def __init__(self, block_size: int, base: PlainState) -> None:
        self.base = base
        self.cells = {}
        self.deltas = {}
        self.locks = tuple(threading.Lock() for _ in range(SHARDS))
        self.last_writes = [{} for _ in range(block_size)]
        self.last_reads = [{} for _ in range(block_size)]
        self.written_slots = {}
        self.wiped = {}
        self.retired = tuple([] for _ in range(SHARDS))
        self.superseded = [[] for _ in range(block_size)]

    # --- writing (under the account's shard lock) ---------------------------------------------
    def _put(self, shard: int, loc: int, tx: int, value: object) -> None:
        snapshot = self.cells.get(loc)
        if snapshot is None:  # the common case: the location's first writer
            self.cells[loc] = Snapshot((tx,), (value,), tx)
            return
        self.retired[shard].append(snapshot)
        writers, values = snapshot.writers, snapshot.values
        lowest = min(snapshot.lowest, tx)
        position = below(writers, tx)
        if position == len(writers):
            self.cells[loc] = Snapshot(writers + (tx,), values + (value,), lowest)
        elif writers[position] == tx:
            self.cells[loc] = Snapshot(writers, values[:position] + (value,) + values[position + 1 :], lowest)
        else:
            self.cells[loc] = Snapshot(
                writers[:position] + (tx,) + writers[position:],
                values[:position] + (value,) + values[position:],
                lowest,
            )

    def _remove(self, shard: int, loc: int, tx: int) -> None:
        snapshot = self.cells.get(loc)
        if snapshot is None:
            return
        writers, values = snapshot.writers, snapshot.values
        position = below(writers, tx)
        if position < len(writers) and writers[position] == tx:
            self.retired[shard].append(snapshot)
            self.cells[loc] = Snapshot(writers[:position] + writers[position + 1 :], values[:position] + values[position + 1 :],
                                       snapshot.lowest)  # fmt: skip

    def _put_delta(self, loc: int, tx: int, value: object) -> None:
        entries = self.deltas.get(loc)
        if entries is None:
            entries = {}
            self.deltas[loc] = entries
        entries[tx] = value

    def _remove_delta(self, loc: int, tx: int) -> None:
        entries = self.deltas.get(loc)
        if entries is not None:
            entries.pop(tx, None)

    def _publish(self, shard: int, loc: int, kind: int, tx: int, value: object, rewritten: bool) -> None:
        """One write of `tx`, under the lock of `shard`."""
        if isinstance(value, BalanceDelta):
            self._put_delta(loc, tx, value)
            if rewritten:
                self._remove(shard, loc, tx)
        else:
            self._put(shard, loc, tx, value)
            if rewritten and kind == BALANCE:
                self._remove_delta(loc, tx)
        if kind == STORAGE_GEN:
            self.wiped[loc_address(loc)] = True  # before a storage read can meet the wipe
        elif kind == STORAGE:
            address = loc_address(loc)
            slots = self.written_slots.get(address)
            if slots is None:
                slots = set()
                self.written_slots[address] = slots
            slots.add(loc)

    def record(self, tx: int, reads: dict[int, object], writes: dict[int, object]) -> bool:
        """Publish an incarnation's reads and writes; True when it wrote a location the previous
        incarnation did not (higher transactions must then be validated again)."""
        previous = self.last_writes[tx]
        wrote_new = False
        held = -1  # the shard whose lock is held: consecutive writes to one account share it
        try:
            for loc, value in writes.items():
                low = loc % (SHARDS << KIND_BITS)  # one remainder of the big location: kind and shard
                shard = low >> KIND_BITS
                if shard != held:
                    if held >= 0:
                        self.locks[held].release()
                        held = -1
                    self.locks[shard].acquire()
                    held = shard
                # Only a location the previous incarnation wrote can hold a stale entry of `tx`.
                rewritten = loc in previous
                self._publish(shard, loc, low & KIND_MASK, tx, value, rewritten)
                if not rewritten:
                    wrote_new = True
        finally:
            if held >= 0:
                self.locks[held].release()
        for loc in previous:
            if loc not in writes:
                shard = shard_of(loc)
                with self.locks[shard]:
                    self._remove(shard, loc, tx)
                    self._remove_delta(loc, tx)
        superseded = self.superseded[tx]
        superseded.append(previous)
        superseded.append(self.last_reads[tx])
        self.last_writes[tx] = writes
        self.last_reads[tx] = reads
        return wrote_new

    def convert_writes_to_estimates(self, tx: int) -> None:
        """An aborted incarnation's writes become ESTIMATEs until it executes again."""
        for loc, value in self.last_writes[tx].items():
            shard = shard_of(loc)
            with self.locks[shard]:
                if isinstance(value, BalanceDelta):
                    self._put_delta(loc, tx, ESTIMATE)
                else:
                    self._put(shard, loc, tx, ESTIMATE)

    # --- reading (no lock: snapshots are immutable) -------------------------------------------
    def read(self, loc: int, tx: int) -> object | None:
        """The value of a nonce, code or exists location as `tx` sees it, or None (the base's)."""
        snapshot = self.cells.get(loc)
        position = position_in(snapshot, tx)
        if position == 0:
            return None
        return value_at(snapshot, position)

    def read_balance(self, address: int, tx: int) -> int:
        """The newest absolute balance below `tx` (or the base) plus the deltas after it."""
        return self.read_balance_at(account_loc(BALANCE, address), address, tx)

    def read_balance_at(self, loc: int, address: int, tx: int) -> int:
        """`read_balance` of the balance location `loc` of `address`."""
        snapshot = self.cells.get(loc)
        position = position_in(snapshot, tx)
        writer = writer_at(snapshot, position)
        base = value_at(snapshot, position) if position > 0 else self.base.balance(address)
        assert isinstance(base, int)
        if loc not in self.deltas:
            return base
        total = 0
        with self.locks[address % SHARDS]:
            for delta_writer, delta in self.deltas[loc].items():
                if writer < delta_writer < tx:
                    if delta is ESTIMATE:
                        raise Blocked(delta_writer)
                    assert isinstance(delta, BalanceDelta)
                    total += delta.amount
        return base + total

    def read_storage(self, address: int, slot: int, tx: int) -> int:
        """A slot's value: its newest write below `tx`, unless a wipe came after it."""
        return self.read_storage_at(storage_loc(address, slot), address, slot, tx)

    def read_storage_at(self, loc: int, address: int, slot: int, tx: int) -> int:
        """`read_storage` of the slot at `loc`; a `slot` of -1 is split out of `loc` only if the
        base state has to answer (a 419-bit location costs boxed arithmetic to build or split)."""
        snapshot = self.cells.get(loc)
        position = position_in(snapshot, tx)
        slot_writer = writer_at(snapshot, position)
        if address in self.wiped:
            wipes = self.cells.get(account_loc(STORAGE_GEN, address))
            wipe_position = position_in(wipes, tx)
            wiper = writer_at(wipes, wipe_position)
            if wiper > slot_writer:
                value_at(wipes, wipe_position)  # raises Blocked on an ESTIMATE
                return 0
        if slot_writer >= 0:
            value = value_at(snapshot, position)
            assert isinstance(value, int)
            return value
        return self.base.storage(address, slot if slot >= 0 else loc_slot(loc))

    def has_storage(self, address: int, tx: int) -> bool:
        """EIP-7610: any non-zero slot as `tx` sees the account."""
        wipes = self.cells.get(account_loc(STORAGE_GEN, address))
        wipe_position = position_in(wipes, tx)
        wiper = writer_at(wipes, wipe_position)
        if wiper >= 0:
            value_at(wipes, wipe_position)
        with self.locks[address % SHARDS]:
            slots = list(self.written_slots.get(address, ()))
        for loc in slots:
            snapshot = self.cells.get(loc)
            position = position_in(snapshot, tx)
            if writer_at(snapshot, position) > wiper and value_at(snapshot, position) != 0:
                return True
        if wiper >= 0:
            return False
        return self.base.has_storage(address)

    def exists(self, address: int, tx: int) -> bool:
        """Whether the account is in the state as `tx` sees it: as PlainState.apply would have it,
        the last EXISTS write (or the base), unless a later write to one of its fields created it."""
        snapshot = self.cells.get(account_loc(EXISTS, address))
        position = position_in(snapshot, tx)
        writer = writer_at(snapshot, position)
        if writer >= 0:
            if value_at(snapshot, position) is True:
                return True
        elif self.base.exists(address):
            return True
        for kind in (BALANCE, NONCE, CODE):
            field = self.cells.get(account_loc(kind, address))
            field_position = position_in(field, tx)
            if writer_at(field, field_position) > writer:
                value_at(field, field_position)
                return True
        loc = account_loc(BALANCE, address)
        if loc in self.deltas:
            with self.locks[address % SHARDS]:
                for delta_writer, delta in self.deltas[loc].items():
                    if writer < delta_writer < tx:
                        if delta is ESTIMATE:
                            raise Blocked(delta_writer)
                        return True
        return False

    def resolve(self, loc: int, kind: int, tx: int) -> object:
        """What a read of `loc` (of `kind`) by `tx` returns now, by the same rules the view uses."""
        address = loc_address(loc)
        if kind == STORAGE:
            return self.read_storage_at(loc, address, -1, tx)
        if kind == BALANCE:
            return self.read_balance_at(loc, address, tx)
        if kind == STORAGE_GEN:
            return self.has_storage(address, tx)
        if kind == EXISTS:
            return self.exists(address, tx)
        value = self.read(loc, tx)
        if value is not None:
            return value
        if kind == NONCE:
            return self.base.nonce(address)
        assert kind == CODE
        return self.base.code(address)

    def untouched(self, loc: int, kind: int, tx: int) -> bool:
        """No transaction below `tx` ever wrote anything a read of `loc` (of `kind`) depends on,
        so `tx` read the base state then and reads it now (EXISTS, which depends on several
        fields, never is untouched). `tx`'s own writes do not count: its reads resolve below it."""
        if kind == EXISTS or kind == STORAGE_GEN:
            return False
        snapshot = self.cells.get(loc)
        if snapshot is not None and snapshot.lowest < tx:
            return False
        if kind == BALANCE:
            return loc not in self.deltas
        if kind == STORAGE:
            return not self.wiped or loc_address(loc) not in self.wiped
        return True  # NONCE, CODE

    def validate_read_set(self, tx: int) -> int:
        """VALID while every location `tx` read still resolves to the value it saw; else the
        transaction whose write it no longer matches (the nearest writer below `tx` of the
        first stale read), or -1 when no single one is known (balance deltas, a wipe)."""
        try:
            for loc, seen in self.last_reads[tx].items():
                kind = loc_kind(loc)
                if self.untouched(loc, kind, tx):
                    continue  # read the base then, reads it now
                if not same_value(self.resolve(loc, kind, tx), seen):
                    snapshot = self.cells.get(loc)
                    return writer_at(snapshot, position_in(snapshot, tx))
        except Blocked as blocked:
            return blocked.blocking
        return VALID
