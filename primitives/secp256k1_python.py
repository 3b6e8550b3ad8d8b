"""secp256k1 in typed Python for mypyc: the backend used where no C library loads.

Points are Jacobian (X, Y, Z) tuples of ints (Z = 0 is infinity), which mypyc keeps unboxed.
Recovery computes Q = r^-1 (s R - e G) as one joint multiplication of four half-size scalars:
the GLV endomorphism (`primitives.glv`) splits each 256-bit scalar k into k1 + k2 LAMBDA with
|k1|, |k2| < 2^129, which halves the doublings. G's odd multiples (width 8) are precomputed at
import, R's (width 5) are built per call.
y = alpha^((p+1)/4) is the square root because p = 3 mod 4. Signing follows RFC 6979
(HMAC-SHA256) and normalises to low s.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Final

from primitives import glv, jacobian

P: Final = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEFFFFFC2F
N: Final = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
GX: Final = 0x79BE667EF9DCBBAC55A06295CE870B07029BFCDB2DCE28D959F2815B16F81798
GY: Final = 0x483ADA7726A3C4655DA4FBFC0E1108A8FD17B448A68554199C47D08FFB10D4B8
# The endomorphism: LAMBDA * (x, y) = (BETA * x, y); BETA^3 = 1 mod p, LAMBDA^3 = 1 mod n.
BETA: Final = 0x7AE96A2B657C07106E64479EAC3434E99CF0497512F58995C1396C28719501EE
LAMBDA: Final = 0x5363AD4CC05C30E0A5261C028812645A122E22EA20816678DF02967C1B23BD72
# With a short basis of {(a, b): a + b LAMBDA = 0 mod n}, for splitting scalars.
GLV: Final = glv.Glv(
    P,
    N,
    BETA,
    0x3086D221A7D46BCDE86C90E49284EB15,
    -0xE4437ED6010E88286F547FA90ABFE4C3,
    0x114CA50F7A8E2F3F657C1108D9D44CFD8,
    0x3086D221A7D46BCDE86C90E49284EB15,
)
_G_WIDTH: Final = 8
_R_WIDTH: Final = 5
_SQRT_EXPONENT: Final = (P + 1) // 4

Point = jacobian.Point
Affine = glv.Affine


_G_TABLE: Final = glv.odd_multiples((GX, GY, 1), 1 << (_G_WIDTH - 2), P)
_PHI_G_TABLE: Final = GLV.endomorphism(_G_TABLE)


def multiply_add_g(a: int, b: int, r_table: list[Affine]) -> Point:
    """a G + b R, where r_table holds R's odd multiples (width 5); 0 <= a, b < n."""
    a1, a2 = GLV.split(a)
    b1, b2 = GLV.split(b)
    phi_r_table = GLV.endomorphism(r_table) if b2 != 0 else r_table
    terms = [(glv.wnaf(a1, _G_WIDTH), _G_TABLE), (glv.wnaf(a2, _G_WIDTH), _PHI_G_TABLE),
             (glv.wnaf(b1, _R_WIDTH), r_table), (glv.wnaf(b2, _R_WIDTH), phi_r_table)]  # fmt: skip
    return glv.combine(terms, P)


def _encode(point: Point) -> bytes:
    x, y = jacobian.to_affine(point, P)
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
    point = multiply_add_g(-e * r_inverse % N, s * r_inverse % N, glv.odd_multiples((x, y, 1), 1 << (_R_WIDTH - 2), P))
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
    rx, ry = jacobian.to_affine(multiply_add_g(nonce, 0, []), P)
    r = rx % N
    s = pow(nonce, -1, N) * (int.from_bytes(msg_hash, "big") + r * secret) % N
    recovery_id = (ry & 1) | (2 if rx >= N else 0)
    if s > N // 2:
        s = N - s
        recovery_id ^= 1
    return recovery_id, r, s
