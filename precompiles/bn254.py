"""0x06-0x08: alt_bn128 (BN254) point addition, scalar multiplication and the pairing check
(EIP-196, EIP-197; EIP-1108 repriced them in Istanbul).

No free-threading-safe library fits (py_ecc needs a Rust build on 3.13t), so this is typed
Python for mypyc: G1 in Jacobian coordinates (`primitives.jacobian`), the optimal ate pairing
over the tower with xi = 9 + u (`tower`), a Miller loop over 6x+2 with the D-type twist's lines
(`twist`) and the two Frobenius correction steps.
"""

from __future__ import annotations

from typing import Final

from mypy_extensions import i64

from precompiles import twist
from precompiles.errors import PrecompileFailure
from precompiles.pricing import charge
from precompiles.tower import FP2_ONE, FP2_ZERO, FP12_ONE, Fp12, Tower, hard_part_digits
from precompiles.twist import AffineG2
from primitives import jacobian

P: Final = 21888242871839275222246405745257275088696311157297823662689037894645226208583
R: Final = 21888242871839275222246405745257275088548364400416034343698204186575808495617
ATE_LOOP_COUNT: Final = 29793968203157093288  # 6x + 2 for x = 4965661367192848881

BN254: Final = Tower(P, 9)
HARD_DIGITS: Final = hard_part_digits(P, R)
# The D-type twist y^2 = x^3 + 3/xi and the Frobenius constants of its points.
TWIST_B: Final = BN254.f2_mul((3, 0), BN254.f2_inverse((9, 1)))
GAMMA_X: Final = BN254.f2_pow((9, 1), (P - 1) // 3)
GAMMA_Y: Final = BN254.f2_pow((9, 1), (P - 1) // 2)

G1 = jacobian.Point


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
    if twist.multiply(BN254, (x, y, FP2_ONE), R)[2] != FP2_ZERO:
        raise PrecompileFailure  # on the twist but outside the r-torsion subgroup
    return (x, y)


def _frobenius(q: AffineG2) -> AffineG2:
    x, y = q
    return (BN254.f2_mul(BN254.f2_conjugate(x), GAMMA_X), BN254.f2_mul(BN254.f2_conjugate(y), GAMMA_Y))


def miller_loop(q: AffineG2, px: int, py: int) -> Fp12:
    """Optimal ate: the loop over 6x+2, then lines through pi(Q) and -pi^2(Q)."""
    t = BN254
    f = FP12_ONE
    point: AffineG2 | None = q
    for bit in range(ATE_LOOP_COUNT.bit_length() - 2, -1, -1):
        assert point is not None
        step, point = twist.line(t, point, point, px, py, False)
        f = t.f12_mul(t.f12_square(f), step)
        if (ATE_LOOP_COUNT >> bit) & 1:
            assert point is not None
            step, point = twist.line(t, point, q, px, py, False)
            f = t.f12_mul(f, step)
    q1 = _frobenius(q)
    q2 = _frobenius(q1)
    assert point is not None
    step, point = twist.line(t, point, q1, px, py, False)
    f = t.f12_mul(f, step)
    assert point is not None
    step, _ = twist.line(t, point, (q2[0], t.f2_neg(q2[1])), px, py, False)
    return t.f12_mul(f, step)


def pairing_check(pairs: list[tuple[G1, AffineG2 | None]]) -> bool:
    """True when the product of the pairings is one."""
    f = FP12_ONE
    for g1, g2 in pairs:
        if g1[2] == 0 or g2 is None:
            continue
        f = BN254.f12_mul(f, miller_loop(g2, g1[0], g1[1]))
    return BN254.final_exponentiation(f, HARD_DIGITS) == FP12_ONE


# --- the precompiles ------------------------------------------------------------------------
def _add(data: bytes, cost: i64) -> tuple[i64, bytes]:
    padded = data[:128].ljust(128, b"\0")
    return cost, g1_encode(jacobian.add(g1_decode(padded[:64]), g1_decode(padded[64:128]), P))


def _mul(data: bytes, cost: i64) -> tuple[i64, bytes]:
    padded = data[:96].ljust(96, b"\0")
    return cost, g1_encode(jacobian.multiply(g1_decode(padded[:64]), int.from_bytes(padded[64:96], "big"), P))


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
