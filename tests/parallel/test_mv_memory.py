"""Multi-version memory on its own: which write a read sees, wipes, and the shard arithmetic."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from interp.locations import (
    BALANCE,
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
from parallel.mv_memory import SHARDS, VALID, MvMemory, shard_of

ADDRESS = 0xAB << 152


@pytest.mark.pure
@given(st.integers(0, 2**160 - 1), st.integers(0, 2**256 - 1), st.sampled_from([BALANCE, NONCE, STORAGE_GEN]))
def test_a_location_shares_its_accounts_shard(address: int, slot: int, kind: int) -> None:
    for loc in (account_loc(kind, address), storage_loc(address, slot)):
        assert shard_of(loc) == loc_address(loc) % SHARDS == address % SHARDS


@pytest.mark.pure
def test_a_read_sees_the_nearest_lower_write_whatever_order_writers_record_in() -> None:
    memory = MvMemory(10, PlainState())
    loc = account_loc(NONCE, ADDRESS)
    for tx in (5, 2, 9, 5, 7):  # first writer, insert before, append, rewrite, insert between
        memory.record(tx, {}, {loc: tx * 100 + (1 if memory.last_writes[tx] else 0)})
    assert memory.cells[loc].writers == (2, 5, 7, 9)
    assert [memory.read(loc, tx) for tx in (0, 2, 3, 6, 8, 10)] == [None, None, 200, 501, 700, 900]
    memory.record(7, {}, {})  # tx 7's next incarnation writes nothing
    assert memory.read(loc, 8) == 501


@pytest.mark.pure
def test_a_failed_validation_names_the_writer_it_no_longer_matches() -> None:
    memory = MvMemory(10, PlainState())
    hot, cold = storage_loc(ADDRESS, 1), storage_loc(ADDRESS, 2)
    memory.record(6, {cold: 0, hot: 0}, {})  # read both before anyone wrote them
    assert memory.validate_read_set(6) == VALID
    memory.record(3, {}, {hot: 5})
    memory.record(2, {}, {hot: 4, cold: 1})
    assert memory.validate_read_set(6) == 2  # `cold` is read first: 2 wrote it
    memory.record(2, {}, {hot: 4})
    assert memory.validate_read_set(6) == 3  # the nearest writer of `hot` below 6
    memory.convert_writes_to_estimates(3)
    assert memory.validate_read_set(6) == 3  # blocked on its ESTIMATE


@pytest.mark.pure
def test_storage_reads_honour_a_wipe_only_below_the_reader() -> None:
    base = PlainState()
    base.set_account(ADDRESS, 0, 1, b"", {1: 11, 2: 22})
    memory = MvMemory(10, base)
    memory.record(2, {}, {storage_loc(ADDRESS, 2): 23})
    assert not memory.wiped
    memory.record(4, {}, {account_loc(STORAGE_GEN, ADDRESS): True})
    assert ADDRESS in memory.wiped
    memory.record(6, {}, {storage_loc(ADDRESS, 1): 12})
    assert [memory.read_storage(ADDRESS, 1, tx) for tx in (3, 5, 7)] == [11, 0, 12]
    assert [memory.read_storage(ADDRESS, 2, tx) for tx in (2, 3, 5)] == [22, 23, 0]
    assert not memory.untouched(storage_loc(ADDRESS, 3), STORAGE, 9)  # a wipe reaches every slot
    assert memory.untouched(storage_loc(ADDRESS + 1, 3), STORAGE, 9)


@pytest.mark.pure
@given(st.integers(0, 2**160 - 1), st.integers(0, 2**256 - 1), st.sampled_from([BALANCE, NONCE, STORAGE_GEN]))
def test_locations_split_back_into_kind_address_and_slot(address: int, slot: int, kind: int) -> None:
    assert (loc_kind(account_loc(kind, address)), loc_address(account_loc(kind, address))) == (kind, address)
    loc = storage_loc(address, slot)
    assert (loc_kind(loc), loc_address(loc), loc_slot(loc)) == (STORAGE, address, slot)


@pytest.mark.pure
def test_a_location_is_untouched_for_readers_at_or_below_every_writer_it_ever_had() -> None:
    memory = MvMemory(10, PlainState())
    loc = account_loc(NONCE, ADDRESS)
    memory.record(5, {}, {loc: 1})
    assert [memory.untouched(loc, NONCE, tx) for tx in (3, 5, 6)] == [True, True, False]
    memory.record(2, {}, {loc: 1})
    memory.record(2, {}, {})  # tx 2's write is gone, but tx 3 may have read it: not untouched
    assert memory.cells[loc].writers == (5,)
    assert [memory.untouched(loc, NONCE, tx) for tx in (2, 3)] == [True, False]
    balance = account_loc(BALANCE, ADDRESS)
    memory.record(7, {}, {balance: 10})
    assert memory.untouched(balance, BALANCE, 7) and not memory.untouched(balance, BALANCE, 8)
