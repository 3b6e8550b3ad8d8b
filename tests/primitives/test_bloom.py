import pytest
from hypothesis import given, settings, strategies as st

from primitives.bloom import bloom_or, blooms_union, logs_bloom
from primitives.keccak import keccak256

pytestmark = pytest.mark.pure

entries = st.lists(st.binary(min_size=20, max_size=20) | st.binary(min_size=32, max_size=32), max_size=12)


def reference_bloom(items: list[bytes]) -> bytes:
    """Yellow Paper 4.3.1, bit by bit: bit i of 2048 lives in byte 255 - i // 8, at 1 << (i % 8)."""
    bloom = bytearray(256)
    for item in items:
        digest = keccak256(item)
        for pair in range(3):
            bit = int.from_bytes(digest[2 * pair : 2 * pair + 2], "big") % 2048
            bloom[255 - bit // 8] |= 1 << (bit % 8)
    return bytes(bloom)


def test_empty_bloom_is_zero() -> None:
    assert logs_bloom([]) == bytes(256)


def test_known_bits() -> None:
    """keccak256 of 20 zero bytes starts 5380c7b7ae81a58eb98d9c78de4a1fd7fd9535fc...:
    pairs 0x5380, 0xc7b7, 0xae81 give bits 896, 1975, 1665."""
    assert keccak256(bytes(20)).hex().startswith("5380c7b7ae81")
    bloom = int.from_bytes(logs_bloom([bytes(20)]), "big")
    assert bloom == (1 << 896) | (1 << 1975) | (1 << 1665)


@given(entries)
def test_matches_reference(items: list[bytes]) -> None:
    assert logs_bloom(items) == reference_bloom(items)


@settings(max_examples=50)
@given(entries, entries)
def test_a_shared_cache_changes_nothing(first: list[bytes], second: list[bytes]) -> None:
    known: dict[bytes, bytes] = {}
    assert logs_bloom(first, known) == reference_bloom(first)
    assert logs_bloom(second + first, known) == reference_bloom(second + first)
    assert set(known) == set(first + second)


@settings(max_examples=50)
@given(entries, entries)
def test_or_is_the_union(first: list[bytes], second: list[bytes]) -> None:
    assert bloom_or(logs_bloom(first), logs_bloom(second)) == logs_bloom(first + second)
    assert len(bloom_or(bytes(256), bytes(256))) == 256


@settings(max_examples=50)
@given(st.lists(entries, max_size=5))
def test_union_of_many_is_the_bloom_of_all_entries(groups: list[list[bytes]]) -> None:
    everything = [entry for group in groups for entry in group]
    assert blooms_union([logs_bloom(group) for group in groups]) == logs_bloom(everything)
