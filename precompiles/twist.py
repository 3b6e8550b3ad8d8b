"""Points on a sextic twist E'(Fp2), and the Miller-loop line functions of the optimal ate
pairing, shared by BN254 (a D-type twist) and BLS12-381 (an M-type twist).

Scalar multiplication uses Jacobian coordinates over Fp2 (infinity: Z = 0); the Miller loop
keeps its running point in homogeneous coordinates and scales each line by an Fp2 factor, which
the final exponentiation removes, so that no step inverts.
"""

from __future__ import annotations

from typing import Final

from precompiles.tower import FP2_ONE, FP2_ZERO, FP12_ONE, Fp2, Fp12, Tower

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


ProjectiveG2 = tuple[Fp2, Fp2, Fp2]  # homogeneous: (X, Y, Z) is (X / Z, Y / Z)
Line = tuple[Fp2, Fp2, Fp2]  # a multiple by a nonzero Fp2 factor of (py, -s px, s xa - ya)


def double_step(t: Tower, point: ProjectiveG2, px: int, py: int, b3: Fp2) -> tuple[Line, ProjectiveG2]:
    """2T and the tangent at T evaluated at P, in homogeneous coordinates so that no step inverts
    (Costello, Lange, Naehrig 2010; Aranha et al. 2010). `b3` is 3b for the twist y^2 = x^3 + b.
    The slope is 3X^2 / 2YZ; times 2YZ, with Y^2 Z = X^3 + b Z^3, the line is
    (2YZ py, -3X^2 px, Y^2 - 3b Z^2), negated here."""
    x, y, z = point
    a = t.f2_scale(t.f2_mul(x, y), t.half)
    b = t.f2_square(y)
    c = t.f2_square(z)
    e = t.f2_mul(b3, c)
    f = t.f2_scale(e, 3)
    g = t.f2_scale(t.f2_add(b, f), t.half)
    h = t.f2_sub(t.f2_square(t.f2_add(y, z)), t.f2_add(b, c))  # 2YZ
    j = t.f2_square(x)
    doubled = (t.f2_mul(a, t.f2_sub(b, f)), t.f2_sub(t.f2_square(g), t.f2_scale(t.f2_square(e), 3)), t.f2_mul(b, h))
    return (t.f2_neg(t.f2_scale(h, py)), t.f2_scale(j, 3 * px), t.f2_sub(e, b)), doubled


def add_step(t: Tower, point: ProjectiveG2, q: AffineG2, px: int, py: int) -> tuple[Line, ProjectiveG2]:
    """T + Q and the line through them evaluated at P. With theta = Y - yq Z and lambda = X - xq Z
    the slope is theta / lambda; times lambda the line is (lambda py, -theta px, theta xq -
    lambda yq). Never T = +-Q here: T is a multiple of Q below the order."""
    x, y, z = point
    xq, yq = q
    theta = t.f2_sub(y, t.f2_mul(yq, z))
    lam = t.f2_sub(x, t.f2_mul(xq, z))
    c = t.f2_square(theta)
    d = t.f2_square(lam)
    e = t.f2_mul(lam, d)
    f = t.f2_mul(z, c)
    g = t.f2_mul(x, d)
    h = t.f2_sub(t.f2_add(e, f), t.f2_scale(g, 2))
    total = (t.f2_mul(lam, h), t.f2_sub(t.f2_mul(theta, t.f2_sub(g, h)), t.f2_mul(y, e)), t.f2_mul(z, e))
    line = (t.f2_scale(lam, py), t.f2_neg(t.f2_scale(theta, px)), t.f2_sub(t.f2_mul(theta, xq), t.f2_mul(lam, yq)))
    return line, total


def mul_by_line(t: Tower, f: Fp12, line: Line, m_type: bool) -> Fp12:
    """f times the line, which has three nonzero Fp2 coefficients of twelve. With slope s on the
    twist, up to factors in proper subfields (which the final exponentiation removes), the line at
    P is: D-type (untwist (x w^2, y w^3)) py - s px w + (s xa - ya) w^3, i.e. py + (-s px,
    s xa - ya, 0) w; M-type (untwist (x / w^2, y / w^3)) (s xa - ya) - s px w^2 + py w^3, i.e.
    (s xa - ya, -s px, 0) + py v w."""
    py, slope_px, constant = line
    f0, f1 = f
    if m_type:
        return (
            t.f6_add_v_times(t.f6_mul_by_01(f0, constant, slope_px), t.f6_mul_v(t.f6_mul_by_0(f1, py))),
            t.f6_add_v_times(t.f6_mul_by_01(f1, constant, slope_px), t.f6_mul_by_0(f0, py)),
        )
    return (
        t.f6_add_v_times(t.f6_mul_by_0(f0, py), t.f6_mul_by_01(f1, slope_px, constant)),
        t.f6_add(t.f6_mul_by_0(f1, py), t.f6_mul_by_01(f0, slope_px, constant)),
    )


def miller_loop(
    t: Tower, pairs: list[tuple[AffineG2, int, int]], naf: tuple[int, ...], twist_b: Fp2, m_type: bool
) -> tuple[Fp12, list[ProjectiveG2]]:
    """The Miller loop over the loop count's non-adjacent form `naf` (most significant digit
    first; a -1 digit adds -Q, as cheap as Q, and there are fewer nonzero digits than bits) for
    every (Q, px, py) at once, so that the pairs share the squarings of f; also returns each
    pair's final point [loop count] Q."""
    b3 = t.f2_scale(twist_b, 3)
    f = FP12_ONE
    points: list[ProjectiveG2] = [(q[0], q[1], FP2_ONE) for q, _, _ in pairs]
    negated = [(q[0], t.f2_neg(q[1])) for q, _, _ in pairs]
    for index in range(1, len(naf)):
        f = t.f12_square(f)
        digit = naf[index]
        for pair in range(len(pairs)):
            q, px, py = pairs[pair]
            step, point = double_step(t, points[pair], px, py, b3)
            f = mul_by_line(t, f, step, m_type)
            if digit != 0:
                step, point = add_step(t, point, q if digit == 1 else negated[pair], px, py)
                f = mul_by_line(t, f, step, m_type)
            points[pair] = point
    return f, points
