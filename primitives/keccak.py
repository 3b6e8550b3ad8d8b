"""keccak256, the hash behind addresses, KECCAK256, CREATE2 and every trie.

Two C backends computing the same function (tests cross-check them):

- safe-pysha3 (~1.1-1.6 µs per short hash), used only when importing it cannot turn the GIL
  back on: a GIL build, or a free-threaded build whose GIL was forced off (`PYTHON_GIL=0`, as
  the `pevm` entry points and the test runner do). Its module declares no free-threading
  support, so on a default free-threaded start importing it would re-enable the GIL.
- otherwise pycryptodome's C Keccak through ctypes at its one-shot entry point
  `keccak_oneshot` (pycryptodome >= 4.1): one foreign call absorbs, pads and squeezes, with no
  hash object to allocate (~2.4 µs against ~9-11 µs for `keccak.new(...).digest()` on 3.13t).
  The C function keeps no state and each call writes its own buffer, so it is thread-safe.
"""

from __future__ import annotations

import ctypes
import importlib.util
import sys
from typing import Any, Final

from Crypto.Hash import keccak as _pycryptodome_keccak

_DIGEST_SIZE: Final = 32
_CAPACITY: Final = 2 * _DIGEST_SIZE
_ROUNDS: Final = 24
_KECCAK_PADDING: Final = 0x01  # original Keccak, not SHA-3's 0x06
_Digest: Final[Any] = ctypes.c_char * _DIGEST_SIZE


def _gil_cannot_return() -> bool:
    """True when importing a module without free-threading support leaves the GIL as it is."""
    if not hasattr(sys, "_is_gil_enabled"):
        return True  # a build with the GIL
    return getattr(sys.flags, "gil", None) == 0 or bool(sys._is_gil_enabled())


def _load_pysha3() -> Any:
    if not _gil_cannot_return():
        return None
    try:
        import _pysha3
    except ImportError:
        return None
    return _pysha3.keccak_256


def _load_oneshot() -> Any:
    """`keccak_oneshot` from the build pycryptodome picked for this CPU (AVX2/BMI2 or portable)."""
    fast = getattr(_pycryptodome_keccak, "_raw_keccak_avx2_bmi2_lib", None) is not None
    spec = importlib.util.find_spec("Crypto.Hash._keccak_avx2_bmi2" if fast else "Crypto.Hash._keccak")
    if spec is None or spec.origin is None:
        raise ImportError("pycryptodome's Keccak library (Crypto.Hash._keccak) is missing")
    library = ctypes.CDLL(spec.origin)
    if not hasattr(library, "keccak_oneshot"):
        raise ImportError("pycryptodome >= 4.1 is required: its Keccak library lacks keccak_oneshot")
    # No argtypes: bytes and small ints convert directly, faster than argtypes conversion.
    return library.keccak_oneshot


_PYSHA3: Final[Any] = _load_pysha3()
_ONESHOT: Final[Any] = _load_oneshot()
BACKEND: Final = "safe-pysha3" if _PYSHA3 is not None else "pycryptodome"


def keccak256_pycryptodome(data: bytes) -> bytes:
    """The ctypes backend, exposed so tests can cross-check the two."""
    out = _Digest()
    _ONESHOT(data, len(data), out, _DIGEST_SIZE, _CAPACITY, _ROUNDS, _KECCAK_PADDING)
    digest: bytes = out.raw
    return digest


def keccak256(data: bytes | bytearray) -> bytes:
    """The 32-byte Keccak-256 digest of `data`. A `bytearray` is hashed as it is (KECCAK256
    hashes the slice it cuts from memory: copying it to `bytes` first cost ~140 ns of a
    ~1.1 us opcode); the ctypes backend needs `bytes`."""
    if _PYSHA3 is not None:
        hashed: bytes = _PYSHA3(data).digest()
        return hashed
    return keccak256_pycryptodome(bytes(data) if isinstance(data, bytearray) else data)


EMPTY_KECCAK: Final = keccak256(b"")
