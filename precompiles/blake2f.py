"""0x09 BLAKE2F: the BLAKE2b compression function F (EIP-152); one gas per round.

Input is exactly 213 bytes: rounds (4, big-endian), h (64), m (128), t (16), f (1, 0 or 1);
the words inside are little-endian.
"""

from __future__ import annotations

from typing import Final

from mypy_extensions import i64

from precompiles.errors import PrecompileFailure
from precompiles.pricing import charge

MASK: Final = (1 << 64) - 1
IV: Final = (
    0x6A09E667F3BCC908, 0xBB67AE8584CAA73B, 0x3C6EF372FE94F82B, 0xA54FF53A5F1D36F1,
    0x510E527FADE682D1, 0x9B05688C2B3E6C1F, 0x1F83D9ABFB41BD6B, 0x5BE0CD19137E2179,
)  # fmt: skip
SIGMA: Final = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
    (14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3),
    (11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4),
    (7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8),
    (9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13),
    (2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9),
    (12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11),
    (13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10),
    (6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5),
    (10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0),
)
# (a, b, c, d) word indices of the eight G applications in one round
MIXES: Final = ((0, 4, 8, 12), (1, 5, 9, 13), (2, 6, 10, 14), (3, 7, 11, 15),
                (0, 5, 10, 15), (1, 6, 11, 12), (2, 7, 8, 13), (3, 4, 9, 14))  # fmt: skip


def _rotr(x: int, n: int) -> int:
    return ((x >> n) | (x << (64 - n))) & MASK


def compress(rounds: int, h: list[int], m: list[int], t0: int, t1: int, final: bool) -> list[int]:
    v = h + list(IV)
    v[12] ^= t0
    v[13] ^= t1
    if final:
        v[14] ^= MASK
    for round_index in range(rounds):
        s = SIGMA[round_index % 10]
        for mix in range(8):
            a, b, c, d = MIXES[mix]
            x = m[s[2 * mix]]
            y = m[s[2 * mix + 1]]
            va = (v[a] + v[b] + x) & MASK
            vd = _rotr(v[d] ^ va, 32)
            vc = (v[c] + vd) & MASK
            vb = _rotr(v[b] ^ vc, 24)
            va = (va + vb + y) & MASK
            vd = _rotr(vd ^ va, 16)
            vc = (vc + vd) & MASK
            vb = _rotr(vb ^ vc, 63)
            v[a] = va
            v[b] = vb
            v[c] = vc
            v[d] = vd
    return [h[i] ^ v[i] ^ v[i + 8] for i in range(8)]


def blake2f(data: bytes, gas_limit: i64) -> tuple[i64, bytes]:
    if len(data) != 213:
        raise PrecompileFailure
    rounds = int.from_bytes(data[:4], "big")
    cost = charge(rounds, gas_limit)
    flag = data[212]
    if flag > 1:
        raise PrecompileFailure
    h = [int.from_bytes(data[4 + 8 * i : 12 + 8 * i], "little") for i in range(8)]
    m = [int.from_bytes(data[68 + 8 * i : 76 + 8 * i], "little") for i in range(16)]
    t0 = int.from_bytes(data[196:204], "little")
    t1 = int.from_bytes(data[204:212], "little")
    result = compress(rounds, h, m, t0, t1, flag == 1)
    return cost, b"".join(word.to_bytes(8, "little") for word in result)
