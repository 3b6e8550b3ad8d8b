"""Points on a sextic twist E'(Fp2), and the Miller-loop line functions of the optimal ate
pairing, shared by BN254 (a D-type twist) and BLS12-381 (an M-type twist).

Scalar multiplication uses Jacobian coordinates over Fp2 (infinity: Z = 0); the Miller loop
keeps its running point affine (None is infinity) because its lines need the slope anyway.
"""

from __future__ import annotations

from typing import Final

from precompiles.tower import FP2_ONE, FP2_ZERO, FP12_ONE, Fp2, Fp6, Fp12, Tower

JacobianG2 = tuple[Fp2, Fp2, Fp2]
AffineG2 = tuple[Fp2, Fp2]
INFINITY: Final = (FP2_ONE, FP2_ONE, FP2_ZERO)


def on_curve(t: Tower, x: Fp2, y: Fp2, b: Fp2) -> bool:
    return t.f2_sub(t.f2_square(y), t.f2_mul(t.f2_square(x), x)) == b


def double(t: Tower, point: JacobianG2) -> JacobianG2:
    x, y, z = point
    if z == FP2_ZERO or y == FP2_ZERO:
        return INFINITY
    ysq = t.f2_square(y)
    s = t.f2_scale(t.f2_mul(x, ysq), 4)
    m = t.f2_scale(t.f2_square(x), 3)
    nx = t.f2_sub(t.f2_square(m), t.f2_scale(s, 2))
    ny = t.f2_sub(t.f2_mul(m, t.f2_sub(s, nx)), t.f2_scale(t.f2_square(ysq), 8))
    return (nx, ny, t.f2_scale(t.f2_mul(y, z), 2))


def add(t: Tower, a: JacobianG2, b: JacobianG2) -> JacobianG2:
    x1, y1, z1 = a
    x2, y2, z2 = b
    if z1 == FP2_ZERO:
        return b
    if z2 == FP2_ZERO:
        return a
    z1z1 = t.f2_square(z1)
    z2z2 = t.f2_square(z2)
    u1 = t.f2_mul(x1, z2z2)
    u2 = t.f2_mul(x2, z1z1)
    s1 = t.f2_mul(t.f2_mul(y1, z2), z2z2)
    s2 = t.f2_mul(t.f2_mul(y2, z1), z1z1)
    if u1 == u2:
        return double(t, a) if s1 == s2 else INFINITY
    h = t.f2_sub(u2, u1)
    r = t.f2_sub(s2, s1)
    hh = t.f2_square(h)
    hhh = t.f2_mul(h, hh)
    v = t.f2_mul(u1, hh)
    nx = t.f2_sub(t.f2_sub(t.f2_square(r), hhh), t.f2_scale(v, 2))
    ny = t.f2_sub(t.f2_mul(r, t.f2_sub(v, nx)), t.f2_mul(s1, hhh))
    return (nx, ny, t.f2_mul(t.f2_mul(h, z1), z2))


def multiply(t: Tower, point: JacobianG2, scalar: int) -> JacobianG2:
    result = INFINITY
    for bit in range(scalar.bit_length() - 1, -1, -1):
        result = double(t, result)
        if (scalar >> bit) & 1:
            result = add(t, result, point)
    return result


def to_affine(t: Tower, point: JacobianG2) -> AffineG2 | None:
    x, y, z = point
    if z == FP2_ZERO:
        return None
    inverse = t.f2_inverse(z)
    inverse2 = t.f2_square(inverse)
    return t.f2_mul(x, inverse2), t.f2_mul(t.f2_mul(y, inverse2), inverse)


def line(t: Tower, a: AffineG2, b: AffineG2, px: int, py: int, m_type: bool) -> tuple[Fp12, AffineG2 | None]:
    """The line through a and b (the tangent when equal) evaluated at P = (px, py), and a + b.

    With slope s on the twist, the line at P is, up to factors in proper subfields (which the
    final exponentiation removes): D-type (untwist (x w^2, y w^3)) py - s px w + (s xa - ya) w^3;
    M-type (untwist (x / w^2, y / w^3)) (s xa - ya) - s px w^2 + py w^3. A vertical line lies in
    a proper subfield, so it contributes one.
    """
    x1, y1 = a
    x2, y2 = b
    if x1 == x2 and y1 == y2:
        slope = t.f2_mul(t.f2_scale(t.f2_square(x1), 3), t.f2_inverse(t.f2_scale(y1, 2)))
    elif x1 == x2:
        return FP12_ONE, None
    else:
        slope = t.f2_mul(t.f2_sub(y2, y1), t.f2_inverse(t.f2_sub(x2, x1)))
    x3 = t.f2_sub(t.f2_sub(t.f2_square(slope), x1), x2)
    y3 = t.f2_sub(t.f2_mul(slope, t.f2_sub(x1, x3)), y1)
    constant = t.f2_sub(t.f2_mul(slope, x1), y1)
    slope_px = t.f2_neg(t.f2_scale(slope, px))
    c0: Fp6
    c1: Fp6
    if m_type:
        c0 = (constant, slope_px, FP2_ZERO)
        c1 = (FP2_ZERO, (py, 0), FP2_ZERO)
    else:
        c0 = ((py, 0), FP2_ZERO, FP2_ZERO)
        c1 = (slope_px, constant, FP2_ZERO)
    return (c0, c1), (x3, y3)
