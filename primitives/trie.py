"""Merkle-Patricia trie roots computed straight from key/value pairs (Yellow Paper, appendix D).

No persistent trie: the keys are sorted and the root is built recursively over ranges of
keys that share a prefix, so a root over n pairs costs one sort, one node encoding per node
and one keccak per node of 32 bytes or more (shorter nodes are embedded in their parent).
Keys are handled as hex strings, one character per nibble: `bytes.hex`, slicing, sorting
and `bytes.fromhex` (for the hex-prefix encoding) all run in C, in pure Python as compiled.
"""

from __future__ import annotations

from typing import Final

from mypy_extensions import i64

from primitives.keccak import keccak256
from primitives.rlp import encode, encode_bytes, encode_list_payload

EMPTY_TRIE_ROOT: Final = keccak256(b"\x80")
_NIBBLES: Final = "0123456789abcdef"
_EMPTY_SLOT: Final = b"\x80"  # an absent child, or a branch without a value


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


def _build(keys: list[str], values: list[bytes], low: i64, high: i64, depth: i64) -> bytes:
    """The encoded node for keys[low:high], sorted, which share their first `depth` nibbles."""
    first = keys[low]
    if high - low == 1:
        return encode_list_payload(encode_bytes(_hex_prefix(first[depth:], True)) + encode_bytes(values[low]))
    last = keys[high - 1]
    common = depth
    limit = min(len(first), len(last))
    while common < limit and first[common] == last[common]:
        common += 1
    if common > depth:  # every key continues with the same nibbles: an extension
        child = _build(keys, values, low, high, common)
        return encode_list_payload(encode_bytes(_hex_prefix(first[depth:common], False)) + _reference(child))
    parts: list[bytes] = []
    branch_value = b""
    position = low
    if len(first) == depth:  # the one key that ends here (keys are unique and sorted)
        branch_value = values[low]
        position += 1
    for nibble in _NIBBLES:
        end = position
        while end < high and keys[end][depth] == nibble:
            end += 1
        if end == position:
            parts.append(_EMPTY_SLOT)
        else:
            parts.append(_reference(_build(keys, values, position, end, depth + 1)))
            position = end
    parts.append(encode_bytes(branch_value))
    return encode_list_payload(b"".join(parts))


def trie_root(items: dict[bytes, bytes]) -> bytes:
    """Root of the trie mapping each key to its value; pairs with an empty value are absent."""
    by_path = {key.hex(): value for key, value in items.items() if len(value) > 0}
    if len(by_path) == 0:
        return EMPTY_TRIE_ROOT
    keys = sorted(by_path)
    values = [by_path[key] for key in keys]
    return keccak256(_build(keys, values, 0, len(keys), 0))


def secure_trie_root(items: dict[bytes, bytes]) -> bytes:
    """Root of the trie keyed by keccak256 of each key (the state and storage tries)."""
    return trie_root({keccak256(key): value for key, value in items.items()})


def ordered_trie_root(values: list[bytes]) -> bytes:
    """Root of the trie keyed by rlp(index) (transactions, receipts, withdrawals)."""
    return trie_root({encode(index): value for index, value in enumerate(values)})
