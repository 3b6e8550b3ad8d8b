"""0x0a POINT_EVALUATION (EIP-4844): verify a KZG proof that a blob polynomial takes value y
at z, against a commitment whose versioned hash the caller names.

ckzg does not declare free-threading support, so importing it re-enables the GIL on 3.13t
unless the GIL was forced off (the `pevm` entry points and test runner do): it is imported
lazily, only when this precompile first runs, and its functions are pure over a trusted setup
that is loaded once (under a lock) and only read afterwards.
"""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path
from typing import Any, Final

from mypy_extensions import i64

from precompiles.errors import PrecompileFailure
from precompiles.pricing import charge

GAS: Final = 50000
VERSIONED_HASH_VERSION_KZG: Final = 0x01
FIELD_ELEMENTS_PER_BLOB: Final = 4096
BLS_MODULUS: Final = 52435875175126190479447740508185965837690552500527637822603658699938581184513
RESULT: Final = FIELD_ELEMENTS_PER_BLOB.to_bytes(32, "big") + BLS_MODULUS.to_bytes(32, "big")
TRUSTED_SETUP: Final = Path(__file__).parent / "data" / "trusted_setup.txt"

_LOCK: Final = threading.Lock()
_LOADED: list[Any] = []  # [ckzg module, settings] once loaded


def _kzg() -> tuple[Any, Any]:
    with _LOCK:
        if not _LOADED:
            import ckzg  # type: ignore[import-not-found, unused-ignore]

            _LOADED.append(ckzg)
            _LOADED.append(ckzg.load_trusted_setup(str(TRUSTED_SETUP), 0))
        return _LOADED[0], _LOADED[1]


def kzg_to_versioned_hash(commitment: bytes) -> bytes:
    return bytes([VERSIONED_HASH_VERSION_KZG]) + hashlib.sha256(commitment).digest()[1:]


def point_evaluation(data: bytes, gas_limit: i64) -> tuple[i64, bytes]:
    cost = charge(GAS, gas_limit)
    if len(data) != 192:
        raise PrecompileFailure
    versioned_hash = data[:32]
    z = data[32:64]
    y = data[64:96]
    commitment = data[96:144]
    proof = data[144:192]
    if kzg_to_versioned_hash(commitment) != versioned_hash:
        raise PrecompileFailure
    ckzg, settings = _kzg()
    try:
        valid = ckzg.verify_kzg_proof(commitment, z, y, proof, settings)
    except Exception:  # noqa: BLE001 - ckzg raises for points off the curve or fields >= modulus
        raise PrecompileFailure from None
    if not valid:
        raise PrecompileFailure
    return cost, RESULT
