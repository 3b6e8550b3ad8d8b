"""Merkle-Patricia trie roots computed straight from key/value pairs (Yellow Paper, appendix D).

No persistent trie: the keys are sorted as nibble strings and the root is built recursively
over key ranges, so a root over n pairs costs one sort and n leaf encodings. Nodes whose
encoding is shorter than 32 bytes are embedded in their parent instead of hashed.
"""

from __future__ import annotations

from typing import Final

from mypy_extensions import i64

from primitives.keccak import keccak256
from primitives.rlp import encode

EMPTY_TRIE_ROOT: Final = keccak256(b"\x80")


def _nibbles(key: bytes) -> bytes:
    out = bytearray(len(key) * 2)
    for index in range(len(key)):
        byte = key[index]
        out[2 * index] = byte >> 4
        out[2 * index + 1] = byte & 0x0F
    return bytes(out)


def _hex_prefix(nibbles: bytes, leaf: bool) -> bytes:
    flag = 2 if leaf else 0
    if len(nibbles) % 2 == 1:
        out = bytearray([(flag + 1) * 16 + nibbles[0]])
        start: i64 = 1
    else:
        out = bytearray([flag * 16])
        start = 0
    while start < len(nibbles):
        out.append(nibbles[start] * 16 + nibbles[start + 1])
        start += 2
    return bytes(out)


def _list(payload: bytes) -> bytes:
    length = len(payload)
    if length < 56:
        return bytes([0xC0 + length]) + payload
    raw = length.to_bytes((length.bit_length() + 7) // 8, "big")
    return bytes([0xF7 + len(raw)]) + raw + payload


def _reference(node: bytes) -> bytes:
    """How a parent holds a child: embedded below 32 bytes, else the child's hash."""
    if len(node) < 32:
        return node
    return encode(keccak256(node))


def _build(keys: list[bytes], values: list[bytes], low: i64, high: i64, depth: i64) -> bytes:
    """The encoded node for keys[low:high], which share their first `depth` nibbles."""
    first = keys[low]
    if high - low == 1:
        return _list(encode(_hex_prefix(first[depth:], True)) + encode(values[low]))
    last = keys[high - 1]
    common = depth
    while common < len(first) and common < len(last) and first[common] == last[common]:
        common += 1
    if common > depth:
        child = _build(keys, values, low, high, common)
        return _list(encode(_hex_prefix(first[depth:common], False)) + _reference(child))
    payload = bytearray()
    branch_value = b""
    position = low
    if len(first) == depth:  # a key that ends at this branch
        branch_value = values[low]
        position += 1
    for nibble in range(16):
        end = position
        while end < high and keys[end][depth] == nibble:
            end += 1
        if end == position:
            payload += b"\x80"
        else:
            payload += _reference(_build(keys, values, position, end, depth + 1))
        position = end
    payload += encode(branch_value)
    return _list(bytes(payload))


def trie_root(items: dict[bytes, bytes]) -> bytes:
    """Root of the trie mapping each key to its value; empty values are absent."""
    pairs = sorted((_nibbles(key), value) for key, value in items.items() if len(value) > 0)
    if not pairs:
        return EMPTY_TRIE_ROOT
    keys = [pair[0] for pair in pairs]
    values = [pair[1] for pair in pairs]
    root = _build(keys, values, 0, len(keys), 0)
    return keccak256(root)


def secure_trie_root(items: dict[bytes, bytes]) -> bytes:
    """Root of the trie keyed by keccak256 of each key (state and storage tries)."""
    return trie_root({keccak256(key): value for key, value in items.items()})


def ordered_trie_root(values: list[bytes]) -> bytes:
    """Root of the trie keyed by rlp(index) (transactions, receipts, withdrawals)."""
    return trie_root({encode(index): value for index, value in enumerate(values)})
