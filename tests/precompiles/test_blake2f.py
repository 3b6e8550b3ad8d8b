"""BLAKE2F against hashlib's BLAKE2b and against a plain 64-bit reference of F for any round count.

The precompile splits words into 32-bit halves so mypyc can run the rounds natively; these
tests pin it to the straightforward definition (RFC 7693 3.2) in both builds.
"""

from __future__ import annotations

import hashlib

from hypothesis import given, settings
from hypothesis import strategies as st

from precompiles.blake2f import IV, SIGMA, compress

MASK = (1 << 64) - 1
words64 = st.integers(min_value=0, max_value=MASK)


def reference_compress(rounds: int, h: list[int], m: list[int], t0: int, t1: int, final: bool) -> list[int]:
    def rotr(x: int, n: int) -> int:
        return ((x >> n) | (x << (64 - n))) & MASK

    v = h + list(IV)
    v[12] ^= t0
    v[13] ^= t1
    if final:
        v[14] ^= MASK
    mixes = [(0, 4, 8, 12), (1, 5, 9, 13), (2, 6, 10, 14), (3, 7, 11, 15),
             (0, 5, 10, 15), (1, 6, 11, 12), (2, 7, 8, 13), (3, 4, 9, 14)]  # fmt: skip
    for r in range(rounds):
        s = SIGMA[r % 10]
        for i, (a, b, c, d) in enumerate(mixes):
            v[a] = (v[a] + v[b] + m[s[2 * i]]) & MASK
            v[d] = rotr(v[d] ^ v[a], 32)
            v[c] = (v[c] + v[d]) & MASK
            v[b] = rotr(v[b] ^ v[c], 24)
            v[a] = (v[a] + v[b] + m[s[2 * i + 1]]) & MASK
            v[d] = rotr(v[d] ^ v[a], 16)
            v[c] = (v[c] + v[d]) & MASK
            v[b] = rotr(v[b] ^ v[c], 63)
    return [h[i] ^ v[i] ^ v[i + 8] for i in range(8)]


@settings(max_examples=60, deadline=None)
@given(
    rounds=st.integers(min_value=0, max_value=25),
    h=st.lists(words64, min_size=8, max_size=8),
    m=st.lists(words64, min_size=16, max_size=16),
    t0=words64,
    t1=words64,
    final=st.booleans(),
)
def test_compress_matches_reference(
    rounds: int, h: list[int], m: list[int], t0: int, t1: int, final: bool
) -> None:
    assert compress(rounds, h, m, t0, t1, final) == reference_compress(rounds, h, m, t0, t1, final)


def blake2b_via_compress(message: bytes) -> bytes:
    """Unkeyed BLAKE2b-512 built on F with 12 rounds."""
    h = list(IV)
    h[0] ^= 0x01010000 ^ 64
    blocks = [message[i : i + 128] for i in range(0, len(message), 128)] or [b""]
    for index, block in enumerate(blocks):
        last = index == len(blocks) - 1
        counter = len(message) if last else 128 * (index + 1)
        padded = block.ljust(128, b"\0")
        m = [int.from_bytes(padded[8 * i : 8 * i + 8], "little") for i in range(16)]
        h = compress(12, h, m, counter & MASK, counter >> 64, last)
    return b"".join(word.to_bytes(8, "little") for word in h)


@settings(max_examples=40, deadline=None)
@given(st.binary(max_size=600))
def test_blake2b_built_on_compress_matches_hashlib(message: bytes) -> None:
    assert blake2b_via_compress(message) == hashlib.blake2b(message).digest()
