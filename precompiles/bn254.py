"""0x06-0x08: alt_bn128 (BN254) point addition, scalar multiplication and the pairing check
(EIP-196, EIP-197; EIP-1108 repriced them in Istanbul).

No free-threading-safe library fits (py_ecc needs a Rust build on 3.13t), so this is typed
Python for mypyc: G1 in Jacobian coordinates (`primitives.jacobian`) with GLV for ecMul
(`primitives.glv`), the optimal ate pairing over the tower with xi = 9 + u (`tower`): one Miller
loop over 6x+2 for all pairs with the D-type twist's lines (`twist`) and the two Frobenius
correction steps, then a final exponentiation by x-chains.
"""

from __future__ import annotations

from typing import Final

from mypy_extensions import i64

from precompiles import twist
from precompiles.errors import PrecompileFailure
from precompiles.pricing import charge
from precompiles.tower import FP2_ONE, FP2_ZERO, FP12_ONE, Fp12, Tower, non_adjacent_form
from precompiles.twist import AffineG2, JacobianG2
from primitives import glv, jacobian

P: Final = 21888242871839275222246405745257275088696311157297823662689037894645226208583
R: Final = 21888242871839275222246405745257275088548364400416034343698204186575808495617
X: Final = 4965661367192848881  # the curve parameter: p and r are polynomials in it
ATE_LOOP_NAF: Final = non_adjacent_form(6 * X + 2)  # the optimal ate loop count
X_NAF: Final = non_adjacent_form(X)

BN254: Final = Tower(P, 9)
# The D-type twist y^2 = x^3 + 3/xi and the Frobenius constants of its points.
TWIST_B: Final = BN254.f2_mul((3, 0), BN254.f2_inverse((9, 1)))
GAMMA_X: Final = BN254.f2_pow((9, 1), (P - 1) // 3)
GAMMA_Y: Final = BN254.f2_pow((9, 1), (P - 1) // 2)

G1 = jacobian.Point
# ecMul by GLV: (BETA x, y) = LAMBDA (x, y) on G1, with a short basis of {(a, b): a + b LAMBDA = 0 mod r}.
LAMBDA: Final = 4407920970296243842393367215006156084916469457145843978461
G1_GLV: Final = glv.Glv(
    P,
    R,
    2203960485148121921418603742825762020974279258880205651966,
    9931322734385697763,
    -147946756881789319000765030803803410728,
    147946756881789319010696353538189108491,
    9931322734385697763,
)
G1_WIDTH: Final = 5


def g1_decode(data: bytes) -> G1:
    """64 bytes x || y; (0, 0) is infinity; anything off the curve fails the call."""
    x = int.from_bytes(data[:32], "big")
    y = int.from_bytes(data[32:64], "big")
    if x >= P or y >= P:
        raise PrecompileFailure
    if x == 0 and y == 0:
        return jacobian.INFINITY
    if (y * y - x * x * x - 3) % P != 0:
        raise PrecompileFailure
    return (x, y, 1)


def g1_encode(point: G1) -> bytes:
    x, y = jacobian.to_affine(point, P)
    return x.to_bytes(32, "big") + y.to_bytes(32, "big")


def g2_decode(data: bytes) -> AffineG2 | None:
    """128 bytes: x imaginary, x real, y imaginary, y real (EIP-197); must be in G2."""
    words = [int.from_bytes(data[32 * i : 32 * i + 32], "big") for i in range(4)]
    for word in words:
        if word >= P:
            raise PrecompileFailure
    x = (words[1], words[0])
    y = (words[3], words[2])
    if x == FP2_ZERO and y == FP2_ZERO:
        return None
    if not twist.on_curve(BN254, x, y, TWIST_B):
        raise PrecompileFailure
    if not in_g2((x, y, FP2_ONE)):
        raise PrecompileFailure  # on the twist but outside the r-torsion subgroup
    return (x, y)


def psi(q: JacobianG2) -> JacobianG2:
    """The untwist-Frobenius-twist endomorphism; on G2 it is multiplication by p."""
    t = BN254
    x, y, z = q
    return (t.f2_mul(t.f2_conjugate(x), GAMMA_X), t.f2_mul(t.f2_conjugate(y), GAMMA_Y), t.f2_conjugate(z))


def in_g2(q: JacobianG2) -> bool:
    """Q on the twist lies in G2 iff [x+1]Q + psi([x]Q) + psi^2([x]Q) = psi^3([2x]Q), which holds
    for BN254 because x mod 13 != 4 and x mod 97 != 92 (El Housni, Guillevic, Piellard 2022;
    Sanso and Liang on ethresear.ch): a multiplication by x (63 bits) instead of one by r."""
    t = BN254
    xq = twist.multiply(t, q, X)
    psi_xq = psi(xq)
    left = twist.add(t, twist.add(t, twist.add(t, xq, q), psi_xq), psi(psi_xq))
    right = psi(psi(psi(twist.double(t, xq))))
    return twist.to_affine(t, left) == twist.to_affine(t, right)


def _frobenius(q: AffineG2) -> AffineG2:
    x, y, _ = psi((q[0], q[1], FP2_ONE))
    return (x, y)


def miller_loop(pairs: list[tuple[AffineG2, int, int]]) -> Fp12:
    """Optimal ate for every (Q, px, py) at once: the shared loop over 6x+2, then per pair the
    lines through pi(Q) and -pi^2(Q)."""
    t = BN254
    f, points = twist.miller_loop(t, pairs, ATE_LOOP_NAF, TWIST_B, False)
    for index in range(len(pairs)):
        q, px, py = pairs[index]
        q1 = _frobenius(q)
        q2 = _frobenius(q1)
        step, point = twist.add_step(t, points[index], q1, px, py)
        f = twist.mul_by_line(t, f, step, False)
        step, _ = twist.add_step(t, point, (q2[0], t.f2_neg(q2[1])), px, py)
        f = twist.mul_by_line(t, f, step, False)
    return f


def final_exponentiation(f: Fp12) -> Fp12:
    """f ** ((p^12 - 1) / r). The hard part (p^4 - p^2 + 1) / r is l0 + l1 p + l2 p^2 + p^3 with
    l2 = 6x^2 + 1, l1 = -36x^3 - 18x^2 - 12x + 1, l0 = -36x^3 - 30x^2 - 18x - 2; with a = f^x,
    b = f^(x^2), c = f^(x^3) it is y0 y1^2 y2^6 y3^12 y4^18 y5^30 y6^36 for the y below, computed by
    the addition chain of Scott et al. ("On the final exponentiation for calculating pairings on
    ordinary elliptic curves", 2009): three exponentiations by x instead of one by a 762-bit number."""
    t = BN254
    f = t.easy_part(f)
    a = t.f12_cyclotomic_pow(f, X_NAF)
    b = t.f12_cyclotomic_pow(a, X_NAF)
    c = t.f12_cyclotomic_pow(b, X_NAF)
    f_p = t.f12_frobenius(f, 1)
    f_p2 = t.f12_frobenius(f_p, 1)
    y0 = t.f12_mul(t.f12_mul(f_p, f_p2), t.f12_frobenius(f_p2, 1))
    y1 = t.f12_conjugate(f)
    y2 = t.f12_frobenius(b, 2)
    y3 = t.f12_conjugate(t.f12_frobenius(a, 1))
    y4 = t.f12_conjugate(t.f12_mul(a, t.f12_frobenius(b, 1)))
    y5 = t.f12_conjugate(b)
    y6 = t.f12_conjugate(t.f12_mul(c, t.f12_frobenius(c, 1)))
    t0 = t.f12_mul(t.f12_mul(t.f12_cyclotomic_square(y6), y4), y5)
    t1 = t.f12_mul(t.f12_mul(y3, y5), t0)
    t0 = t.f12_mul(t0, y2)
    t1 = t.f12_cyclotomic_square(t.f12_mul(t.f12_cyclotomic_square(t1), t0))
    t0 = t.f12_cyclotomic_square(t.f12_mul(t1, y1))
    return t.f12_mul(t.f12_mul(t1, y0), t0)


def pairing_check(pairs: list[tuple[G1, AffineG2 | None]]) -> bool:
    """True when the product of the pairings is one (pairs with a point at infinity give one)."""
    inputs: list[tuple[AffineG2, int, int]] = []
    for g1, g2 in pairs:
        if g1[2] != 0 and g2 is not None:
            inputs.append((g2, g1[0], g1[1]))
    return not inputs or final_exponentiation(miller_loop(inputs)) == FP12_ONE


# --- the precompiles ------------------------------------------------------------------------
def _add(data: bytes, cost: i64) -> tuple[i64, bytes]:
    padded = data[:128].ljust(128, b"\0")
    return cost, g1_encode(jacobian.add(g1_decode(padded[:64]), g1_decode(padded[64:128]), P))


def _mul(data: bytes, cost: i64) -> tuple[i64, bytes]:
    padded = data[:96].ljust(96, b"\0")
    point = g1_decode(padded[:64])  # G1 has prime order r: every point on the curve is in it
    return cost, g1_encode(G1_GLV.multiply(point, int.from_bytes(padded[64:96], "big") % R, G1_WIDTH))


def _pairing(data: bytes, cost: i64) -> tuple[i64, bytes]:
    if len(data) % 192 != 0:
        raise PrecompileFailure
    pairs: list[tuple[G1, AffineG2 | None]] = []
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
