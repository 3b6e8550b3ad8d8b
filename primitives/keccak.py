"""keccak256, the hash behind addresses, KECCAK256, CREATE2 and every trie.

Backend: safe-pysha3 (C, ~1.4 µs per short hash) whenever importing it cannot turn the GIL
back on: on a GIL build, or on a free-threaded build whose GIL was forced off
(`PYTHON_GIL=0`, as the `pevm` entry points and the test runner do). Its module does not
declare free-threading support, so on a default free-threaded start we use pycryptodome
(~13 µs per hash through ctypes), which keeps the GIL off. Both compute the same function;
tests cross-check them.
"""

from __future__ import annotations

import sys
from typing import Any, Final

from Crypto.Hash import keccak as _pycryptodome


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


_PYSHA3: Final[Any] = _load_pysha3()
BACKEND: Final = "safe-pysha3" if _PYSHA3 is not None else "pycryptodome"


def keccak256_pycryptodome(data: bytes) -> bytes:
    """The fallback backend, exposed so tests can cross-check the two."""
    return _pycryptodome.new(digest_bits=256, data=data).digest()


def keccak256(data: bytes) -> bytes:
    if _PYSHA3 is not None:
        digest: bytes = _PYSHA3(data).digest()
        return digest
    return keccak256_pycryptodome(data)


EMPTY_KECCAK: Final = keccak256(b"")
