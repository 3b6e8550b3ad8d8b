"""secp256k1 in typed Python for mypyc: the fallback where no C library is available.

Points are Jacobian (X, Y, Z) tuples of ints, Z = 0 is infinity. Recovery computes
Q = r^-1 (s R - e G) with one simultaneous double-and-add (Shamir's trick); signing follows
RFC 6979 with HMAC-SHA256 and normalises to low s.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Final

P: Final = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEFFFFFC2F
N: Final = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
GX: Final = 0x79BE667EF9DCBBAC55A06295CE870B07029BFCDB2DCE28D959F2815B16F81798
GY: Final = 0x483ADA7726A3C4655DA4FBFC0E1108A8FD17B448A68554199C47D08FFB10D4B8
G: Final = (GX, GY, 1)
INFINITY: Final = (0, 1, 0)

Point = tuple[int, int, int]


def double(point: Point) -> Point:
    x, y, z = point
    if z == 0 or y == 0:
        return INFINITY
    ysq = y * y % P
    s = 4 * x * ysq % P
    m = 3 * x * x % P
    nx = (m * m - 2 * s) % P
    ny = (m * (s - nx) - 8 * ysq * ysq) % P
    nz = 2 * y * z % P
    return (nx, ny, nz)


def add(p: Point, q: Point) -> Point:
    x1, y1, z1 = p
    x2, y2, z2 = q
    if z1 == 0:
        return q
    if z2 == 0:
        return p
    z1z1 = z1 * z1 % P
    z2z2 = z2 * z2 % P
    u1 = x1 * z2z2 % P
    u2 = x2 * z1z1 % P
    s1 = y1 * z2 * z2z2 % P
    s2 = y2 * z1 * z1z1 % P
    if u1 == u2:
        if s1 != s2:
            return INFINITY
        return double(p)
    h = (u2 - u1) % P
    r = (s2 - s1) % P
    hh = h * h % P
    hhh = h * hh % P
    v = u1 * hh % P
    nx = (r * r - hhh - 2 * v) % P
    ny = (r * (v - nx) - s1 * hhh) % P
    nz = h * z1 * z2 % P
    return (nx, ny, nz)


def to_affine(point: Point) -> tuple[int, int]:
    x, y, z = point
    inverse = pow(z, -1, P)
    inverse2 = inverse * inverse % P
    return x * inverse2 % P, y * inverse2 * inverse % P


def multiply_add(a: int, p: Point, b: int, q: Point) -> Point:
    """a*p + b*q with one shared doubling chain."""
    both = add(p, q)
    result = INFINITY
    for bit in range(max(a.bit_length(), b.bit_length()) - 1, -1, -1):
        result = double(result)
        take_a = (a >> bit) & 1
        take_b = (b >> bit) & 1
        if take_a and take_b:
            result = add(result, both)
        elif take_a:
            result = add(result, p)
        elif take_b:
            result = add(result, q)
    return result


def multiply(k: int, p: Point) -> Point:
    return multiply_add(k, p, 0, INFINITY)


def _encode(point: Point) -> bytes:
    x, y = to_affine(point)
    return x.to_bytes(32, "big") + y.to_bytes(32, "big")


def recover(msg_hash: bytes, recovery_id: int, r: int, s: int) -> bytes | None:
    """X||Y of the signer, or None (r and s are already checked to lie in [1, n))."""
    x = r + N if recovery_id & 2 else r
    if x >= P:
        return None
    alpha = (x * x * x + 7) % P
    beta = pow(alpha, (P + 1) // 4, P)
    if beta * beta % P != alpha:
        return None
    y = beta if beta % 2 == (recovery_id & 1) else P - beta
    e = int.from_bytes(msg_hash, "big") % N
    r_inverse = pow(r, -1, N)
    point = multiply_add(s * r_inverse % N, (x, y, 1), (-e * r_inverse) % N, G)
    if point[2] == 0:
        return None
    return _encode(point)


def public_key(secret: int) -> bytes:
    if not 0 < secret < N:
        raise ValueError("invalid private key")
    return _encode(multiply(secret, G))


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
    nonce = _rfc6979_nonce(msg_hash, secret)
    rx, ry = to_affine(multiply(nonce, G))
    r = rx % N
    s = pow(nonce, -1, N) * (int.from_bytes(msg_hash, "big") + r * secret) % N
    recovery_id = (ry & 1) | (2 if rx >= N else 0)
    if s > N // 2:
        s = N - s
        recovery_id ^= 1
    return recovery_id, r, s
