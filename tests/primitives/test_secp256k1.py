import pytest
from hypothesis import given, settings, strategies as st

from primitives import secp256k1, secp256k1_python
from primitives.keccak import keccak256, keccak256_pycryptodome

N = secp256k1.SECP256K1_N
BACKENDS = [b for b in ("libsecp256k1", "coincurve", "python") if b == "python" or b == secp256k1.BACKEND
            or (b == "coincurve" and secp256k1._COINCURVE is not None)]

keys = st.integers(min_value=1, max_value=N - 1).map(lambda k: k.to_bytes(32, "big"))
hashes = st.binary(min_size=32, max_size=32)


@settings(max_examples=25, deadline=None)
@given(keys, hashes)
def test_backends_agree_on_sign_and_recover(key: bytes, msg: bytes) -> None:
    recovery_id, r, s = secp256k1.sign(msg, key)
    assert s <= N // 2
    assert (recovery_id, r, s) == secp256k1_python.sign(msg, int.from_bytes(key, "big"))
    address = secp256k1.private_key_to_address(key)
    keys_seen = {secp256k1.recover_public_key(msg, recovery_id, r, s, backend) for backend in BACKENDS}
    assert len(keys_seen) == 1
    assert secp256k1.recover_address(msg, recovery_id, r, s) == address


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize(("r", "s"), [(0, 1), (1, 0), (N, 1), (1, N), (2**256 - 1, 1)])
def test_out_of_range_signatures_do_not_recover(backend: str, r: int, s: int) -> None:
    assert secp256k1.recover_public_key(b"\x01" * 32, 0, r, s, backend) is None


@pytest.mark.parametrize("backend", BACKENDS)
def test_x_not_on_curve_does_not_recover(backend: str) -> None:
    # x = 5 has no point on the curve (5**3 + 7 is not a square mod p)
    assert secp256k1.recover_public_key(b"\x01" * 32, 0, 5, 1, backend) is None


def test_known_address() -> None:
    key = bytes.fromhex("45a915e4d060149eb4365960e6a7a45f334393093061116b197e3240065ff2d8")
    assert secp256k1.private_key_to_address(key) == 0xA94F5374FCE5EDBC8E2A8697C15331677E6EBF0B


@given(st.binary(max_size=200))
def test_keccak_backends_agree(data: bytes) -> None:
    assert keccak256(data) == keccak256_pycryptodome(data)


def test_keccak_empty() -> None:
    assert keccak256(b"").hex() == "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"
