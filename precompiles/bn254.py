"""0x06-0x08: alt_bn128 (BN254) point addition, scalar multiplication and the pairing check
(EIP-196, EIP-197; EIP-1108 repriced them in Istanbul).

No free-threading-safe library fits (py_ecc needs a Rust build on 3.13t), so this is typed
Python for mypyc. G1 arithmetic is Jacobian over Fp. The pairing is the optimal ate pairing
over the tower Fp2 = Fp[u]/(u^2+1), Fp6 = Fp2[v]/(v^3-xi), Fp12 = Fp6[w]/(w^2-v), xi = 9+u:
a Miller loop over 6x+2 with affine line functions on the D-type twist, the two Frobenius
correction steps, and a final exponentiation split into the easy part and a hard part computed
as a multi-exponentiation in base p. Elements are tuples of ints.
"""

from __future__ import annotations

from typing import Final

from mypy_extensions import i64

from precompiles.errors import PrecompileFailure
from precompiles.pricing import charge

P: Final = 21888242871839275222246405745257275088696311157297823662689037894645226208583
R: Final = 21888242871839275222246405745257275088548364400416034343698204186575808495617
ATE_LOOP_COUNT: Final = 29793968203157093288  # 6x + 2 for x = 4965661367192848881

Fp2 = tuple[int, int]
Fp6 = tuple[Fp2, Fp2, Fp2]
Fp12 = tuple[Fp6, Fp6]
G1 = tuple[int, int, int]  # Jacobian; Z = 0 is infinity
G2 = tuple[Fp2, Fp2]  # affine on the twist; None stands for infinity where used

# --- Fp2 ----------------------------------------------------------------------------------
FP2_ZERO: Final = (0, 0)
FP2_ONE: Final = (1, 0)
XI: Final = (9, 1)


def f2_add(a: Fp2, b: Fp2) -> Fp2:
    return ((a[0] + b[0]) % P, (a[1] + b[1]) % P)


def f2_sub(a: Fp2, b: Fp2) -> Fp2:
    return ((a[0] - b[0]) % P, (a[1] - b[1]) % P)


def f2_neg(a: Fp2) -> Fp2:
    return (-a[0] % P, -a[1] % P)


def f2_mul(a: Fp2, b: Fp2) -> Fp2:
    a0, a1 = a
    b0, b1 = b
    t0 = a0 * b0
    t1 = a1 * b1
    return ((t0 - t1) % P, ((a0 + a1) * (b0 + b1) - t0 - t1) % P)


def f2_square(a: Fp2) -> Fp2:
    a0, a1 = a
    return ((a0 + a1) * (a0 - a1) % P, 2 * a0 * a1 % P)


def f2_scale(a: Fp2, k: int) -> Fp2:
    return (a[0] * k % P, a[1] * k % P)


def f2_inverse(a: Fp2) -> Fp2:
    a0, a1 = a
    inverse = pow(a0 * a0 + a1 * a1, -1, P)
    return (a0 * inverse % P, -a1 * inverse % P)


def f2_conjugate(a: Fp2) -> Fp2:
    return (a[0], -a[1] % P)


def f2_mul_xi(a: Fp2) -> Fp2:
    """a * (9 + u)."""
    a0, a1 = a
    return ((9 * a0 - a1) % P, (a0 + 9 * a1) % P)


def f2_pow(a: Fp2, exponent: int) -> Fp2:
    result = FP2_ONE
    base = a
    while exponent > 0:
        if exponent & 1:
            result = f2_mul(result, base)
        base = f2_square(base)
        exponent >>= 1
    return result


# --- Fp6 and Fp12 -------------------------------------------------------------------------
FP6_ZERO: Final = (FP2_ZERO, FP2_ZERO, FP2_ZERO)
FP6_ONE: Final = (FP2_ONE, FP2_ZERO, FP2_ZERO)
FP12_ONE: Final = (FP6_ONE, FP6_ZERO)


def f6_add(a: Fp6, b: Fp6) -> Fp6:
    return (f2_add(a[0], b[0]), f2_add(a[1], b[1]), f2_add(a[2], b[2]))


def f6_sub(a: Fp6, b: Fp6) -> Fp6:
    return (f2_sub(a[0], b[0]), f2_sub(a[1], b[1]), f2_sub(a[2], b[2]))


def f6_neg(a: Fp6) -> Fp6:
    return (f2_neg(a[0]), f2_neg(a[1]), f2_neg(a[2]))


def f6_mul(a: Fp6, b: Fp6) -> Fp6:
    """Karatsuba over Fp2 with v^3 = xi."""
    a0, a1, a2 = a
    b0, b1, b2 = b
    t0 = f2_mul(a0, b0)
    t1 = f2_mul(a1, b1)
    t2 = f2_mul(a2, b2)
    c0 = f2_add(f2_mul_xi(f2_sub(f2_sub(f2_mul(f2_add(a1, a2), f2_add(b1, b2)), t1), t2)), t0)
    c1 = f2_add(f2_sub(f2_sub(f2_mul(f2_add(a0, a1), f2_add(b0, b1)), t0), t1), f2_mul_xi(t2))
    c2 = f2_add(f2_sub(f2_sub(f2_mul(f2_add(a0, a2), f2_add(b0, b2)), t0), t2), t1)
    return (c0, c1, c2)


def f6_mul_v(a: Fp6) -> Fp6:
    """a * v."""
    return (f2_mul_xi(a[2]), a[0], a[1])


def f6_inverse(a: Fp6) -> Fp6:
    a0, a1, a2 = a
    c0 = f2_sub(f2_square(a0), f2_mul_xi(f2_mul(a1, a2)))
    c1 = f2_sub(f2_mul_xi(f2_square(a2)), f2_mul(a0, a1))
    c2 = f2_sub(f2_square(a1), f2_mul(a0, a2))
    norm = f2_add(f2_mul(a0, c0), f2_mul_xi(f2_add(f2_mul(a2, c1), f2_mul(a1, c2))))
    inverse = f2_inverse(norm)
    return (f2_mul(c0, inverse), f2_mul(c1, inverse), f2_mul(c2, inverse))


def f12_mul(a: Fp12, b: Fp12) -> Fp12:
    a0, a1 = a
    b0, b1 = b
    t0 = f6_mul(a0, b0)
    t1 = f6_mul(a1, b1)
    c1 = f6_sub(f6_sub(f6_mul(f6_add(a0, a1), f6_add(b0, b1)), t0), t1)
    return (f6_add(t0, f6_mul_v(t1)), c1)


def f12_square(a: Fp12) -> Fp12:
    a0, a1 = a
    t = f6_mul(a0, a1)
    c0 = f6_sub(f6_sub(f6_mul(f6_add(a0, a1), f6_add(a0, f6_mul_v(a1))), t), f6_mul_v(t))
    return (c0, f6_add(t, t))


def f12_conjugate(a: Fp12) -> Fp12:
    return (a[0], f6_neg(a[1]))


def f12_inverse(a: Fp12) -> Fp12:
    a0, a1 = a
    inverse = f6_inverse(f6_sub(f6_mul(a0, a0), f6_mul_v(f6_mul(a1, a1))))
    return (f6_mul(a0, inverse), f6_neg(f6_mul(a1, inverse)))


# Frobenius constants: xi^((p-1)/3), xi^(2(p-1)/3) for Fp6 and xi^((p-1)/6) for w.
GAMMA_V: Final = f2_pow(XI, (P - 1) // 3)
GAMMA_V2: Final = f2_pow(XI, 2 * (P - 1) // 3)
GAMMA_W: Final = f2_pow(XI, (P - 1) // 6)


def f6_frobenius(a: Fp6) -> Fp6:
    return (f2_conjugate(a[0]), f2_mul(f2_conjugate(a[1]), GAMMA_V), f2_mul(f2_conjugate(a[2]), GAMMA_V2))


def f12_frobenius(a: Fp12) -> Fp12:
    """a ** p."""
    c1 = f6_frobenius(a[1])
    return (f6_frobenius(a[0]), (f2_mul(c1[0], GAMMA_W), f2_mul(c1[1], GAMMA_W), f2_mul(c1[2], GAMMA_W)))


def f12_frobenius_n(a: Fp12, n: i64) -> Fp12:
    for _ in range(n):
        a = f12_frobenius(a)
    return a


# --- G1 (Jacobian over Fp) ------------------------------------------------------------------
G1_INFINITY: Final = (1, 1, 0)


def g1_double(point: G1) -> G1:
    x, y, z = point
    if z == 0 or y == 0:
        return G1_INFINITY
    ysq = y * y % P
    s = 4 * x * ysq % P
    m = 3 * x * x % P
    nx = (m * m - 2 * s) % P
    ny = (m * (s - nx) - 8 * ysq * ysq) % P
    return (nx, ny, 2 * y * z % P)


def g1_add(p: G1, q: G1) -> G1:
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
        return g1_double(p) if s1 == s2 else G1_INFINITY
    h = (u2 - u1) % P
    r = (s2 - s1) % P
    hh = h * h % P
    hhh = h * hh % P
    v = u1 * hh % P
    nx = (r * r - hhh - 2 * v) % P
    return (nx, (r * (v - nx) - s1 * hhh) % P, h * z1 * z2 % P)


def g1_multiply(point: G1, scalar: int) -> G1:
    result = G1_INFINITY
    for bit in range(scalar.bit_length() - 1, -1, -1):
        result = g1_double(result)
        if (scalar >> bit) & 1:
            result = g1_add(result, point)
    return result


def g1_decode(data: bytes) -> G1:
    """64 bytes x || y; (0, 0) is infinity; anything off the curve fails the call."""
    x = int.from_bytes(data[:32], "big")
    y = int.from_bytes(data[32:64], "big")
    if x >= P or y >= P:
        raise PrecompileFailure
    if x == 0 and y == 0:
        return G1_INFINITY
    if (y * y - x * x * x - 3) % P != 0:
        raise PrecompileFailure
    return (x, y, 1)


def g1_encode(point: G1) -> bytes:
    x, y, z = point
    if z == 0:
        return bytes(64)
    inverse = pow(z, -1, P)
    inverse2 = inverse * inverse % P
    return (x * inverse2 % P).to_bytes(32, "big") + (y * inverse2 * inverse % P).to_bytes(32, "big")


# --- G2 (affine on the twist y^2 = x^3 + 3/xi) ----------------------------------------------
TWIST_B: Final = f2_mul((3, 0), f2_inverse(XI))


def g2_on_curve(x: Fp2, y: Fp2) -> bool:
    return f2_sub(f2_square(y), f2_mul(f2_square(x), x)) == TWIST_B


def g2_add(p: G2 | None, q: G2 | None) -> G2 | None:
    if p is None:
        return q
    if q is None:
        return p
    x1, y1 = p
    x2, y2 = q
    if x1 == x2:
        if y1 != y2 or y1 == FP2_ZERO:
            return None
        slope = f2_mul(f2_scale(f2_square(x1), 3), f2_inverse(f2_scale(y1, 2)))
    else:
        slope = f2_mul(f2_sub(y2, y1), f2_inverse(f2_sub(x2, x1)))
    x3 = f2_sub(f2_sub(f2_square(slope), x1), x2)
    return (x3, f2_sub(f2_mul(slope, f2_sub(x1, x3)), y1))


def g2_multiply(point: G2, scalar: int) -> G2 | None:
    result: G2 | None = None
    for bit in range(scalar.bit_length() - 1, -1, -1):
        result = g2_add(result, result)
        if (scalar >> bit) & 1:
            result = g2_add(result, point)
    return result


def g2_decode(data: bytes) -> G2 | None:
    """128 bytes: x imaginary, x real, y imaginary, y real (EIP-197); must be in G2."""
    words = [int.from_bytes(data[32 * i : 32 * i + 32], "big") for i in range(4)]
    for word in words:
        if word >= P:
            raise PrecompileFailure
    x = (words[1], words[0])
    y = (words[3], words[2])
    if x == FP2_ZERO and y == FP2_ZERO:
        return None
    if not g2_on_curve(x, y) or g2_multiply((x, y), R) is not None:
        raise PrecompileFailure
    return (x, y)


# --- pairing --------------------------------------------------------------------------------
def _line(t: G2, q: G2, px: int, py: int) -> tuple[Fp12, G2 | None]:
    """The line through t and q (tangent when equal) evaluated at P, and t + q.

    With the twist map (x, y) -> (x w^2, y w^3) the line is
    yP - slope*xP*w + (slope*x_t - y_t)*w^3, up to factors the final exponentiation removes.
    """
    x1, y1 = t
    x2, y2 = q
    if x1 == x2 and y1 == y2:
        slope = f2_mul(f2_scale(f2_square(x1), 3), f2_inverse(f2_scale(y1, 2)))
    elif x1 == x2:
        # vertical line: lies in a proper subfield, so it contributes nothing
        return FP12_ONE, None
    else:
        slope = f2_mul(f2_sub(y2, y1), f2_inverse(f2_sub(x2, x1)))
    x3 = f2_sub(f2_sub(f2_square(slope), x1), x2)
    y3 = f2_sub(f2_mul(slope, f2_sub(x1, x3)), y1)
    c0: Fp6 = ((py, 0), FP2_ZERO, FP2_ZERO)
    c1: Fp6 = (f2_neg(f2_scale(slope, px)), f2_sub(f2_mul(slope, x1), y1), FP2_ZERO)
    return (c0, c1), (x3, y3)


GAMMA_X: Final = f2_pow(XI, (P - 1) // 3)
GAMMA_Y: Final = f2_pow(XI, (P - 1) // 2)


def _twist_frobenius(q: G2) -> G2:
    x, y = q
    return (f2_mul(f2_conjugate(x), GAMMA_X), f2_mul(f2_conjugate(y), GAMMA_Y))


def miller_loop(q: G2, px: int, py: int) -> Fp12:
    f = FP12_ONE
    t: G2 | None = q
    for bit in range(ATE_LOOP_COUNT.bit_length() - 2, -1, -1):
        assert t is not None
        line, t = _line(t, t, px, py)
        f = f12_mul(f12_square(f), line)
        if (ATE_LOOP_COUNT >> bit) & 1:
            assert t is not None
            line, t = _line(t, q, px, py)
            f = f12_mul(f, line)
    q1 = _twist_frobenius(q)
    q2 = _twist_frobenius(q1)
    q2 = (q2[0], f2_neg(q2[1]))
    assert t is not None
    line, t = _line(t, q1, px, py)
    f = f12_mul(f, line)
    assert t is not None
    line, _ = _line(t, q2, px, py)
    return f12_mul(f, line)


# Hard part exponent (p^4 - p^2 + 1) / r written in base p, for a shared-squaring product.
_HARD: Final = (P**4 - P**2 + 1) // R
_HARD_DIGITS: Final = tuple((_HARD // P**i) % P for i in range(4))


def final_exponentiation(f: Fp12) -> Fp12:
    # easy part: f^((p^6 - 1)(p^2 + 1))
    f = f12_mul(f12_conjugate(f), f12_inverse(f))
    f = f12_mul(f12_frobenius_n(f, 2), f)
    # hard part: prod_i (f^(p^i))^(d_i), sharing the squarings
    bases = [f, f12_frobenius(f), f12_frobenius_n(f, 2), f12_frobenius_n(f, 3)]
    result = FP12_ONE
    top = max(digit.bit_length() for digit in _HARD_DIGITS)
    for bit in range(top - 1, -1, -1):
        result = f12_square(result)
        for index in range(4):
            if (_HARD_DIGITS[index] >> bit) & 1:
                result = f12_mul(result, bases[index])
    return result


def pairing_check(pairs: list[tuple[G1, G2 | None]]) -> bool:
    """True when the product of the pairings is one."""
    f = FP12_ONE
    for g1, g2 in pairs:
        if g1[2] == 0 or g2 is None:
            continue
        f = f12_mul(f, miller_loop(g2, g1[0], g1[1]))
    return final_exponentiation(f) == FP12_ONE


# --- the precompiles ------------------------------------------------------------------------
def _add(data: bytes, cost: i64) -> tuple[i64, bytes]:
    padded = data[:128].ljust(128, b"\0")
    return cost, g1_encode(g1_add(g1_decode(padded[:64]), g1_decode(padded[64:128])))


def _mul(data: bytes, cost: i64) -> tuple[i64, bytes]:
    padded = data[:96].ljust(96, b"\0")
    return cost, g1_encode(g1_multiply(g1_decode(padded[:64]), int.from_bytes(padded[64:96], "big")))


def _pairing(data: bytes, cost: i64) -> tuple[i64, bytes]:
    if len(data) % 192 != 0:
        raise PrecompileFailure
    pairs: list[tuple[G1, G2 | None]] = []
    for offset in range(0, len(data), 192):
        pairs.append((g1_decode(data[offset : offset + 64]), g2_decode(data[offset + 64 : offset + 192])))
    return cost, (1 if pairing_check(pairs) else 0).to_bytes(32, "big")


def _pairs(data: bytes) -> int:
    return len(data) // 192


def ecadd_byzantium(data: bytes, gas_limit: i64) -> tuple[i64, bytes]:
    return _add(data, charge(500, gas_limit))


def ecadd_istanbul(data: bytes, gas_limit: i64) -> tuple[i64, bytes]:
    return _add(data, charge(150, gas_limit))


def ecmul_byzantium(data: bytes, gas_limit: i64) -> tuple[i64, bytes]:
    return _mul(data, charge(40000, gas_limit))


def ecmul_istanbul(data: bytes, gas_limit: i64) -> tuple[i64, bytes]:
    return _mul(data, charge(6000, gas_limit))


def ecpairing_byzantium(data: bytes, gas_limit: i64) -> tuple[i64, bytes]:
    return _pairing(data, charge(100000 + 80000 * _pairs(data), gas_limit))


def ecpairing_istanbul(data: bytes, gas_limit: i64) -> tuple[i64, bytes]:
    return _pairing(data, charge(45000 + 34000 * _pairs(data), gas_limit))
