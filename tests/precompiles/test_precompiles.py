"""Precompile unit tests: published vectors (EIP texts, CC0), algebraic properties and every
failure mode; ethereum/tests cover them exhaustively through the state tests."""

from __future__ import annotations

import pytest

from interp.forks import BERLIN, BYZANTIUM, CANCUN, FRONTIER, ISTANBUL
from precompiles import bn254
from precompiles.blake2f import blake2f
from precompiles.ecrecover import ecrecover
from precompiles.errors import PrecompileFailure
from precompiles.identity import identity
from precompiles.modexp import modexp_berlin, modexp_byzantium
from precompiles.point_evaluation import point_evaluation
from precompiles.registry import precompiles_for
from precompiles.ripemd160 import ripemd160
from precompiles.sha256 import sha256
from primitives.keccak import keccak256
from primitives.secp256k1 import private_key_to_address, sign

G1 = (1).to_bytes(32, "big") + (2).to_bytes(32, "big")
G2 = bytes.fromhex(
    "198e9393920d483a7260bfb731fb5d25f1aa493335a9e71297e485b7aef312c2"
    "1800deef121f1e76426a00665e5c4479674322d4f75edadd46debd5cd992f6ed"
    "090689d0585ff075ec9e99ad690c3395bc4b313370b38ef355acdadcd122975b"
    "12c85ea5db8c6deb4aab71808dcb408fe3d1e7690c43d37b4ce6cc0166fa7daa"
)
NEG_G1 = (1).to_bytes(32, "big") + (bn254.P - 2).to_bytes(32, "big")


def test_fork_tables() -> None:
    assert sorted(precompiles_for(FRONTIER)) == [1, 2, 3, 4]
    assert sorted(precompiles_for(BYZANTIUM)) == [1, 2, 3, 4, 5, 6, 7, 8]
    assert sorted(precompiles_for(ISTANBUL)) == list(range(1, 10))
    assert precompiles_for(BERLIN)[5] is modexp_berlin
    assert sorted(precompiles_for(CANCUN)) == list(range(1, 11))


def test_word_priced_hashes() -> None:
    assert sha256(b"", 60) == (60, bytes.fromhex("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"))
    gas, out = ripemd160(b"", 600)
    assert gas == 600 and out.hex() == "0" * 24 + "9c1185a5c5e9fc54612808977ee8f548b2258d31"
    assert identity(b"x" * 33, 21) == (21, b"x" * 33)
    with pytest.raises(PrecompileFailure):
        identity(b"x" * 33, 20)


def test_ecrecover_roundtrip_and_rejections() -> None:
    key = bytes.fromhex("45a915e4d060149eb4365960e6a7a45f334393093061116b197e3240065ff2d8")
    message = keccak256(b"pevm")
    recovery_id, r, s = sign(message, key)
    data = message + (27 + recovery_id).to_bytes(32, "big") + r.to_bytes(32, "big") + s.to_bytes(32, "big")
    assert ecrecover(data, 3000) == (3000, private_key_to_address(key).to_bytes(32, "big"))
    bad_v = message + (29).to_bytes(32, "big") + data[64:]
    assert ecrecover(bad_v, 3000) == (3000, b"")
    assert ecrecover(data[:64] + bytes(64), 3000) == (3000, b"")
    with pytest.raises(PrecompileFailure):
        ecrecover(data, 2999)


def test_modexp_eip198_example() -> None:
    data = (
        (1).to_bytes(32, "big") + (32).to_bytes(32, "big") + (32).to_bytes(32, "big") + b"\x03"
        + bytes.fromhex("fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2e")
        + bytes.fromhex("fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2f")
    )  # fmt: skip
    assert modexp_byzantium(data, 13056) == (13056, (1).to_bytes(32, "big"))
    assert modexp_berlin(data, 1360) == (1360, (1).to_bytes(32, "big"))


def test_modexp_huge_lengths_fail_without_allocating() -> None:
    data = (2**255).to_bytes(32, "big") + (1).to_bytes(32, "big") + (2**255).to_bytes(32, "big")
    with pytest.raises(PrecompileFailure):
        modexp_berlin(data, 10**9)


def test_modexp_zero_modulus_and_length() -> None:
    zero_mod = (1).to_bytes(32, "big") * 3 + b"\x02\x03\x00"
    assert modexp_berlin(zero_mod, 200) == (200, b"\x00")
    assert modexp_berlin(bytes(96), 200) == (200, b"")


def test_blake2f_eip152_vector_5() -> None:
    data = (
        (12).to_bytes(4, "big")
        + bytes.fromhex(
            "48c9bdf267e6096a3ba7ca8485ae67bb2bf894fe72f36e3cf1361d5f3af54fa5"
            "d182e6ad7f520e511f6c3e2b8c68059b6bbd41fbabd9831f79217e1319cde05b"
        )
        + b"abc".ljust(128, b"\0")
        + (3).to_bytes(8, "little") + bytes(8) + b"\x01"
    )  # fmt: skip
    expected = (
        "ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d1"
        "7d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923"
    )
    assert blake2f(data, 12) == (12, bytes.fromhex(expected))
    with pytest.raises(PrecompileFailure):
        blake2f(data[:-1], 12)  # wrong length
    with pytest.raises(PrecompileFailure):
        blake2f(data[:-1] + b"\x02", 12)  # final flag must be 0 or 1
    with pytest.raises(PrecompileFailure):
        blake2f(data, 11)


def test_bn254_add_and_mul() -> None:
    doubled = bn254.ecadd_istanbul(G1 + G1, 150)[1]
    assert doubled.hex() == (
        "030644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd3"
        "15ed738c0e0a7c92e7845f96b2ae9c0a68a6a449e3538fc7ff3ebf7a5a18a2c4"
    )
    assert bn254.ecmul_istanbul(G1 + (2).to_bytes(32, "big"), 6000)[1] == doubled
    assert bn254.ecmul_byzantium(G1 + bn254.R.to_bytes(32, "big"), 40000)[1] == bytes(64)
    assert bn254.ecadd_byzantium(b"", 500) == (500, bytes(64))
    with pytest.raises(PrecompileFailure):
        bn254.ecadd_istanbul(G1[:32] + (3).to_bytes(32, "big"), 150)  # not on the curve
    with pytest.raises(PrecompileFailure):
        bn254.ecadd_istanbul(bn254.P.to_bytes(32, "big") + bytes(32), 150)  # x >= p


def test_bn254_pairing() -> None:
    assert bn254.ecpairing_istanbul(b"", 45000) == (45000, (1).to_bytes(32, "big"))
    gas, out = bn254.ecpairing_istanbul(G1 + G2 + NEG_G1 + G2, 45000 + 2 * 34000)
    assert gas == 113000 and out == (1).to_bytes(32, "big")
    assert bn254.ecpairing_byzantium(G1 + G2, 180000)[1] == bytes(32)
    with pytest.raises(PrecompileFailure):
        bn254.ecpairing_istanbul(G1 + G2[:-1], 10**6)  # not a multiple of 192
    not_on_twist = G2[:-1] + bytes([G2[-1] ^ 1])
    with pytest.raises(PrecompileFailure):
        bn254.ecpairing_istanbul(G1 + not_on_twist, 10**6)
    with pytest.raises(PrecompileFailure):
        bn254.ecpairing_istanbul(G1 + G2, 78999)


def test_point_evaluation_rejects_bad_input() -> None:
    with pytest.raises(PrecompileFailure):
        point_evaluation(bytes(191), 50000)
    with pytest.raises(PrecompileFailure):
        point_evaluation(bytes(192), 50000)  # versioned hash does not match the commitment
