"""The 2048-bit logs bloom: for each address and topic, three bits picked by its keccak."""

from __future__ import annotations

from primitives.keccak import keccak256


def logs_bloom(entries: list[bytes]) -> bytes:
    bits = 0
    for entry in entries:
        digest = keccak256(entry)
        for index in (0, 2, 4):
            bits |= 1 << (((digest[index] << 8) | digest[index + 1]) & 2047)
    return bits.to_bytes(256, "big")


def bloom_or(a: bytes, b: bytes) -> bytes:
    return (int.from_bytes(a, "big") | int.from_bytes(b, "big")).to_bytes(256, "big")
