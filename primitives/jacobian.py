"""Points on short Weierstrass curves y^2 = x^3 + a x + b over a prime field, in Jacobian
coordinates (X, Y, Z) with Z = 0 for infinity: secp256k1, BN254 and BLS12-381 G1 (a = 0) and
P-256 (a = -3). Typed for mypyc; the modulus is a parameter so the curves share the formulas.
`double` and `multiply` are for a = 0; P-256 doubles with `double_a_minus_3`."""

from __future__ import annotations

from typing import Final

Point = tuple[int, int, int]
INFINITY: Final = (1, 1, 0)


def double(point: Point, p: int) -> Point:
    """2P for a = 0."""
    x, y, z = point
    if z == 0 or y == 0:
        return INFINITY
    ysq = y * y % p
    s = 4 * x * ysq % p
    m = 3 * x * x % p
    nx = (m * m - 2 * s) % p
    ny = (m * (s - nx) - 8 * ysq * ysq) % p
    return (nx, ny, 2 * y * z % p)


def double_a_minus_3(point: Point, p: int) -> Point:
    """2P for a = -3 (P-256): 3x^2 + a z^4 factors as 3 (x - z^2)(x + z^2)."""
    x, y, z = point
    if z == 0 or y == 0:
        return INFINITY
    zz = z * z % p
    m = 3 * (x - zz) * (x + zz) % p
    yy = y * y % p
    s = 4 * x * yy % p
    nx = (m * m - 2 * s) % p
    ny = (m * (s - nx) - 8 * yy * yy) % p
    return (nx, ny, 2 * y * z % p)


def add(first: Point, second: Point, p: int, a_minus_3: bool = False) -> Point:
    """The sum (add-1998-cmo-2); handles equal and opposite points and infinity. `a_minus_3`:
    the curve's a is -3, which matters only when the points are equal (the sum is a doubling)."""
    x1, y1, z1 = first
    x2, y2, z2 = second
    if z1 == 0:
        return second
    if z2 == 0:
        return first
    z1z1 = z1 * z1 % p
    z2z2 = z2 * z2 % p
    u1 = x1 * z2z2 % p
    u2 = x2 * z1z1 % p
    s1 = y1 * z2 * z2z2 % p
    s2 = y2 * z1 * z1z1 % p
    if u1 == u2:
        if s1 != s2:
            return INFINITY
        return double_a_minus_3(first, p) if a_minus_3 else double(first, p)
    h = (u2 - u1) % p
    r = (s2 - s1) % p
    hh = h * h % p
    hhh = h * hh % p
    v = u1 * hh % p
    nx = (r * r - hhh - 2 * v) % p
    return (nx, (r * (v - nx) - s1 * hhh) % p, h * z1 * z2 % p)


def add_affine(point: Point, x2: int, y2: int, p: int) -> Point:
    """P + (x2, y2) for an affine, finite (x2, y2) (madd-2007-bl, Z3 = 2 Z1 H); handles P = +-(x2, y2)."""
    x1, y1, z1 = point
    if z1 == 0:
        return x2, y2, 1
    z1z1 = z1 * z1 % p
    h = (x2 * z1z1 - x1) % p
    r = 2 * (y2 * z1 * z1z1 - y1) % p
    if h == 0:
        if r == 0:
            return double(point, p)
        return INFINITY
    hh = h * h % p
    i = 4 * hh % p
    j = h * i % p
    v = x1 * i % p
    nx = (r * r - j - 2 * v) % p
    ny = (r * (v - nx) - 2 * y1 * j) % p
    return nx, ny, 2 * z1 * h % p


def multiply(point: Point, scalar: int, p: int) -> Point:
    result = INFINITY
    for bit in range(scalar.bit_length() - 1, -1, -1):
        result = double(result, p)
        if (scalar >> bit) & 1:
            result = add(result, point, p)
    return result


def to_affine(point: Point, p: int) -> tuple[int, int]:
    """Affine (x, y); (0, 0) for infinity, as the EVM encodes it."""
    x, y, z = point
    if z == 0:
        return 0, 0
    inverse = pow(z, -1, p)
    inverse2 = inverse * inverse % p
    return x * inverse2 % p, y * inverse2 * inverse % p
