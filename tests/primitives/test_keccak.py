import os
import subprocess
import sys
import sysconfig

import pytest
from Crypto.Hash import keccak as pycryptodome_keccak
from hypothesis import given, strategies as st

from primitives.keccak import EMPTY_KECCAK, keccak256, keccak256_pycryptodome

pytestmark = pytest.mark.pure


def reference(data: bytes) -> bytes:
    return pycryptodome_keccak.new(digest_bits=256, data=data).digest()


@pytest.mark.parametrize(
    ("data", "digest"),
    [
        (b"", "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"),
        (b"abc", "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45"),
        (b"\x80", "56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421"),  # empty trie
    ],
)
def test_known_digests(data: bytes, digest: str) -> None:
    assert keccak256(data).hex() == digest


def test_empty_keccak() -> None:
    assert EMPTY_KECCAK == keccak256(b"") and len(EMPTY_KECCAK) == 32


@pytest.mark.parametrize("size", [0, 1, 31, 32, 33, 64, 135, 136, 137, 271, 272, 273, 1000, 100_000])
def test_matches_pycryptodome_around_the_rate(size: int) -> None:
    """Keccak-256 absorbs 136 bytes per permutation: cover both sides of each boundary."""
    data = bytes(index * 7 % 251 for index in range(size))
    assert keccak256(data) == reference(data)


@given(st.binary(max_size=600))
def test_matches_pycryptodome(data: bytes) -> None:
    assert keccak256(data) == reference(data)



@given(st.binary(max_size=600))
def test_backends_agree(data: bytes) -> None:
    """The ctypes one-shot backend (used when pysha3 could turn the GIL on) matches the default."""
    assert keccak256_pycryptodome(data) == keccak256(data) == reference(data)


@given(st.binary(max_size=600))
def test_bytearray_hashes_as_its_bytes(data: bytes) -> None:
    """KECCAK256 hashes the bytearray slice it cuts from memory without copying it to bytes."""
    assert keccak256(bytearray(data)) == keccak256(data)


ONESHOT_ON_BYTEARRAY = """
from primitives.keccak import BACKEND, keccak256
print(BACKEND, keccak256(bytearray(b"abc")).hex())
"""


@pytest.mark.skipif(not sysconfig.get_config_var("Py_GIL_DISABLED"), reason="pysha3 is always used with a GIL")
def test_bytearray_on_the_ctypes_backend() -> None:
    """A default free-threaded start (GIL not forced off) hashes with the ctypes backend,
    which takes only bytes: a bytearray is converted, not rejected."""
    environment = {k: v for k, v in os.environ.items() if k != "PYTHON_GIL"}
    result = subprocess.run([sys.executable, "-c", ONESHOT_ON_BYTEARRAY], env=environment,
                            capture_output=True, text=True, timeout=120)  # fmt: skip
    abc = "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45"
    assert result.stdout.split() == ["pycryptodome", abc], result.stdout + result.stderr
