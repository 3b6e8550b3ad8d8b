"""Merkle-Patricia trie roots computed straight from key/value pairs (Yellow Paper, appendix D).

No persistent trie: the keys are sorted and the root is built recursively over ranges of
keys that share a prefix, so a root over n pairs costs one sort, one node encoding per node
and one keccak per node of 32 bytes or more (shorter nodes are embedded in their parent).
Keys are handled as hex strings, one character per nibble: `bytes.hex`, slicing, sorting
and `bytes.fromhex` (for the hex-prefix encoding) all run in C, in pure Python as compiled.
Subtries over disjoint key ranges are independent, so a large trie's lower levels can be
built in parts on several threads (a block's receipts: one keccak per leaf of ~300 bytes).
The tries keyed by rlp(index) (transactions, receipts, withdrawals) need no keys at all: their
shape follows from the number of values, so their nodes are built from index ranges.
"""

from __future__ import annotations

from functools import partial
from typing import Final, final

from mypy_extensions import i64

from primitives.keccak import keccak256
from primitives.rlp import encode, encode_bytes, encode_list_payload
from primitives.spread import Spread, serially

EMPTY_TRIE_ROOT: Final = keccak256(b"\x80")
_NIBBLES: Final = "0123456789abcdef"
_EMPTY_SLOT: Final = b"\x80"  # an absent child, or a branch without a value
# Building a subtrie of a few hundred keys in another thread saves more than the hand-off
# costs; about 16 subtries deal out evenly enough over a few threads.
MIN_KEYS_PER_PART: Final = 256
SUBTRIES: Final = 16


def _hex_prefix(path: str, leaf: bool) -> bytes:
    """The hex-prefix encoding of a nibble path: flag nibble (2 if leaf, +1 if odd) first."""
    if len(path) % 2 == 1:
        return bytes.fromhex(("3" if leaf else "1") + path)
    return bytes.fromhex(("20" if leaf else "00") + path)


def _reference(node: bytes) -> bytes:
    """How a parent holds a child node: embedded below 32 bytes, else by its hash."""
    if len(node) < 32:
        return node
    return b"\xa0" + keccak256(node)


def _common_prefix(first: str, second: str, known: i64 = 0) -> i64:
    """How many leading nibbles two paths share, given that they share the first `known`."""
    common = known
    limit = min(len(first), len(second))
    while common < limit and first[common] == second[common]:
        common += 1
    return common


def _shared_prefix(keys: list[str], low: i64, high: i64, depth: i64) -> i64:
    """How many nibbles keys[low:high] (sorted) share: their first and last key share them."""
    return _common_prefix(keys[low], keys[high - 1], depth)


def _child_end(keys: list[str], position: i64, high: i64, depth: i64, nibble: str) -> i64:
    """The end of the run of keys from `position` whose nibble at `depth` is `nibble`."""
    end = position
    while end < high and keys[end][depth] == nibble:
        end += 1
    return end


def _leaf(path: str, value: bytes) -> bytes:
    return encode_list_payload(encode_bytes(_hex_prefix(path, True)) + encode_bytes(value))


def _build(
    keys: list[str], values: list[bytes], refs: list[bytes], low: i64, high: i64, depth: i64, done: dict[i64, bytes] | None, size: i64
) -> bytes:
    """The encoded node for keys[low:high], sorted, which share their first `depth` nibbles.

    A branch holds a child of one key by refs[index] where that is not empty (a leaf hashed
    before, `ordered_leaf`). With `done`, the first range on each path with at most `size` keys
    is looked up there by its first key's index, not built (`_subtries` planned them)."""
    if done is not None and high - low <= size:
        return done[low]
    first = keys[low]
    if high - low == 1:
        return _leaf(first[depth:], values[low])
    common = _shared_prefix(keys, low, high, depth)
    if common > depth:  # every key continues with the same nibbles: an extension
        child = _build(keys, values, refs, low, high, common, done, size)
        return encode_list_payload(encode_bytes(_hex_prefix(first[depth:common], False)) + _reference(child))
    parts: list[bytes] = []
    branch_value = b""
    position = low
    if len(first) == depth:  # the one key that ends here (keys are unique and sorted)
        branch_value = values[low]
        position += 1
    for nibble in _NIBBLES:
        end = _child_end(keys, position, high, depth, nibble)
        if end == position:
            parts.append(_EMPTY_SLOT)
        elif end == position + 1 and refs[position]:
            parts.append(refs[position])
            position = end
        else:
            parts.append(_reference(_build(keys, values, refs, position, end, depth + 1, done, size)))
            position = end
    parts.append(encode_bytes(branch_value))
    return encode_list_payload(b"".join(parts))


def _subtries(keys: list[str], low: i64, high: i64, depth: i64, size: i64, found: list[tuple[i64, i64, i64]]) -> None:
    """Collect (low, high, depth) of the first range on each path of `_build`'s recursion
    with at most `size` keys: disjoint subtries that can be built independently."""
    if high - low <= size:
        found.append((low, high, depth))
        return
    common = _shared_prefix(keys, low, high, depth)
    if common > depth:
        _subtries(keys, low, high, common, size, found)
        return
    position = low + 1 if len(keys[low]) == depth else low
    for nibble in _NIBBLES:
        end = _child_end(keys, position, high, depth, nibble)
        if end > position:
            _subtries(keys, position, end, depth + 1, size, found)
            position = end


def _build_subtries(
    keys: list[str], values: list[bytes], refs: list[bytes], ranges: list[tuple[i64, i64, i64]], nodes: list[bytes], part: int, parts: int
) -> None:
    """One part's share of the planned subtries, each node into its slot of `nodes`."""
    for index in range(part, len(ranges), parts):
        low, high, depth = ranges[index]
        nodes[index] = _build(keys, values, refs, low, high, depth, None, 0)


def trie_root(items: dict[bytes, bytes], spread: Spread = serially) -> bytes:
    """Root of the trie mapping each key to its value; pairs with an empty value are absent."""
    by_path = {key.hex(): value for key, value in items.items() if len(value) > 0}
    keys = sorted(by_path)
    return _sorted_trie_root(keys, [by_path[key] for key in keys], [b""] * len(keys), spread)


def _sorted_trie_root(keys: list[str], values: list[bytes], refs: list[bytes], spread: Spread) -> bytes:
    """Root of the trie of `keys` (hex paths, sorted, unique) to non-empty `values`, with the
    leaves in `refs` hashed already (`_build`).

    Given a `spread` and enough keys whose leaves are still to hash, disjoint subtries are built
    in parts first (about `SUBTRIES` of them, dealt out in turn), then the nodes above them."""
    count: i64 = len(keys)
    if count == 0:
        return EMPTY_TRIE_ROOT
    unhashed = refs.count(b"")
    if unhashed < 2 * MIN_KEYS_PER_PART or spread is serially:  # one part: no plan needed
        return keccak256(_build(keys, values, refs, 0, count, 0, None, 0))
    size = max(count // SUBTRIES, 1)
    ranges: list[tuple[i64, i64, i64]] = []
    _subtries(keys, 0, count, 0, size, ranges)
    nodes = [b""] * len(ranges)
    spread(partial(_build_subtries, keys, values, refs, ranges, nodes), int(unhashed // MIN_KEYS_PER_PART))
    done = {ranges[index][0]: nodes[index] for index in range(len(ranges))}
    return keccak256(_build(keys, values, refs, 0, count, 0, done, size))


def secure_trie_root(items: dict[bytes, bytes]) -> bytes:
    """Root of the trie keyed by keccak256 of each key (the state and storage tries)."""
    return trie_root({keccak256(key): value for key, value in items.items()})


def ordered_trie_root(values: list[bytes], spread: Spread = serially, leaves: list[bytes] | None = None) -> bytes:
    """Root of the trie keyed by rlp(index) (transactions, receipts, withdrawals). `leaves`: the
    first values' `ordered_leaf`s, hashed already. Without empty values the trie's shape follows
    from the indices alone (`_IndexTrie`). An empty value (absent: none in a block, but tests
    build them) changes where the leaves sit, so they are ignored and the keys listed in their
    sorted order, which is known: rlp(1..127) is the byte itself, below rlp(0) = 0x80, below
    rlp(128...) = 0x80 + length, then big-endian (no dict and sort of hex keys)."""
    count: i64 = len(values)
    if count == 0:
        return EMPTY_TRIE_ROOT
    if count <= _MAX_INDEX and b"" not in values:
        return _index_trie_root(values, spread, leaves or [])
    keys: list[str] = []
    ordered: list[bytes] = []
    for index in _key_order(len(values)):
        if len(values[index]) > 0:
            keys.append(encode(index).hex())
            ordered.append(values[index])
    return _sorted_trie_root(keys, ordered, [b""] * len(keys), spread)


# The ordered trie by index (`_IndexTrie`): the keys of indices low..high-1 of one length of
# rlp(index) are their group's prefix, then the index as `width` hex digits, of which the first
# `depth` are the same for all of them. The groups, by first nibbles: 1..127 ("01".."7f", width
# 2), 0 ("80"), 128..255 ("81" + width 2), 256..65,535 ("82" + 4), 65,536..2**24-1 ("83" + 6).
_MAX_INDEX: Final = 1 << 24
_LONGER: Final = ((128, 256, 2), (256, 1 << 16, 4), (1 << 16, _MAX_INDEX, 6))  # below "81", "82", "83"
IndexRange = tuple[i64, i64, i64, i64]  # low, high, width, depth


def _index_trie_root(values: list[bytes], spread: Spread, leaves: list[bytes]) -> bytes:
    """`ordered_trie_root` without empty values: the nodes built from index ranges alone, no keys
    listed or scanned (W5's 10,000 receipts: ~1.8 ms of keys and plan, serial, before the parts)."""
    count: i64 = len(values)
    refs = leaves[:count] + [b""] * (count - min(count, len(leaves)))
    unhashed = refs.count(b"")
    if unhashed < 2 * MIN_KEYS_PER_PART or spread is serially:
        return keccak256(_IndexTrie(values, refs, None, 0).root())
    size = max(count // SUBTRIES, 1)
    ranges: list[IndexRange] = []
    for low, high, width, depth in _top_ranges(count):
        if high > low:
            _index_subtries(low, high, width, depth, size, ranges)
    nodes = [b""] * len(ranges)
    spread(partial(_IndexTrie(values, refs, None, 0).build_parts, ranges, nodes), int(unhashed // MIN_KEYS_PER_PART))
    done = {ranges[index][0]: nodes[index] for index in range(len(ranges))}
    return keccak256(_IndexTrie(values, refs, done, size).root())


def _top_ranges(count: i64) -> list[IndexRange]:
    """The ranges below the root's branch (nibbles 0-7: indices 1..127 by their first digit),
    then those below its child 8's branch (slots 1-3: the longer keys), empty where absent."""
    small = min(count, 128)
    ranges: list[IndexRange] = [(max(1, 16 * nibble), min(small, 16 * nibble + 16), 2, 1) for nibble in range(8)]
    for low, high, width in _LONGER:
        ranges.append((low, min(count, high), width, 0))
    return ranges


@final
class _IndexTrie:
    """The nodes of the ordered trie of `values` (none empty). `refs[i]`: value i's leaf hashed
    before (`ordered_leaf`), or empty; `done`: nodes built already, by their first index, of the
    first range on each path with at most `size` indices. Never changed once made: the parts
    of a spread share one."""

    values: Final[list[bytes]]
    refs: Final[list[bytes]]
    done: Final[dict[i64, bytes] | None]
    size: Final[i64]

    def __init__(self, values: list[bytes], refs: list[bytes], done: dict[i64, bytes] | None, size: i64) -> None:
        self.values = values
        self.refs = refs
        self.done = done
        self.size = size

    def root(self) -> bytes:
        """The root node (`_top_ranges`): a leaf when there is only rlp(0), else a branch whose
        child 8 holds rlp(0) and the longer keys."""
        values, refs = self.values, self.refs
        count: i64 = len(values)
        if count == 1:
            return _leaf("80", values[0])
        ranges = _top_ranges(count)
        parts = [self.child(low, high, width, depth) for low, high, width, depth in ranges[:8]]
        if count <= 128:  # rlp(0) alone below nibble 8
            parts.append(refs[0] or _reference(_leaf("0", values[0])))
        else:
            eight = [refs[0] or _reference(_leaf("", values[0]))]
            eight.extend([self.child(low, high, width, depth) for low, high, width, depth in ranges[8:]])
            eight.extend([_EMPTY_SLOT] * 13)  # nibbles 4-f and the branch's value
            parts.append(_reference(encode_list_payload(b"".join(eight))))
        parts.extend([_EMPTY_SLOT] * 8)  # nibbles 9-f and the branch's value
        return encode_list_payload(b"".join(parts))

    def child(self, low: i64, high: i64, width: i64, depth: i64) -> bytes:
        """How a branch holds the node of indices low..high-1: absent, a leaf hashed before, or
        by reference."""
        if high <= low:
            return _EMPTY_SLOT
        if high == low + 1 and self.refs[low]:
            return self.refs[low]
        return _reference(self.node(low, high, width, depth))

    def node(self, low: i64, high: i64, width: i64, depth: i64) -> bytes:
        """The node of indices low..high-1 (one group, `width` digits, the first `depth` shared):
        `_build` for these keys, with the children's ranges computed instead of scanned."""
        if self.done is not None and high - low <= self.size:
            return self.done[low]
        first = _digits(low, width)
        if high - low == 1:
            return _leaf(first[depth:], self.values[low])
        common = _common_prefix(first, _digits(high - 1, width), depth)
        if common > depth:  # every index continues with the same digits: an extension
            child = self.node(low, high, width, common)
            return encode_list_payload(encode_bytes(_hex_prefix(first[depth:common], False)) + _reference(child))
        parts: list[bytes] = []
        for nibble in range(16):
            start, end = _index_child_range(low, high, width, depth, nibble)
            parts.append(self.child(start, end, width, depth + 1))
        parts.append(_EMPTY_SLOT)  # no key ends at a branch: they are all `width` digits long
        return encode_list_payload(b"".join(parts))

    def build_parts(self, ranges: list[IndexRange], nodes: list[bytes], part: int, parts: int) -> None:
        """One part's share of the planned index ranges, each node into its slot of `nodes`."""
        for index in range(part, len(ranges), parts):
            low, high, width, depth = ranges[index]
            nodes[index] = self.node(low, high, width, depth)


def _digits(index: i64, width: i64) -> str:
    return int(index).to_bytes(width // 2, "big").hex()


def _index_child_range(low: i64, high: i64, width: i64, depth: i64, nibble: i64) -> tuple[i64, i64]:
    """The indices of low..high-1 (sharing their first `depth` of `width` digits) whose next
    digit is `nibble`, as (start, end): empty where end <= start. The plan and the builder
    both walk these, so the ranges planned are the ones the builder looks up."""
    span: i64 = 1 << (4 * (width - depth - 1))  # indices per child
    base = low - low % (16 * span)
    return max(low, base + nibble * span), min(high, base + (nibble + 1) * span)


def _index_subtries(low: i64, high: i64, width: i64, depth: i64, size: i64, found: list[IndexRange]) -> None:
    """`_subtries` for `_IndexTrie`: the first range on each path with at most `size` indices."""
    if high - low <= size:
        found.append((low, high, width, depth))
        return
    common = _common_prefix(_digits(low, width), _digits(high - 1, width), depth)
    if common > depth:
        _index_subtries(low, high, width, common, size, found)
        return
    for nibble in range(16):
        start, end = _index_child_range(low, high, width, depth, nibble)
        if end > start:
            _index_subtries(start, end, width, depth + 1, size, found)


def ordered_leaf(index: int, count: int, value: bytes) -> bytes:
    """How a branch of the ordered trie of `count` non-empty values holds value `index`'s leaf,
    for whoever has the value first to hash (a receipt, by the thread that built it). The keys
    rlp(i) are prefix-free, so a leaf's path starts one nibble below the longest prefix its key
    shares with a neighbour in key order."""
    key = encode(index).hex()
    position = _position(index, count)
    shared: i64 = 0
    if position > 0:
        shared = _common_prefix(key, encode(_at_position(position - 1, count)).hex())
    if position < count - 1:
        shared = max(shared, _common_prefix(key, encode(_at_position(position + 1, count)).hex()))
    return _reference(_leaf(key[shared + 1 :], value))


def _key_order(count: int) -> list[int]:
    """Indices 0..count-1 in the order of their RLP encodings."""
    if count == 0:
        return []
    small = min(count, 128)
    return list(range(1, small)) + [0] + list(range(small, count))


def _position(index: int, count: int) -> int:
    """Where index's key sorts among those of 0..count-1 (`_key_order`)."""
    if index == 0:
        return min(count, 128) - 1
    return index - 1 if index < 128 else index


def _at_position(position: int, count: int) -> int:
    """The index whose key sorts at `position` (`_key_order`)."""
    small = min(count, 128)
    if position < small - 1:
        return position + 1
    return 0 if position == small - 1 else position
