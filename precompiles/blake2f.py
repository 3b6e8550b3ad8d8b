"""0x09 BLAKE2F: the BLAKE2b compression function F (EIP-152); one gas per round.

Input is exactly 213 bytes: rounds (4, big-endian), h (64), m (128), t (16), f (1, 0 or 1);
the words inside are little-endian.

A caller may ask for 2^32-1 rounds (ethereum/tests' CALLBlake2f_MaxRounds), so the rounds
loop must run at native speed: each 64-bit word is kept as two 32-bit halves in `i64`
locals, so every sum stays far below 2^63 and mypyc compiles it to plain C arithmetic with
no overflow and no boxing — and the uncompiled module computes exactly the same values.
"""

from __future__ import annotations

import time
from typing import Final

from mypy_extensions import i64

from precompiles.errors import PrecompileFailure
from precompiles.pricing import charge

M32: Final = 0xFFFFFFFF
SAFEPOINT_CYCLES: Final = 0xFFF  # every ~5 ms: a GC pause needs several safepoints
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

# A word as (high, low) 32-bit halves; G takes and returns four of them.
Mix = tuple[i64, i64, i64, i64, i64, i64, i64, i64]
# Sixteen words as halves: the working vector, or a message in one round's SIGMA order.
Halves = tuple[
    i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64,
    i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64,
]


def _g(
    ah: i64, al: i64, bh: i64, bl: i64, ch: i64, cl: i64, dh: i64, dl: i64,
    xh: i64, xl: i64, yh: i64, yl: i64,
) -> Mix:  # fmt: skip
    """The mixing function G on (a, b, c, d) with message words x, y (RFC 7693 3.1)."""
    # a = a + b + x
    lo = al + bl + xl
    ah = (ah + bh + xh + (lo >> 32)) & M32
    al = lo & M32
    # d = (d ^ a) >>> 32: swap the halves
    dh, dl = dl ^ al, dh ^ ah
    # c = c + d
    lo = cl + dl
    ch = (ch + dh + (lo >> 32)) & M32
    cl = lo & M32
    # b = (b ^ c) >>> 24
    th = bh ^ ch
    tl = bl ^ cl
    bh = ((th >> 24) | (tl << 8)) & M32
    bl = ((tl >> 24) | (th << 8)) & M32
    # a = a + b + y
    lo = al + bl + yl
    ah = (ah + bh + yh + (lo >> 32)) & M32
    al = lo & M32
    # d = (d ^ a) >>> 16
    th = dh ^ ah
    tl = dl ^ al
    dh = ((th >> 16) | (tl << 16)) & M32
    dl = ((tl >> 16) | (th << 16)) & M32
    # c = c + d
    lo = cl + dl
    ch = (ch + dh + (lo >> 32)) & M32
    cl = lo & M32
    # b = (b ^ c) >>> 63, i.e. <<< 1
    th = bh ^ ch
    tl = bl ^ cl
    bh = ((th << 1) | (tl >> 31)) & M32
    bl = ((tl << 1) | (th >> 31)) & M32
    return ah, al, bh, bl, ch, cl, dh, dl


def _round(v: Halves, s: Halves) -> Halves:
    """One round: G on the four columns, then on the four diagonals; `s` is the message in
    this round's SIGMA order."""
    (
        v0h, v0l, v1h, v1l, v2h, v2l, v3h, v3l, v4h, v4l, v5h, v5l, v6h, v6l, v7h, v7l, v8h,
        v8l, v9h, v9l, v10h, v10l, v11h, v11l, v12h, v12l, v13h, v13l, v14h, v14l, v15h, v15l,
    ) = v
    v0h, v0l, v4h, v4l, v8h, v8l, v12h, v12l = _g(
        v0h, v0l, v4h, v4l, v8h, v8l, v12h, v12l, s[0], s[1], s[2], s[3])
    v1h, v1l, v5h, v5l, v9h, v9l, v13h, v13l = _g(
        v1h, v1l, v5h, v5l, v9h, v9l, v13h, v13l, s[4], s[5], s[6], s[7])
    v2h, v2l, v6h, v6l, v10h, v10l, v14h, v14l = _g(
        v2h, v2l, v6h, v6l, v10h, v10l, v14h, v14l, s[8], s[9], s[10], s[11])
    v3h, v3l, v7h, v7l, v11h, v11l, v15h, v15l = _g(
        v3h, v3l, v7h, v7l, v11h, v11l, v15h, v15l, s[12], s[13], s[14], s[15])
    v0h, v0l, v5h, v5l, v10h, v10l, v15h, v15l = _g(
        v0h, v0l, v5h, v5l, v10h, v10l, v15h, v15l, s[16], s[17], s[18], s[19])
    v1h, v1l, v6h, v6l, v11h, v11l, v12h, v12l = _g(
        v1h, v1l, v6h, v6l, v11h, v11l, v12h, v12l, s[20], s[21], s[22], s[23])
    v2h, v2l, v7h, v7l, v8h, v8l, v13h, v13l = _g(
        v2h, v2l, v7h, v7l, v8h, v8l, v13h, v13l, s[24], s[25], s[26], s[27])
    v3h, v3l, v4h, v4l, v9h, v9l, v14h, v14l = _g(
        v3h, v3l, v4h, v4l, v9h, v9l, v14h, v14l, s[28], s[29], s[30], s[31])
    return (
        v0h, v0l, v1h, v1l, v2h, v2l, v3h, v3l, v4h, v4l, v5h, v5l, v6h, v6l, v7h, v7l, v8h,
        v8l, v9h, v9l, v10h, v10l, v11h, v11l, v12h, v12l, v13h, v13l, v14h, v14l, v15h, v15l,
    )  # fmt: skip


def _split(words: list[int]) -> Halves:
    """Sixteen 64-bit words as their (high, low) halves."""
    w0, w1, w2, w3, w4, w5, w6, w7, w8, w9, w10, w11, w12, w13, w14, w15 = words
    return (
        w0 >> 32, w0 & M32, w1 >> 32, w1 & M32, w2 >> 32, w2 & M32, w3 >> 32, w3 & M32,
        w4 >> 32, w4 & M32, w5 >> 32, w5 & M32, w6 >> 32, w6 & M32, w7 >> 32, w7 & M32,
        w8 >> 32, w8 & M32, w9 >> 32, w9 & M32, w10 >> 32, w10 & M32, w11 >> 32, w11 & M32,
        w12 >> 32, w12 & M32, w13 >> 32, w13 & M32, w14 >> 32, w14 & M32, w15 >> 32, w15 & M32,
    )  # fmt: skip


def compress(rounds: int, h: list[int], m: list[int], t0: int, t1: int, final: bool) -> list[int]:
    """F(h, m, t, f) with `rounds` rounds; words are ints in [0, 2^64)."""
    s0, s1, s2, s3, s4, s5, s6, s7, s8, s9 = [_split([m[i] for i in order]) for order in SIGMA]
    v = h + list(IV)
    v[12] ^= t0
    v[13] ^= t1
    if final:
        v[14] ^= (1 << 64) - 1
    state = _split(v)
    remaining: i64 = rounds
    cycles: i64 = 0
    # whole cycles through the ten message orders with the schedules in native locals
    while remaining >= 10:
        state = _round(_round(_round(_round(_round(state, s0), s1), s2), s3), s4)
        state = _round(_round(_round(_round(_round(state, s5), s6), s7), s8), s9)
        remaining -= 10
        cycles += 1
        if cycles & SAFEPOINT_CYCLES == 0:
            # Compiled code never pauses on its own: without this a free-threaded GC that
            # another thread starts waits the whole 2^32 rounds for this one (measured:
            # another thread stalled 17 s behind 2^27 rounds; 0.3 s with this).
            time.sleep(0)
    for s in (s0, s1, s2, s3, s4, s5, s6, s7, s8)[:remaining]:
        state = _round(state, s)
    halves = list(state)
    v = [int(halves[2 * i]) << 32 | int(halves[2 * i + 1]) for i in range(16)]
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
