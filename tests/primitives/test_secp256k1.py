import hashlib
import importlib.util
import random
import sysconfig

import pytest
from hypothesis import given, settings, strategies as st

from primitives import glv, jacobian, secp256k1, secp256k1_python as pure
from primitives.keccak import keccak256

pytestmark = pytest.mark.pure

N = secp256k1.SECP256K1_N
P = pure.P
FREE_THREADED = sysconfig.get_config_var("Py_GIL_DISABLED") == 1


def loadable() -> list[secp256k1.Backend]:
    backends = []
    for name in secp256k1.BACKEND_NAMES:
        try:
            backends.append(secp256k1.load_backend(name))
        except secp256k1.BackendUnavailable:
            pass
    return backends


BACKENDS = loadable()
keys = st.integers(min_value=1, max_value=N - 1).map(lambda k: k.to_bytes(32, "big"))
hashes = st.binary(min_size=32, max_size=32)


def recover_all(msg_hash: bytes, recovery_id: int, r: int, s: int) -> bytes | None:
    """The one answer every backend gives (fails if they differ)."""
    answers = {backend.name: backend.recover_public_key(msg_hash, recovery_id, r, s) for backend in BACKENDS}
    assert len(set(answers.values())) == 1, answers
    return answers[BACKENDS[0].name]


def test_backends_present() -> None:
    names = [backend.name for backend in BACKENDS]
    assert "python" in names and secp256k1.BACKEND in names
    coincurve_imports = importlib.util.find_spec("coincurve") is not None and not FREE_THREADED
    assert ("coincurve" in names) == coincurve_imports
    assert secp256k1.BACKEND == secp256k1.choose_backend().name


@settings(max_examples=25, deadline=None)
@given(keys, hashes)
def test_backends_agree_on_sign_and_recover(key: bytes, msg: bytes) -> None:
    signatures = {backend.sign(msg, key) for backend in BACKENDS}
    assert len(signatures) == 1
    ((recovery_id, r, s),) = signatures
    assert 0 < s <= N // 2
    public = {backend.public_key(key) for backend in BACKENDS}
    assert len(public) == 1
    assert recover_all(msg, recovery_id, r, s) in public
    # the high-s twin recovers the same key with the other parity (ecrecover accepts it)
    assert recover_all(msg, recovery_id ^ 1, r, N - s) in public
    # the wrong parity recovers some other key (or none)
    assert recover_all(msg, recovery_id ^ 1, r, s) not in public
    assert secp256k1.recover_address(msg, recovery_id, r, s) == secp256k1.private_key_to_address(key)


def test_known_key_and_address() -> None:
    key = bytes.fromhex("45a915e4d060149eb4365960e6a7a45f334393093061116b197e3240065ff2d8")
    assert secp256k1.private_key_to_address(key) == 0xA94F5374FCE5EDBC8E2A8697C15331677E6EBF0B
    assert secp256k1.private_key_to_address((1).to_bytes(32, "big")) == 0x7E5F4552091A69125D5DFCB7B8C2659029395BDF


# deterministic signatures with key 1 (bitcoinjs-lib's RFC 6979 fixtures, low s)
@pytest.mark.parametrize(
    ("message", "signature"),
    [
        (b"Satoshi Nakamoto",
         "934b1ea10a4b3c1757e2b0c017d0b6143ce3c9a7e6a4a49860d7a6ab210ee3d8"
         "2442ce9d2b916064108014783e923ec36b49743e2ffa1c4496f01a512aafd9e5"),
        (b"Everything should be made as simple as possible, but not simpler.",
         "33a69cd2065432a30f3d1ce4eb0d59b8ab58c74f27c41a7fdb5696ad4e6108c9"
         "6f807982866f785d3f6418d24163ddae117b7db4d5fdf0071de069fa54342262"),
    ],
)  # fmt: skip
def test_rfc6979_vectors(message: bytes, signature: str) -> None:
    key = (1).to_bytes(32, "big")
    msg = hashlib.sha256(message).digest()
    for backend in BACKENDS:
        recovery_id, r, s = backend.sign(msg, key)
        assert f"{r:064x}{s:064x}" == signature
        assert recover_all(msg, recovery_id, r, s) == backend.public_key(key)


@pytest.mark.parametrize("backend", BACKENDS, ids=lambda backend: backend.name)
@pytest.mark.parametrize(("r", "s"), [(0, 1), (1, 0), (0, 0), (N, 1), (1, N), (N + 1, 1), (2**256 - 1, 1), (-1, 1)])
def test_out_of_range_signatures_do_not_recover(backend: secp256k1.Backend, r: int, s: int) -> None:
    assert backend.recover_public_key(b"\x01" * 32, 0, r, s) is None


@pytest.mark.parametrize("backend", BACKENDS, ids=lambda backend: backend.name)
@pytest.mark.parametrize("recovery_id", [-1, 4, 27, 2**64])
def test_bad_recovery_ids_do_not_recover(backend: secp256k1.Backend, recovery_id: int) -> None:
    assert backend.recover_public_key(b"\x01" * 32, recovery_id, 1, 1) is None


def test_x_not_on_curve_does_not_recover() -> None:
    assert pow(5**3 + 7, (P - 1) // 2, P) != 1  # 5^3 + 7 is not a square mod p
    for recovery_id in range(4):
        assert recover_all(b"\x01" * 32, recovery_id, 5, 1) is None


def test_overflowing_x_recovery_ids_2_and_3() -> None:
    """Ids 2 and 3 mean x = r + n, which exists only for r < p - n."""
    for recovery_id in (2, 3):
        assert recover_all(b"\x07" * 32, recovery_id, P - N, 1) is None  # x = p
        assert recover_all(b"\x07" * 32, recovery_id, P - N + 1, 1) is None
    recovered = [recover_all(b"\x07" * 32, recovery_id, r, 12345) for r in range(1, 40) for recovery_id in (2, 3)]
    assert sum(public is not None for public in recovered) > 10


def test_result_at_infinity_does_not_recover() -> None:
    """R = G (r = Gx, even Gy) and s = e make s R - e G the point at infinity."""
    e = 0x1234
    msg = e.to_bytes(32, "big")
    assert recover_all(msg, 0, pure.GX, e) is None
    # s = 2e: r^-1 (2e G - e G) = (e / Gx) G, through the doubling case of the joint addition
    expected = pure.public_key(e * pow(pure.GX, -1, N) % N)
    assert recover_all(msg, 0, pure.GX, 2 * e) == expected


def test_message_hash_reduced_mod_n() -> None:
    key = (7).to_bytes(32, "big")
    for msg in (b"\xff" * 32, N.to_bytes(32, "big"), (N + 5).to_bytes(32, "big"), bytes(32)):
        recovery_id, r, s = secp256k1.sign(msg, key)
        assert recover_all(msg, recovery_id, r, s) == pure.public_key(7)


@pytest.mark.parametrize("backend", BACKENDS, ids=lambda backend: backend.name)
def test_malformed_hashes_and_keys_raise(backend: secp256k1.Backend) -> None:
    for msg in (b"", b"\x01" * 31, b"\x01" * 33):
        with pytest.raises(ValueError, match="32 bytes"):
            backend.recover_public_key(msg, 0, 1, 1)
    for key in (bytes(32), N.to_bytes(32, "big"), b"\x01" * 31, b"\xff" * 32):
        with pytest.raises(ValueError, match="private key"):
            backend.public_key(key)
        with pytest.raises(ValueError, match="private key"):
            backend.sign(b"\x01" * 32, key)


def test_forcing_a_backend(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PEVM_SECP256K1", "python")
    assert secp256k1.choose_backend().name == "python"
    monkeypatch.setenv("PEVM_SECP256K1", "openssl")
    with pytest.raises(secp256k1.BackendUnavailable, match="unknown"):
        secp256k1.choose_backend()
    if FREE_THREADED:
        monkeypatch.setenv("PEVM_SECP256K1", "coincurve")
        with pytest.raises(secp256k1.BackendUnavailable, match="free-threaded"):
            secp256k1.choose_backend()


def test_pure_glv_split_and_endomorphism() -> None:
    assert jacobian.to_affine(pure.multiply_add_g(pure.LAMBDA, 0, []), P) == (pure.BETA * pure.GX % P, pure.GY)
    rng = random.Random(1)
    for k in [0, 1, N - 1, N // 2, *(rng.randrange(N) for _ in range(200))]:
        k1, k2 = pure.GLV.split(k)
        assert (k1 + k2 * pure.LAMBDA - k) % N == 0
        assert abs(k1) < 2**129 and abs(k2) < 2**129


@given(st.integers(min_value=-(2**260), max_value=2**260), st.integers(min_value=2, max_value=8))
def test_pure_wnaf_digits(k: int, width: int) -> None:
    digits = glv.wnaf(k, width)
    assert sum(digit << index for index, digit in enumerate(digits)) == k
    assert all(digit == 0 or (digit % 2 == 1 and abs(digit) < 1 << (width - 1)) for digit in digits)
    nonzero = [index for index, digit in enumerate(digits) if digit]
    assert all(later - earlier >= width for earlier, later in zip(nonzero, nonzero[1:]))  # non-adjacent

