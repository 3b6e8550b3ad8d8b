"""0x100 P256VERIFY (EIP-7951): ECDSA verification over secp256r1 (NIST P-256).

`cryptography` (the usual P-256 library) needs a Rust build that fails on free-threaded 3.13,
so this is typed Python for mypyc: Jacobian coordinates with a = -3 (`primitives.jacobian`), one
simultaneous double-and-add for u1*G + u2*Q. Every invalid input returns empty output (gas is
still used).
"""

from __future__ import annotations

from typing import Final

from mypy_extensions import i64

from precompiles.pricing import charge
from primitives import jacobian

GAS: Final = 6900
P: Final = 0xFFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFF
A: Final = P - 3
B: Final = 0x5AC635D8AA3A93E7B3EBBD55769886BC651D06B0CC53B0F63BCE3C3E27D2604B
N: Final = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
G: Final = (
    0x6B17D1F2E12C4247F8BCE6E563A440F277037D812DEB33A0F4A13945D898C296,
    0x4FE342E2FE1A7F9B8EE7EB4A7C0F9E162BCE33576B315ECECBB6406837BF51F5,
    1,
)
VALID: Final = (1).to_bytes(32, "big")


def _multiply_add(a: int, p: jacobian.Point, b: int, q: jacobian.Point) -> jacobian.Point:
    """a*p + b*q sharing one doubling chain."""
    both = jacobian.add(p, q, P, a_minus_3=True)
    result = jacobian.INFINITY
    for bit in range(max(a.bit_length(), b.bit_length()) - 1, -1, -1):
        result = jacobian.double_a_minus_3(result, P)
        take_a = (a >> bit) & 1
        take_b = (b >> bit) & 1
        if take_a and take_b:
            result = jacobian.add(result, both, P, a_minus_3=True)
        elif take_a:
            result = jacobian.add(result, p, P, a_minus_3=True)
        elif take_b:
            result = jacobian.add(result, q, P, a_minus_3=True)
    return result


def verify(message_hash: int, r: int, s: int, qx: int, qy: int) -> bool:
    if not (0 < r < N and 0 < s < N and qx < P and qy < P):
        return False
    if (qy * qy - qx * qx * qx - A * qx - B) % P != 0:
        return False  # not on the curve (this also rejects the all-zero encoding of infinity)
    s_inverse = pow(s, -1, N)
    x, _, z = _multiply_add(message_hash * s_inverse % N, G, r * s_inverse % N, (qx, qy, 1))
    if z == 0:
        return False
    z_inverse = pow(z, -1, P)
    return x * z_inverse * z_inverse % P % N == r


def p256verify(data: bytes, gas_limit: i64) -> tuple[i64, bytes]:
    cost = charge(GAS, gas_limit)
    if len(data) != 160:
        return cost, b""
    words = [int.from_bytes(data[i : i + 32], "big") for i in range(0, 160, 32)]
    if verify(words[0], words[1], words[2], words[3], words[4]):
        return cost, VALID
    return cost, b""
