"""Recursive Length Prefix encoding (Yellow Paper, appendix B).

Items are `bytes` (strings) and lists of items; `encode` also takes non-negative ints (minimal
big-endian, 0 is the empty string). `decode` is strict: non-canonical lengths, a single byte
below 0x80 wrapped as a string, truncated input and trailing bytes all raise `RLPError`, because
blocks and transactions from BlockchainTests must be rejected exactly when they are malformed.
"""

from __future__ import annotations

from mypy_extensions import i64


class RLPError(Exception):
    """Malformed or non-canonical RLP."""


def _length_prefix(length: int, offset: int) -> bytes:
    if length < 56:
        return bytes([offset + length])
    encoded = length.to_bytes((length.bit_length() + 7) // 8, "big")
    return bytes([offset + 55 + len(encoded)]) + encoded


def encode(item: object) -> bytes:
    if isinstance(item, bytes):
        if len(item) == 1 and item[0] < 0x80:
            return item
        return _length_prefix(len(item), 0x80) + item
    if isinstance(item, int):
        if item < 0:
            raise RLPError("cannot encode a negative integer")
        if item == 0:
            return b"\x80"
        if item < 0x80:
            return bytes([item])
        raw = item.to_bytes((item.bit_length() + 7) // 8, "big")
        return _length_prefix(len(raw), 0x80) + raw
    if isinstance(item, bytearray):
        return encode(bytes(item))
    if isinstance(item, (list, tuple)):
        body = b"".join([encode(element) for element in item])
        return _length_prefix(len(body), 0xC0) + body
    raise RLPError(f"cannot encode {type(item).__name__}")


def _long_length(data: bytes, start: i64, size: i64) -> i64:
    if start + size > len(data):
        raise RLPError("truncated length")
    if data[start] == 0:
        raise RLPError("length with leading zero")
    length: i64 = int.from_bytes(data[start : start + size], "big")
    if length < 56:
        raise RLPError("long form used for a short length")
    return length


def _decode_at(data: bytes, position: i64) -> tuple[object, i64]:
    """Decode the item starting at `position`; return it and the position after it."""
    if position >= len(data):
        raise RLPError("truncated input")
    prefix = data[position]
    if prefix < 0x80:
        return data[position : position + 1], position + 1
    if prefix < 0xB8:
        length: i64 = prefix - 0x80
        start = position + 1
        if length == 1 and start < len(data) and data[start] < 0x80:
            raise RLPError("single byte below 0x80 encoded as a string")
    elif prefix < 0xC0:
        size: i64 = prefix - 0xB7
        length = _long_length(data, position + 1, size)
        start = position + 1 + size
    else:
        if prefix < 0xF8:
            length = prefix - 0xC0
            start = position + 1
        else:
            size = prefix - 0xF7
            length = _long_length(data, position + 1, size)
            start = position + 1 + size
        end = start + length
        if end > len(data):
            raise RLPError("truncated list")
        items: list[object] = []
        cursor = start
        while cursor < end:
            item, cursor = _decode_at(data, cursor)
            items.append(item)
        if cursor != end:
            raise RLPError("list payload overruns its length")
        return items, end
    end = start + length
    if end > len(data):
        raise RLPError("truncated string")
    return data[start:end], end


def decode(data: bytes) -> object:
    item, end = _decode_at(data, 0)
    if end != len(data):
        raise RLPError(f"{len(data) - end} trailing bytes")
    return item


def decode_int(data: bytes) -> int:
    """A canonical integer field: no leading zero bytes."""
    if len(data) > 0 and data[0] == 0:
        raise RLPError("integer with leading zero")
    return int.from_bytes(data, "big")
