"""secp256k1 in typed Python for mypyc: the backend used where no C library loads.

Points are Jacobian (X, Y, Z) tuples of ints (Z = 0 is infinity), which mypyc keeps unboxed.
Recovery computes Q = r^-1 (s R - e G) as one joint multiplication of four half-size scalars:
the GLV endomorphism phi(x, y) = (BETA x, y) = LAMBDA (x, y) splits each 256-bit scalar k into
k1 + k2 LAMBDA with |k1|, |k2| < 2^129, which halves the doublings. Each scalar is in wNAF
form; G's odd multiples (width 8) are precomputed at import, R's (width 5) are built per call
and made affine with one shared inversion, so every addition is a mixed (Z = 1) addition.
y = alpha^((p+1)/4) is the square root because p = 3 mod 4. Signing follows RFC 6979
(HMAC-SHA256) and normalises to low s.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Final

from primitives import jacobian

P: Final = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEFFFFFC2F
N: Final = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
GX: Final = 0x79BE667EF9DCBBAC55A06295CE870B07029BFCDB2DCE28D959F2815B16F81798
GY: Final = 0x483ADA7726A3C4655DA4FBFC0E1108A8FD17B448A68554199C47D08FFB10D4B8
# The endomorphism: LAMBDA * (x, y) = (BETA * x, y); BETA^3 = 1 mod p, LAMBDA^3 = 1 mod n.
BETA: Final = 0x7AE96A2B657C07106E64479EAC3434E99CF0497512F58995C1396C28719501EE
LAMBDA: Final = 0x5363AD4CC05C30E0A5261C028812645A122E22EA20816678DF02967C1B23BD72
# A short basis of {(a, b): a + b LAMBDA = 0 mod n}, for splitting scalars (GLV).
_A1: Final = 0x3086D221A7D46BCDE86C90E49284EB15
_B1: Final = -0xE4437ED6010E88286F547FA90ABFE4C3
_A2: Final = 0x114CA50F7A8E2F3F657C1108D9D44CFD8
_B2: Final = 0x3086D221A7D46BCDE86C90E49284EB15
_G_WIDTH: Final = 8
_R_WIDTH: Final = 5
_SQRT_EXPONENT: Final = (P + 1) // 4

Point = tuple[int, int, int]
Affine = tuple[int, int]

INFINITY: Final[Point] = (0, 1, 0)


def double(point: Point) -> Point:
    """2P (dbl-2009-l, a = 0)."""
    x, y, z = point
    if z == 0 or y == 0:
        return INFINITY
    a = x * x % P
    b = y * y % P
    c = b * b % P
    d = 2 * ((x + b) * (x + b) - a - c) % P
    e = 3 * a
    nx = (e * e - 2 * d) % P
    ny = (e * (d - nx) - 8 * c) % P
    nz = 2 * y * z % P
    return nx, ny, nz


def add_affine(point: Point, x2: int, y2: int) -> Point:
    """P + (x2, y2) for an affine, finite (x2, y2) (madd-2007-bl, Z3 = 2 Z1 H); handles P = +-(x2, y2)."""
    x1, y1, z1 = point
    if z1 == 0:
        return x2, y2, 1
    z1z1 = z1 * z1 % P
    h = (x2 * z1z1 - x1) % P
    r = 2 * (y2 * z1 * z1z1 - y1) % P
    if h == 0:
        if r == 0:
            return double(point)
        return INFINITY
    hh = h * h % P
    i = 4 * hh % P
    j = h * i % P
    v = x1 * i % P
    nx = (r * r - j - 2 * v) % P
    ny = (r * (v - nx) - 2 * y1 * j) % P
    nz = 2 * z1 * h % P
    return nx, ny, nz


def to_affine(point: Point) -> Affine:
    """(x, y) of a finite Jacobian point."""
    x, y, z = point
    inverse = pow(z, -1, P)
    inverse2 = inverse * inverse % P
    return x * inverse2 % P, y * inverse2 * inverse % P


def _odd_multiples(point: Point, count: int) -> list[Affine]:
    """P, 3P, 5P, ... (count of them) in affine form, sharing one inversion (Montgomery's trick).

    `point` must have an order above 2 * count, true of every point of this prime-order curve."""
    twice = double(point)
    multiples = [point]
    for _ in range(count - 1):
        multiples.append(jacobian.add(multiples[-1], twice, P))
    prefix = [1]
    for item in multiples:
        prefix.append(prefix[-1] * item[2] % P)
    inverse = pow(prefix[-1], -1, P)
    out: list[Affine] = [(0, 0)] * count
    for index in range(count - 1, -1, -1):
        x, y, z = multiples[index]
        z_inverse = inverse * prefix[index] % P
        inverse = inverse * z % P
        z_inverse2 = z_inverse * z_inverse % P
        out[index] = (x * z_inverse2 % P, y * z_inverse2 * z_inverse % P)
    return out


def _endomorphism(table: list[Affine]) -> list[Affine]:
    """LAMBDA * each point: (BETA x, y)."""
    return [(BETA * x % P, y) for x, y in table]


_G_TABLE: Final = _odd_multiples((GX, GY, 1), 1 << (_G_WIDTH - 2))
_PHI_G_TABLE: Final = _endomorphism(_G_TABLE)


def split(k: int) -> tuple[int, int]:
    """(k1, k2) with k1 + k2 LAMBDA = k mod n and |k1|, |k2| < 2^129, for 0 <= k < n."""
    c1 = (2 * _B2 * k + N) // (2 * N)
    c2 = (-2 * _B1 * k + N) // (2 * N)
    return k - c1 * _A1 - c2 * _A2, -c1 * _B1 - c2 * _B2


def wnaf(k: int, width: int) -> list[int]:
    """Width-w NAF digits of k, least significant first: 0 or odd, |digit| < 2^(width-1)."""
    sign = 1
    if k < 0:
        sign = -1
        k = -k
    window = 1 << width
    digits: list[int] = []
    while k > 0:
        digit = 0
        if k & 1:
            digit = k & (window - 1)
            if digit >= window >> 1:
                digit -= window
            k -= digit
        digits.append(sign * digit)
        k >>= 1
    return digits


def _add_digit(result: Point, digits: list[int], index: int, table: list[Affine]) -> Point:
    """result + digit * P, where table holds P's odd multiples and digit = digits[index]."""
    if index >= len(digits):
        return result
    digit = digits[index]
    if digit > 0:
        x, y = table[digit >> 1]
        return add_affine(result, x, y)
    if digit < 0:
        x, y = table[(-digit) >> 1]
        return add_affine(result, x, P - y)
    return result


def multiply_add_g(a: int, b: int, r_table: list[Affine]) -> Point:
    """a G + b R, where r_table holds R's odd multiples (width 5); 0 <= a, b < n."""
    a1, a2 = split(a)
    b1, b2 = split(b)
    digits_a1 = wnaf(a1, _G_WIDTH)
    digits_a2 = wnaf(a2, _G_WIDTH)
    digits_b1 = wnaf(b1, _R_WIDTH)
    digits_b2 = wnaf(b2, _R_WIDTH)
    phi_r_table = _endomorphism(r_table) if b2 != 0 else r_table
    length = max(len(digits_a1), len(digits_a2), len(digits_b1), len(digits_b2))
    result = INFINITY
    for index in range(length - 1, -1, -1):
        result = double(result)
        result = _add_digit(result, digits_a1, index, _G_TABLE)
        result = _add_digit(result, digits_a2, index, _PHI_G_TABLE)
        result = _add_digit(result, digits_b1, index, r_table)
        result = _add_digit(result, digits_b2, index, phi_r_table)
    return result


def _encode(point: Point) -> bytes:
    x, y = to_affine(point)
    return x.to_bytes(32, "big") + y.to_bytes(32, "big")


def recover(msg_hash: bytes, recovery_id: int, r: int, s: int) -> bytes | None:
    """X||Y of the signer, or None; r and s must already lie in [1, n), recovery_id in 0..3."""
    x = r + N if recovery_id & 2 else r
    if x >= P:
        return None
    alpha = (x * x * x + 7) % P
    y = pow(alpha, _SQRT_EXPONENT, P)
    if y * y % P != alpha:
        return None  # x is not on the curve
    if y & 1 != recovery_id & 1:
        y = P - y
    e = int.from_bytes(msg_hash, "big") % N
    r_inverse = pow(r, -1, N)
    point = multiply_add_g(-e * r_inverse % N, s * r_inverse % N, _odd_multiples((x, y, 1), 1 << (_R_WIDTH - 2)))
    if point[2] == 0:
        return None
    return _encode(point)


def public_key(secret: int) -> bytes:
    """X||Y of secret * G."""
    if not 0 < secret < N:
        raise ValueError("private key out of range [1, n)")
    return _encode(multiply_add_g(secret, 0, []))


def _rfc6979_nonce(msg_hash: bytes, secret: int) -> int:
    x = secret.to_bytes(32, "big")
    h = (int.from_bytes(msg_hash, "big") % N).to_bytes(32, "big")
    v = b"\x01" * 32
    k = b"\x00" * 32
    k = hmac.new(k, v + b"\x00" + x + h, hashlib.sha256).digest()
    v = hmac.new(k, v, hashlib.sha256).digest()
    k = hmac.new(k, v + b"\x01" + x + h, hashlib.sha256).digest()
    v = hmac.new(k, v, hashlib.sha256).digest()
    while True:
        v = hmac.new(k, v, hashlib.sha256).digest()
        candidate = int.from_bytes(v, "big")
        if 0 < candidate < N:
            return candidate
        k = hmac.new(k, v + b"\x00", hashlib.sha256).digest()
        v = hmac.new(k, v, hashlib.sha256).digest()


def sign(msg_hash: bytes, secret: int) -> tuple[int, int, int]:
    """(recovery_id, r, s): deterministic nonce (RFC 6979), low s."""
    if not 0 < secret < N:
        raise ValueError("private key out of range [1, n)")
    nonce = _rfc6979_nonce(msg_hash, secret)
    rx, ry = to_affine(multiply_add_g(nonce, 0, []))
    r = rx % N
    s = pow(nonce, -1, N) * (int.from_bytes(msg_hash, "big") + r * secret) % N
    recovery_id = (ry & 1) | (2 if rx >= N else 0)
    if s > N // 2:
        s = N - s
        recovery_id ^= 1
    return recovery_id, r, s
