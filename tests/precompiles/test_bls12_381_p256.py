"""BLS12-381 and P-256: algebraic properties and failure rules; the execution-spec-tests
fixtures (1,270 BLS and 324 P-256 cases) check them against the specification."""

from __future__ import annotations

import pytest

from precompiles import bls12_381 as bls, p256verify, twist
from primitives import jacobian
from precompiles.bls12_381_constants import G1_X, G1_Y, G2_X, G2_Y
from precompiles.errors import PrecompileFailure

G1 = bls.encode_fp(G1_X) + bls.encode_fp(G1_Y)
G2 = bls.encode_fp(G2_X[0]) + bls.encode_fp(G2_X[1]) + bls.encode_fp(G2_Y[0]) + bls.encode_fp(G2_Y[1])
NEG_G1 = bls.encode_fp(G1_X) + bls.encode_fp(bls.P - G1_Y)


def test_g1_add_equals_msm_by_two() -> None:
    _, doubled = bls.g1_add(G1 + G1, 375)
    _, msm = bls.g1_msm(G1 + (2).to_bytes(32, "big"), 12000)
    assert doubled == msm
    assert bls.g1_add(G1 + NEG_G1, 375)[1] == bytes(128)


def test_g2_add_equals_msm_by_two() -> None:
    assert bls.g2_add(G2 + G2, 600)[1] == bls.g2_msm(G2 + (2).to_bytes(32, "big"), 22500)[1]


def test_pairing_check() -> None:
    assert bls.pairing(G1 + G2 + NEG_G1 + G2, 37700 + 2 * 32600)[1] == (1).to_bytes(32, "big")
    assert bls.pairing(G1 + G2, 37700 + 32600)[1] == bytes(32)


def test_maps_land_in_the_subgroups() -> None:
    point = bls.decode_g1(bls.map_fp_to_g1((5).to_bytes(64, "big"), 5500)[1], True)
    assert point[2] != 0
    point2 = bls.decode_g2(bls.map_fp2_to_g2((7).to_bytes(64, "big") * 2, 23800)[1], True)
    assert point2[2] != twist.INFINITY[2]


def test_failures() -> None:
    with pytest.raises(PrecompileFailure):
        bls.g1_add(G1 + G1[:-1], 375)  # wrong length
    with pytest.raises(PrecompileFailure):
        bls.g1_add(b"\x01" + G1[1:] + G1, 375)  # nonzero top padding of a field element
    with pytest.raises(PrecompileFailure):
        bls.g1_msm(b"", 10**6)  # empty MSM
    off_curve = bls.encode_fp(G1_X) + bls.encode_fp(G1_Y + 1)
    with pytest.raises(PrecompileFailure):
        bls.g1_add(off_curve + G1, 375)
    with pytest.raises(PrecompileFailure):
        bls.map_fp_to_g1(bls.P.to_bytes(64, "big"), 5500)  # not below p
    with pytest.raises(PrecompileFailure):
        bls.g1_add(G1 + G1, 374)  # out of gas


def test_msm_discount_pricing() -> None:
    assert bls._msm_gas(1, 12000, bls.G1_MSM_DISCOUNT) == 12000
    assert bls._msm_gas(2, 12000, bls.G1_MSM_DISCOUNT) == 2 * 12000 * 949 // 1000
    assert bls._msm_gas(200, 22500, bls.G2_MSM_DISCOUNT) == 200 * 22500 * 524 // 1000


def _sign_p256(message: int, secret: int, nonce: int) -> tuple[int, int, int, int]:
    n = p256verify.N
    r = jacobian.to_affine(_p256_multiply(nonce), p256verify.P)[0] % n
    s = pow(nonce, -1, n) * (message + r * secret) % n
    qx, qy = jacobian.to_affine(_p256_multiply(secret), p256verify.P)
    return r, s, qx, qy


def _p256_multiply(k: int) -> jacobian.Point:
    return p256verify._multiply_add(k, p256verify.G, 0, jacobian.INFINITY)


def test_p256_verifies_and_rejects() -> None:
    message = 0x1234567890ABCDEF
    r, s, qx, qy = _sign_p256(message, 0xC0FFEE, 0xBEEF)
    data = b"".join(v.to_bytes(32, "big") for v in (message, r, s, qx, qy))
    assert p256verify.p256verify(data, 6900) == (6900, (1).to_bytes(32, "big"))
    tampered = (message + 1).to_bytes(32, "big") + data[32:]
    assert p256verify.p256verify(tampered, 6900) == (6900, b"")
    assert p256verify.p256verify(data[:-1], 6900) == (6900, b"")  # wrong length: empty output
    with pytest.raises(PrecompileFailure):
        p256verify.p256verify(data, 6899)
