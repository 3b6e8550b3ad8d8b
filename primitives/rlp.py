"""Recursive Length Prefix encoding (Yellow Paper, appendix B).

Items are `bytes` (strings) and lists of items; `encode` also takes `bytearray`, tuples and
non-negative ints (minimal big-endian, 0 is the empty string). `decode` is strict, because
blocks and transactions from BlockchainTests must be rejected exactly when they are malformed:
a length in long form that fits the short form or starts with a zero byte, a single byte below
0x80 wrapped as a string, truncated input, trailing bytes and list payloads that end inside an
item all raise `RLPError`. So does nesting deeper than `MAX_DEPTH`, which no Ethereum structure
comes near (a block with access lists nests 4 deep), so hostile input cannot exhaust the stack.
"""

from __future__ import annotations

from typing import Final

from mypy_extensions import i64

MAX_DEPTH: Final = 256
_SHORT_STRING: Final = 0x80
_LONG_STRING: Final = 0xB7  # 0xB8..0xBF: string whose length takes (prefix - 0xB7) bytes
_SHORT_LIST: Final = 0xC0
_LONG_LIST: Final = 0xF7  # 0xF8..0xFF: list whose length takes (prefix - 0xF7) bytes


_SINGLE_BYTES: Final = tuple([bytes([value]) for value in range(256)])


class RLPError(ValueError):
    """Malformed or non-canonical RLP."""


def _prefix(length: int, short_base: int) -> bytes:
    """The header of a string (short_base 0x80) or list (0xC0) whose payload is `length` bytes."""
    if length < 56:
        return _SINGLE_BYTES[short_base + length]
    encoded = length.to_bytes((length.bit_length() + 7) // 8, "big")
    return bytes([short_base + 55 + len(encoded)]) + encoded


def encode_bytes(data: bytes) -> bytes:
    """The encoding of one string."""
    if len(data) == 1 and data[0] < _SHORT_STRING:
        return data
    return _prefix(len(data), _SHORT_STRING) + data


def encode_list_payload(payload: bytes) -> bytes:
    """The encoding of a list whose items' encodings, concatenated, are `payload`."""
    return _prefix(len(payload), _SHORT_LIST) + payload


def encode(item: object) -> bytes:
    """The encoding of bytes, bytearray, a non-negative int, or a list/tuple of those."""
    if isinstance(item, bytes):
        return encode_bytes(item)
    if isinstance(item, int):
        if item < 0:
            raise RLPError("cannot encode a negative integer")
        return encode_bytes(item.to_bytes((item.bit_length() + 7) // 8, "big"))
    if isinstance(item, (list, tuple)):
        return encode_list_payload(b"".join([encode(element) for element in item]))
    if isinstance(item, bytearray):
        return encode_bytes(bytes(item))
    raise RLPError(f"cannot encode {type(item).__name__}")


def _long_length(data: bytes, start: i64, size: i64) -> i64:
    """A canonical length in long form: `size` big-endian bytes at `start`. It is at most
    len(data), so it fits an i64; the caller checks it against the bytes actually left."""
    if start + size > len(data):
        raise RLPError("input ends inside a length")
    if data[start] == 0:
        raise RLPError("length with a leading zero byte")
    length = int.from_bytes(data[start : start + size], "big")
    if length < 56:
        raise RLPError("long form used for a length below 56")
    if length > len(data):  # compared as an int: a 64-bit length may not fit an i64
        raise RLPError(f"item of {length} bytes overruns the input")
    return i64(length)


def _decode_at(data: bytes, position: i64, depth: i64) -> tuple[object, i64]:
    """Decode the item starting at `position`; return it and the position after it."""
    if position >= len(data):
        raise RLPError("input ends where an item should start")
    prefix: i64 = data[position]
    if prefix < _SHORT_STRING:
        return data[position : position + 1], position + 1
    length: i64
    start: i64
    if prefix <= _LONG_STRING:
        length = prefix - _SHORT_STRING
        start = position + 1
        if length == 1 and start < len(data) and data[start] < _SHORT_STRING:
            raise RLPError("single byte below 0x80 encoded as a string")
    elif prefix < _SHORT_LIST:
        length = _long_length(data, position + 1, prefix - _LONG_STRING)
        start = position + 1 + prefix - _LONG_STRING
    else:
        if depth >= MAX_DEPTH:
            raise RLPError(f"lists nested deeper than {MAX_DEPTH}")
        if prefix <= _LONG_LIST:
            length = prefix - _SHORT_LIST
            start = position + 1
        else:
            length = _long_length(data, position + 1, prefix - _LONG_LIST)
            start = position + 1 + prefix - _LONG_LIST
        end = start + length
        if end > len(data):
            raise RLPError("input ends inside a list")
        items: list[object] = []
        cursor = start
        while cursor < end:
            item, cursor = _decode_at(data, cursor, depth + 1)
            items.append(item)
        if cursor != end:
            raise RLPError("last item of a list overruns the list")
        return items, end
    end = start + length
    if end > len(data):
        raise RLPError("input ends inside a string")
    return data[start:end], end


def decode(data: bytes) -> object:
    """The item encoded by `data`: `bytes` or a (nested) `list` of them; strict, see above."""
    item, end = _decode_at(data, 0, 0)
    if end != len(data):
        raise RLPError(f"{len(data) - end} trailing bytes after the item")
    return item


def decode_int(data: bytes) -> int:
    """A canonical integer field (a decoded string): no leading zero bytes, empty is 0."""
    if len(data) > 0 and data[0] == 0:
        raise RLPError("integer with a leading zero byte")
    return int.from_bytes(data, "big")
