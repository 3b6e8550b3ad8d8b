import os
import random
from collections.abc import Callable

import pytest
from hypothesis import given, settings, strategies as st

from primitives import rlp
from primitives.keccak import keccak256
from primitives.trie import EMPTY_TRIE_ROOT, ordered_leaf, ordered_trie_root, secure_trie_root, trie_root

pytestmark = pytest.mark.pure

Nibbles = tuple[int, ...]


# An independent reference: nodes as nested lists that rlp.encode serialises whole, children
# embedded as structures below 32 bytes, grouped with dicts instead of sorted ranges.
def reference_hex_prefix(path: Nibbles, leaf: bool) -> bytes:
    flagged = ((2 if leaf else 0) + len(path) % 2,) + ((0,) if len(path) % 2 == 0 else ()) + path
    return bytes(flagged[index] * 16 + flagged[index + 1] for index in range(0, len(flagged), 2))


def reference_child(node: object) -> object:
    encoded = rlp.encode(node)
    return node if len(encoded) < 32 else keccak256(encoded)


def reference_node(pairs: dict[Nibbles, bytes]) -> object:
    if len(pairs) == 1:
        ((path, value),) = pairs.items()
        return [reference_hex_prefix(path, True), value]
    prefix = os.path.commonprefix(list(pairs))
    if prefix:
        rest = {path[len(prefix) :]: value for path, value in pairs.items()}
        return [reference_hex_prefix(tuple(prefix), False), reference_child(reference_node(rest))]
    groups: list[dict[Nibbles, bytes]] = [{} for _ in range(16)]
    for path, value in pairs.items():
        if path:
            groups[path[0]][path[1:]] = value
    return [reference_child(reference_node(group)) if group else b"" for group in groups] + [pairs.get((), b"")]


def reference_root(items: dict[bytes, bytes]) -> bytes:
    pairs = {tuple(n for byte in key for n in (byte >> 4, byte & 15)): value for key, value in items.items() if value}
    return keccak256(rlp.encode(reference_node(pairs))) if pairs else EMPTY_TRIE_ROOT


def test_empty_root() -> None:
    assert EMPTY_TRIE_ROOT.hex() == "56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421"
    assert trie_root({}) == EMPTY_TRIE_ROOT
    assert trie_root({b"key": b""}) == EMPTY_TRIE_ROOT
    assert secure_trie_root({}) == EMPTY_TRIE_ROOT
    assert ordered_trie_root([]) == EMPTY_TRIE_ROOT


# the ethereum wiki example and ethereum/tests TrieTests (trieanyorder.json)
@pytest.mark.parametrize(
    ("items", "root"),
    [
        ({b"doe": b"reindeer", b"dog": b"puppy", b"dogglesworth": b"cat"},
         "8aad789dff2f538bca5d8ea56e8abe10f4c7ba3a5dea95fea4cd6e7c3a1168d3"),
        ({b"do": b"verb", b"dog": b"puppy", b"doge": b"coin", b"horse": b"stallion"},
         "5991bb8c6514148a29db676a14ac506cd2cd5775ace63c30a4fe457715e9ac84"),
        ({b"do": b"verb", b"dog": b"puppy", b"doge": b"coin", b"horse": b"stallion", b"ether": b""},
         "5991bb8c6514148a29db676a14ac506cd2cd5775ace63c30a4fe457715e9ac84"),
        ({b"A": b"a" * 50}, "d23786fb4a010da3ce639d66d5e904a11dbc02746d1ce25029e53290cabf28ab"),
        ({b"foo": b"bar", b"food": b"bass"}, "17beaa1648bafa633cda809c90c04af50fc8aed3cb40d16efbddee6fdf63c4c3"),
        ({b"be": b"e", b"dog": b"puppy", b"bed": b"d"},
         "3f67c7a47520f79faa29255d2d3c084a7a6df0453116ed7232ff10277a8be68b"),
        ({b"test": b"test", b"te": b"testy"}, "8452568af70d8d140f58d941338542f645fcca50094b20f3c3d8c3df49337928"),
        ({b"\x00\x45": bytes.fromhex("0123456789"), b"\x45\x00": bytes.fromhex("9876543210")},
         "285505fcabe84badc8aa310e2aae17eddc7d120aabec8a476902c8184b3a3503"),
    ],
)  # fmt: skip
def test_known_roots(items: dict[bytes, bytes], root: str) -> None:
    assert trie_root(items).hex() == root
    assert reference_root(items).hex() == root


short_keys = st.dictionaries(st.binary(max_size=4), st.binary(max_size=40), max_size=40)
hashed_keys = st.dictionaries(st.binary(min_size=32, max_size=32), st.binary(min_size=1, max_size=80), max_size=40)


@given(short_keys)
def test_matches_reference_on_prefix_heavy_keys(items: dict[bytes, bytes]) -> None:
    """Short keys: the empty key, keys that prefix others, embedded nodes, empty values."""
    assert trie_root(items) == reference_root(items)


@settings(max_examples=30)
@given(hashed_keys)
def test_matches_reference_on_hashed_keys(items: dict[bytes, bytes]) -> None:
    assert trie_root(items) == reference_root(items)


def test_matches_reference_on_many_keys() -> None:
    items = {keccak256(index.to_bytes(4, "big")): rlp.encode(index) for index in range(2000)}
    assert trie_root(items) == reference_root(items)
    assert secure_trie_root({index.to_bytes(4, "big"): rlp.encode(index) for index in range(2000)}) == trie_root(items)


def test_ordered_root_uses_rlp_indices() -> None:
    """Index 0 is rlp(0) = 0x80 and 128 is 0x8180: keys of different lengths, past 127 items."""
    values = [rlp.encode([index, b"x" * (index % 40)]) for index in range(300)]
    expected = reference_root({rlp.encode(index): value for index, value in enumerate(values)})
    assert ordered_trie_root(values) == expected


@pytest.mark.parametrize("count", [1, 2, 127, 128, 129, 255, 256, 257, 65_537])
def test_ordered_root_lists_the_keys_in_their_sorted_order(count: int) -> None:
    """`ordered_trie_root` lists rlp(index) keys in an order it knows instead of sorting them:
    around each length of rlp(index), and with empty values (absent), the root is unchanged."""
    generator = random.Random(count)
    values = [random_bytes(generator, 0, 40) for _ in range(count)]
    expected = trie_root({rlp.encode(index): value for index, value in enumerate(values)})
    assert ordered_trie_root(values) == expected
    assert ordered_trie_root(values, reversed_parts) == expected


def reversed_parts(job: Callable[[int, int], None], most: int) -> None:
    """A stand-in for a thread pool: every part, last first."""
    parts = min(most, 3)
    for part in reversed(range(parts)):
        job(part, parts)


def random_bytes(generator: random.Random, low: int, high: int) -> bytes:
    return generator.randbytes(generator.randint(low, high))


# Tries big enough to be built in parts, from a seed: hypothesis cannot draw thousands of values.
@settings(max_examples=15)
@given(st.integers(min_value=0), st.integers(min_value=512, max_value=3000))
def test_a_trie_built_in_parts_has_the_same_root(seed: int, count: int) -> None:
    generator = random.Random(seed)
    values = [random_bytes(generator, 0, 40) for _ in range(count)]
    assert ordered_trie_root(values, reversed_parts) == ordered_trie_root(values)
    items = {random_bytes(generator, 1, 33): random_bytes(generator, 1, 40) for _ in range(count)}
    assert trie_root(items, reversed_parts) == reference_root(items)


@settings(max_examples=25)
@given(st.integers(min_value=0), st.integers(min_value=1, max_value=1200), st.floats(min_value=0, max_value=1))
def test_leaves_hashed_first_give_the_same_root(seed: int, count: int, share: float) -> None:
    """Leaves hashed by `ordered_leaf` before the root (the first `share` of them, as the
    lookahead's front hashes receipts' leaves) sit where the trie puts them; an empty value,
    which moves its neighbours' leaves, makes the root ignore them."""
    generator = random.Random(seed)
    values = [random_bytes(generator, 1, 60) for _ in range(count)]  # short ones are embedded
    leaves = [ordered_leaf(index, count, values[index]) for index in range(int(count * share))]
    expected = reference_root({rlp.encode(index): value for index, value in enumerate(values)})
    assert ordered_trie_root(values, leaves=leaves) == expected
    assert ordered_trie_root(values, reversed_parts, leaves) == expected
    values[generator.randrange(count)] = b""
    expected = reference_root({rlp.encode(index): value for index, value in enumerate(values)})
    assert ordered_trie_root(values, reversed_parts, leaves) == expected


@pytest.mark.parametrize("count", [2, 127, 128, 129, 256, 257, 65_537])
def test_leaves_hashed_first_around_rlp_length_boundaries(count: int) -> None:
    values = [rlp.encode([index, b"r" * 40]) for index in range(count)]
    leaves = [ordered_leaf(index, count, value) for index, value in enumerate(values)]
    expected = ordered_trie_root(values)
    assert ordered_trie_root(values, reversed_parts, leaves) == expected
    assert ordered_trie_root(values, leaves=[b"\xa0" + bytes(32)] * count) != expected  # the leaves are used
