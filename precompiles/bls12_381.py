"""0x0b-0x11: BLS12-381 operations (EIP-2537): G1/G2 addition and multi-scalar multiplication,
the pairing check, and the hash-to-curve maps from field elements to G1 and G2.

No library fits the free-threaded build (py-arkworks-bls12381 and blst bindings need a build
that fails on 3.13t, py_ecc needs a Rust dependency there), so this is typed Python for mypyc
on the shared tower (`tower`, xi = 1 + u) and point formulas (`primitives.jacobian`, `twist`).
The pairing is the optimal ate pairing over |x| with the M-type twist's lines; x is negative, so
the Miller value is conjugated. The maps are the simplified SWU map onto an isogenous curve,
the 11- or 3-isogeny, then cofactor clearing (RFC 9380).
"""

from __future__ import annotations

from typing import Final

from mypy_extensions import i64

from precompiles import twist
from precompiles.bls12_381_constants import (
    G1_MSM_DISCOUNT,
    G2_MSM_DISCOUNT,
    H_EFF_G2,
    ISO_3_A,
    ISO_3_B,
    ISO_3_X_DENOMINATOR,
    ISO_3_X_NUMERATOR,
    ISO_3_Y_DENOMINATOR,
    ISO_3_Y_NUMERATOR,
    ISO_3_Z,
    ISO_11_A,
    ISO_11_B,
    ISO_11_X_DENOMINATOR,
    ISO_11_X_NUMERATOR,
    ISO_11_Y_DENOMINATOR,
    ISO_11_Y_NUMERATOR,
    ISO_11_Z,
)
from precompiles.errors import PrecompileFailure
from precompiles.pricing import charge
from precompiles.tower import FP2_ONE, FP2_ZERO, FP12_ONE, Fp2, Tower, hard_part_digits, non_adjacent_form
from precompiles.twist import AffineG2, JacobianG2
from primitives import jacobian

P: Final = 0x1A0111EA397FE69A4B1BA7B6434BACD764774B84F38512BF6730D2A0F6B0F6241EABFFFEB153FFFFB9FEFFFFFFFFAAAB
R: Final = 0x73EDA753299D7D483339D80809A1D80553BDA402FFFE5BFEFFFFFFFF00000001
X_ABS: Final = 0xD201000000010000  # the curve parameter x is -X_ABS
H_EFF_G1: Final = 0xD201000000010001  # 1 - x
X_ABS_NAF: Final = non_adjacent_form(X_ABS)
BLS: Final = Tower(P, 1)
HARD_DIGITS: Final = hard_part_digits(P, R)
G1_B: Final = 4
G2_B: Final = (4, 4)  # 4 (1 + u)

G1_ADD_GAS: Final = 375
G1_MUL_GAS: Final = 12000
G2_ADD_GAS: Final = 600
G2_MUL_GAS: Final = 22500
PAIRING_BASE_GAS: Final = 37700
PAIRING_PER_PAIR_GAS: Final = 32600
MAP_FP_TO_G1_GAS: Final = 5500
MAP_FP2_TO_G2_GAS: Final = 23800
DISCOUNT_MULTIPLIER: Final = 1000

G1_SIZE: Final = 128
G2_SIZE: Final = 256
SCALAR_SIZE: Final = 32


# --- encodings ------------------------------------------------------------------------------
def decode_fp(data: bytes) -> int:
    """A 64-byte field element: 16 zero bytes, then a 48-byte big-endian value below p."""
    if any(data[:16]):
        raise PrecompileFailure
    value = int.from_bytes(data[16:64], "big")
    if value >= P:
        raise PrecompileFailure
    return value


def encode_fp(value: int) -> bytes:
    return value.to_bytes(64, "big")


def decode_fp2(data: bytes) -> Fp2:
    return (decode_fp(data[:64]), decode_fp(data[64:128]))


def decode_g1(data: bytes, subgroup: bool) -> jacobian.Point:
    """128 bytes x || y; all zero is infinity. Off the curve (or, when asked, outside the
    r-torsion subgroup) fails the call."""
    x = decode_fp(data[:64])
    y = decode_fp(data[64:128])
    if x == 0 and y == 0:
        return jacobian.INFINITY
    if (y * y - x * x * x - G1_B) % P != 0:
        raise PrecompileFailure
    point = (x, y, 1)
    if subgroup and jacobian.multiply(point, R, P)[2] != 0:
        raise PrecompileFailure
    return point


def encode_g1(point: jacobian.Point) -> bytes:
    x, y = jacobian.to_affine(point, P)
    return encode_fp(x) + encode_fp(y)


def decode_g2(data: bytes, subgroup: bool) -> JacobianG2:
    x = decode_fp2(data[:128])
    y = decode_fp2(data[128:256])
    if x == FP2_ZERO and y == FP2_ZERO:
        return twist.INFINITY
    if not twist.on_curve(BLS, x, y, G2_B):
        raise PrecompileFailure
    point = (x, y, FP2_ONE)
    if subgroup and twist.multiply(BLS, point, R)[2] != FP2_ZERO:
        raise PrecompileFailure
    return point


def encode_g2(point: JacobianG2) -> bytes:
    affine = twist.to_affine(BLS, point)
    if affine is None:
        return bytes(G2_SIZE)
    (x0, x1), (y0, y1) = affine
    return encode_fp(x0) + encode_fp(x1) + encode_fp(y0) + encode_fp(y1)


# --- pairing --------------------------------------------------------------------------------
def pairing_check(pairs: list[tuple[jacobian.Point, JacobianG2]]) -> bool:
    """True when the product of the pairings is one; one Miller loop over |x| for all pairs,
    conjugated as x < 0."""
    inputs: list[tuple[AffineG2, int, int]] = []
    for g1, g2 in pairs:
        q = twist.to_affine(BLS, g2)
        if g1[2] != 0 and q is not None:
            px, py = jacobian.to_affine(g1, P)
            inputs.append((q, px, py))
    if not inputs:
        return True
    f, _ = twist.miller_loop(BLS, inputs, X_ABS_NAF, G2_B, True)
    return BLS.final_exponentiation(BLS.f12_conjugate(f), HARD_DIGITS) == FP12_ONE


# --- hash to curve: simplified SWU, isogeny, cofactor clearing (RFC 9380) -------------------
def _fp_is_square(a: int) -> bool:
    return a == 0 or pow(a, (P - 1) // 2, P) == 1


def _fp_sqrt(a: int) -> int:
    return pow(a, (P + 1) // 4, P)  # p = 3 mod 4


def _fp2_is_square(a: Fp2) -> bool:
    return _fp_is_square((a[0] * a[0] + a[1] * a[1]) % P)  # the norm is a square in Fp


def _fp2_sqrt(a: Fp2) -> Fp2:
    """A square root in Fp2 for p = 3 mod 4 (Adj and Rodriguez-Henriquez, algorithm 9)."""
    t = BLS
    a1 = t.f2_pow(a, (P - 3) // 4)
    alpha = t.f2_mul(t.f2_square(a1), a)
    x0 = t.f2_mul(a1, a)
    if alpha == (P - 1, 0):
        return t.f2_mul((0, 1), x0)
    return t.f2_mul(t.f2_pow(t.f2_add(FP2_ONE, alpha), (P - 1) // 2), x0)


def _sgn0_fp2(a: Fp2) -> int:
    return (a[0] & 1) | (int(a[0] == 0) & (a[1] & 1))


def _poly(coefficients: tuple[int, ...], x: int) -> int:
    result = 0
    for coefficient in reversed(coefficients):
        result = (result * x + coefficient) % P
    return result


def _poly2(coefficients: tuple[Fp2, ...], x: Fp2) -> Fp2:
    result = FP2_ZERO
    for coefficient in reversed(coefficients):
        result = BLS.f2_add(BLS.f2_mul(result, x), coefficient)
    return result


def map_to_g1(u: int) -> jacobian.Point:
    a, b, z = ISO_11_A, ISO_11_B, ISO_11_Z
    zu2 = z * u * u % P
    denominator = (zu2 * zu2 + zu2) % P
    if denominator == 0:
        x1 = b * pow(z * a, -1, P) % P
    else:
        x1 = (-b * pow(a, -1, P)) * (1 + pow(denominator, -1, P)) % P
    gx1 = (x1 * x1 * x1 + a * x1 + b) % P
    if _fp_is_square(gx1):
        x, y = x1, _fp_sqrt(gx1)
    else:
        x = zu2 * x1 % P
        y = _fp_sqrt((x * x * x + a * x + b) % P)
    if (u & 1) != (y & 1):
        y = -y % P
    x_denominator = _poly(ISO_11_X_DENOMINATOR, x)
    y_denominator = _poly(ISO_11_Y_DENOMINATOR, x)
    if x_denominator == 0 or y_denominator == 0:
        return jacobian.INFINITY
    mapped = (
        _poly(ISO_11_X_NUMERATOR, x) * pow(x_denominator, -1, P) % P,
        y * _poly(ISO_11_Y_NUMERATOR, x) * pow(y_denominator, -1, P) % P,
        1,
    )
    return jacobian.multiply(mapped, H_EFF_G1, P)


def map_to_g2(u: Fp2) -> JacobianG2:
    t = BLS
    a, b, z = ISO_3_A, ISO_3_B, ISO_3_Z
    zu2 = t.f2_mul(z, t.f2_square(u))
    denominator = t.f2_add(t.f2_square(zu2), zu2)
    if denominator == FP2_ZERO:
        x1 = t.f2_mul(b, t.f2_inverse(t.f2_mul(z, a)))
    else:
        x1 = t.f2_mul(t.f2_neg(t.f2_mul(b, t.f2_inverse(a))), t.f2_add(FP2_ONE, t.f2_inverse(denominator)))
    gx1 = t.f2_add(t.f2_add(t.f2_mul(t.f2_square(x1), x1), t.f2_mul(a, x1)), b)
    if _fp2_is_square(gx1):
        x = x1
        y = _fp2_sqrt(gx1)
    else:
        x = t.f2_mul(zu2, x1)
        y = _fp2_sqrt(t.f2_add(t.f2_add(t.f2_mul(t.f2_square(x), x), t.f2_mul(a, x)), b))
    if _sgn0_fp2(u) != _sgn0_fp2(y):
        y = t.f2_neg(y)
    x_denominator = _poly2(ISO_3_X_DENOMINATOR, x)
    y_denominator = _poly2(ISO_3_Y_DENOMINATOR, x)
    if x_denominator == FP2_ZERO or y_denominator == FP2_ZERO:
        return twist.INFINITY
    mapped = (
        t.f2_mul(_poly2(ISO_3_X_NUMERATOR, x), t.f2_inverse(x_denominator)),
        t.f2_mul(y, t.f2_mul(_poly2(ISO_3_Y_NUMERATOR, x), t.f2_inverse(y_denominator))),
        FP2_ONE,
    )
    return twist.multiply(t, mapped, H_EFF_G2)


# --- the precompiles ------------------------------------------------------------------------
def _msm_gas(count: int, per_point: int, discounts: tuple[int, ...]) -> int:
    discount = discounts[count - 1] if count <= len(discounts) else discounts[-1]
    return count * per_point * discount // DISCOUNT_MULTIPLIER


def g1_add(data: bytes, gas_limit: i64) -> tuple[i64, bytes]:
    cost = charge(G1_ADD_GAS, gas_limit)
    if len(data) != 2 * G1_SIZE:
        raise PrecompileFailure
    total = jacobian.add(decode_g1(data[:G1_SIZE], False), decode_g1(data[G1_SIZE:], False), P)
    return cost, encode_g1(total)


def g1_msm(data: bytes, gas_limit: i64) -> tuple[i64, bytes]:
    size = G1_SIZE + SCALAR_SIZE
    count = len(data) // size
    if count == 0 or len(data) % size != 0:
        raise PrecompileFailure
    cost = charge(_msm_gas(count, G1_MUL_GAS, G1_MSM_DISCOUNT), gas_limit)
    total = jacobian.INFINITY
    for offset in range(0, len(data), size):
        point = decode_g1(data[offset : offset + G1_SIZE], True)
        scalar = int.from_bytes(data[offset + G1_SIZE : offset + size], "big")
        total = jacobian.add(total, jacobian.multiply(point, scalar, P), P)
    return cost, encode_g1(total)


def g2_add(data: bytes, gas_limit: i64) -> tuple[i64, bytes]:
    cost = charge(G2_ADD_GAS, gas_limit)
    if len(data) != 2 * G2_SIZE:
        raise PrecompileFailure
    total = twist.add(BLS, decode_g2(data[:G2_SIZE], False), decode_g2(data[G2_SIZE:], False))
    return cost, encode_g2(total)


def g2_msm(data: bytes, gas_limit: i64) -> tuple[i64, bytes]:
    size = G2_SIZE + SCALAR_SIZE
    count = len(data) // size
    if count == 0 or len(data) % size != 0:
        raise PrecompileFailure
    cost = charge(_msm_gas(count, G2_MUL_GAS, G2_MSM_DISCOUNT), gas_limit)
    total = twist.INFINITY
    for offset in range(0, len(data), size):
        point = decode_g2(data[offset : offset + G2_SIZE], True)
        scalar = int.from_bytes(data[offset + G2_SIZE : offset + size], "big")
        total = twist.add(BLS, total, twist.multiply(BLS, point, scalar))
    return cost, encode_g2(total)


def pairing(data: bytes, gas_limit: i64) -> tuple[i64, bytes]:
    size = G1_SIZE + G2_SIZE
    count = len(data) // size
    if count == 0 or len(data) % size != 0:
        raise PrecompileFailure
    cost = charge(PAIRING_BASE_GAS + PAIRING_PER_PAIR_GAS * count, gas_limit)
    pairs: list[tuple[jacobian.Point, JacobianG2]] = []
    for offset in range(0, len(data), size):
        pairs.append((decode_g1(data[offset : offset + G1_SIZE], True),
                      decode_g2(data[offset + G1_SIZE : offset + size], True)))  # fmt: skip
    return cost, (1 if pairing_check(pairs) else 0).to_bytes(32, "big")


def map_fp_to_g1(data: bytes, gas_limit: i64) -> tuple[i64, bytes]:
    cost = charge(MAP_FP_TO_G1_GAS, gas_limit)
    if len(data) != 64:
        raise PrecompileFailure
    return cost, encode_g1(map_to_g1(decode_fp(data)))


def map_fp2_to_g2(data: bytes, gas_limit: i64) -> tuple[i64, bytes]:
    cost = charge(MAP_FP2_TO_G2_GAS, gas_limit)
    if len(data) != 128:
        raise PrecompileFailure
    return cost, encode_g2(map_to_g2(decode_fp2(data)))
