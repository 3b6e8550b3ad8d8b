"""The pairing arithmetic shared by BN254 and BLS12-381 (`tower`, `twist`) and BN254's shortcuts
(the x-based final exponentiation, the endomorphism subgroup check, GLV for ecMul), each checked
against a slow, plain version of the same thing: schoolbook polynomial products, the final
exponentiation by base-p digits, multiplication by r, double-and-add; and the pairings against
bilinearity with random scalars (no BLS12-381 pairing vectors are among the shared fixtures)."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings, strategies as st

from precompiles import bls12_381 as bls, bn254, twist
from precompiles.bls12_381_constants import G1_X, G1_Y, G2_X, G2_Y
from precompiles.tower import FP12_ONE, Fp2, Fp12, Tower, hard_part_digits, non_adjacent_form
from primitives import jacobian

BN_G2 = (
    (
        10857046999023057135944570762232829481370756359578518086990519993285655852781,
        11559732032986387107991004021392285783925812861821192530917403151452391805634,
    ),
    (
        8495653923123431417604973247489272438418190587263600148770280649306958101930,
        4082367875863433681332203403145435568316851327593401208105741076214120093531,
    ),
    (1, 0),
)
TOWERS = [bn254.BN254, bls.BLS]

pytestmark = pytest.mark.pure  # the same arithmetic compiled and interpreted


def _random_fp12(t: Tower, rng: random.Random) -> Fp12:
    def fp2() -> Fp2:
        return (rng.randrange(t.p), rng.randrange(t.p))

    return ((fp2(), fp2(), fp2()), (fp2(), fp2(), fp2()))


def _schoolbook(t: Tower, a: Fp12, b: Fp12) -> Fp12:
    """a * b as polynomials in w over Fp2 reduced by w^6 = xi: a = sum a_i w^i with a_(2j) the
    Fp6 part's j-th and a_(2j+1) the w part's j-th coefficient."""
    flat_a = [a[i % 2][i // 2] for i in range(6)]
    flat_b = [b[i % 2][i // 2] for i in range(6)]
    out = [(0, 0)] * 6
    for i in range(6):
        for j in range(6):
            term = t.f2_mul(flat_a[i], flat_b[j])
            if i + j >= 6:
                term = t.f2_mul_xi(term)
            out[(i + j) % 6] = t.f2_add(out[(i + j) % 6], term)
    return ((out[0], out[2], out[4]), (out[1], out[3], out[5]))


def test_fp12_products_match_schoolbook() -> None:
    rng = random.Random(7)
    for t in TOWERS:
        for _ in range(5):
            a, b = _random_fp12(t, rng), _random_fp12(t, rng)
            assert t.f12_mul(a, b) == _schoolbook(t, a, b)
            assert t.f12_square(a) == _schoolbook(t, a, a)
            cyclotomic = t.easy_part(a)
            assert t.f12_cyclotomic_square(cyclotomic) == t.f12_square(cyclotomic)
            assert t.f12_cyclotomic_pow(cyclotomic, non_adjacent_form(12345)) == _power(t, cyclotomic, 12345)


def _power(t: Tower, a: Fp12, k: int) -> Fp12:
    result = FP12_ONE
    for bit in range(k.bit_length() - 1, -1, -1):
        result = t.f12_square(result)
        if (k >> bit) & 1:
            result = t.f12_mul(result, a)
    return result


@given(st.integers(min_value=1, max_value=2**300))
def test_non_adjacent_form(k: int) -> None:
    digits = non_adjacent_form(k)
    assert digits[0] == 1 and sum(digit << index for index, digit in enumerate(reversed(digits))) == k
    assert all(not (digits[i] and digits[i + 1]) for i in range(len(digits) - 1))


def test_bn254_final_exponentiation_matches_the_digits_chain() -> None:
    rng = random.Random(8)
    digits = hard_part_digits(bn254.P, bn254.R)
    for _ in range(3):
        f = _random_fp12(bn254.BN254, rng)
        assert bn254.final_exponentiation(f) == bn254.BN254.final_exponentiation(f, digits)


def _fp2_sqrt(t: Tower, a: Fp2) -> Fp2 | None:
    """A square root in Fp2 (p = 3 mod 4) through the norm, or None."""
    p = t.p
    a0, a1 = a
    norm_root = pow((a0 * a0 + a1 * a1) % p, (p + 1) // 4, p)
    for half in ((a0 + norm_root) * t.half % p, (a0 - norm_root) * t.half % p):
        x0 = pow(half, (p + 1) // 4, p)
        if x0:
            root = (x0, a1 * pow(2 * x0, -1, p) % p)
            if t.f2_square(root) == a:
                return root
    return None


def test_bn254_g2_subgroup_check_matches_multiplying_by_r() -> None:
    t = bn254.BN254
    rng = random.Random(9)
    outside = 0
    for _ in range(8):
        x = (rng.randrange(t.p), rng.randrange(t.p))
        y = _fp2_sqrt(t, t.f2_add(t.f2_mul(t.f2_square(x), x), bn254.TWIST_B))
        if y is None:
            continue
        point = (x, y, (1, 0))
        in_g2 = twist.multiply(t, point, bn254.R)[2] == (0, 0)
        assert bn254.in_g2(point) == in_g2
        outside += not in_g2
        cleared = twist.multiply(t, point, 2 * bn254.P - bn254.R)  # the twist's cofactor
        assert bn254.in_g2(cleared) and twist.multiply(t, cleared, bn254.R)[2] == (0, 0)
    assert outside >= 2  # random twist points lie outside G2 but for a chance of 1 in 2p - r
    assert bn254.in_g2(twist.multiply(t, BN_G2, rng.randrange(1, bn254.R)))


def test_bn254_glv_constants() -> None:
    glv = bn254.G1_GLV
    assert (bn254.LAMBDA**2 + bn254.LAMBDA + 1) % bn254.R == 0 and pow(glv.beta, 3, bn254.P) == 1
    assert jacobian.to_affine(jacobian.multiply((1, 2, 1), bn254.LAMBDA, bn254.P), bn254.P) == (glv.beta, 2)
    assert (glv.a1 + glv.b1 * bn254.LAMBDA) % bn254.R == 0 and (glv.a2 + glv.b2 * bn254.LAMBDA) % bn254.R == 0


@settings(max_examples=30)
@given(st.integers(min_value=0, max_value=2**256 - 1), st.integers(min_value=1, max_value=bn254.R - 1))
def test_bn254_ecmul_matches_double_and_add(scalar: int, base: int) -> None:
    point = jacobian.multiply((1, 2, 1), base, bn254.P)
    data = bn254.g1_encode(point) + scalar.to_bytes(32, "big")
    assert bn254.ecmul_istanbul(data, 6000)[1] == bn254.g1_encode(jacobian.multiply(point, scalar, bn254.P))


def _bn_g1(k: int) -> bytes:
    return bn254.g1_encode(jacobian.multiply((1, 2, 1), k, bn254.P))


def _bn_g2(k: int) -> bytes:
    affine = twist.to_affine(bn254.BN254, twist.multiply(bn254.BN254, BN_G2, k))
    assert affine is not None
    (x0, x1), (y0, y1) = affine
    return b"".join(value.to_bytes(32, "big") for value in (x1, x0, y1, y0))


def test_bn254_pairing_is_bilinear() -> None:
    """e(aP, bQ) e(cP, dQ) e(-(ab + cd)P, Q) = 1; off by one in any scalar it is not."""
    rng = random.Random(10)
    r = bn254.R
    a, b, c, d = (rng.randrange(1, r) for _ in range(4))
    head = _bn_g1(a) + _bn_g2(b) + _bn_g1(c) + _bn_g2(d)
    assert bn254.ecpairing_istanbul(head + _bn_g1(-(a * b + c * d) % r) + _bn_g2(1), 10**6)[1][-1] == 1
    assert bn254.ecpairing_istanbul(head + _bn_g1(-(a * b + c * d + 1) % r) + _bn_g2(1), 10**6)[1][-1] == 0


def test_bls12_381_pairing_is_bilinear() -> None:
    rng = random.Random(11)
    r = bls.R
    a, b = rng.randrange(1, r), rng.randrange(1, r)

    def g1(k: int) -> bytes:
        return bls.encode_g1(jacobian.multiply((G1_X, G1_Y, 1), k, bls.P))

    def g2(k: int) -> bytes:
        return bls.encode_g2(twist.multiply(bls.BLS, (G2_X, G2_Y, (1, 0)), k))

    gas = 37700 + 3 * 32600
    assert bls.pairing(g1(a) + g2(b) + g1(b) + g2(a) + g1(-2 * a * b % r) + g2(1), gas)[1][-1] == 1
    assert bls.pairing(g1(a) + g2(b) + g1(b) + g2(a) + g1(-2 * a * b % r) + g2(2), gas)[1][-1] == 0
