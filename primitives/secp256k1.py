"""secp256k1 public-key recovery and signing: sender recovery for every transaction and the
ecrecover precompile.

Backends, chosen once at import (`PEVM_SECP256K1=libsecp256k1|coincurve|python` forces one):
1. the system's libsecp256k1 through ctypes (Debian's `libsecp256k1-1`, recovery module
   included); ctypes calls keep the GIL off, and the one context is only ever read;
2. coincurve, where it installs (not on free-threaded 3.13: cffi refuses it);
3. `primitives.secp256k1_python`, a typed implementation compiled by mypyc.
Measured here (one recovery, CPython 3.13t): libsecp256k1 ~25 µs, compiled pure ~1.5 ms.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
from typing import Any, Final

from primitives import secp256k1_python as pure
from primitives.keccak import keccak256

SECP256K1_N: Final = pure.N
_CONTEXT_FLAGS: Final = (1 << 0) | (1 << 8) | (1 << 9)  # VERIFY | SIGN, for older libraries too
_UNCOMPRESSED: Final = 2


class BackendUnavailable(Exception):
    """A forced backend (PEVM_SECP256K1) cannot be loaded."""


def _load_libsecp256k1() -> tuple[Any, Any] | None:
    name = ctypes.util.find_library("secp256k1") or "libsecp256k1.so.1"
    try:
        lib = ctypes.CDLL(name)
    except OSError:
        return None
    if not hasattr(lib, "secp256k1_ecdsa_recover"):
        return None  # built without the recovery module
    lib.secp256k1_context_create.restype = ctypes.c_void_p
    lib.secp256k1_context_create.argtypes = [ctypes.c_uint]
    for name_, args in (
        ("secp256k1_ecdsa_recoverable_signature_parse_compact",
         [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_int]),
        ("secp256k1_ecdsa_recover", [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p]),
        ("secp256k1_ec_pubkey_serialize",
         [ctypes.c_void_p, ctypes.c_char_p, ctypes.POINTER(ctypes.c_size_t), ctypes.c_char_p, ctypes.c_uint]),
        ("secp256k1_ec_pubkey_create", [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p]),
        ("secp256k1_ecdsa_sign_recoverable",
         [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_void_p, ctypes.c_void_p]),
        ("secp256k1_ecdsa_recoverable_signature_serialize_compact",
         [ctypes.c_void_p, ctypes.c_char_p, ctypes.POINTER(ctypes.c_int), ctypes.c_char_p]),
    ):  # fmt: skip
        function = getattr(lib, name_)
        function.argtypes = args
        function.restype = ctypes.c_int
    context = lib.secp256k1_context_create(_CONTEXT_FLAGS)
    return lib, context


def _load_coincurve() -> Any:
    try:
        import coincurve  # type: ignore[import-not-found, import-untyped, unused-ignore]
    except ImportError:
        return None
    return coincurve


def _choose() -> tuple[str, Any, Any]:
    forced = os.environ.get("PEVM_SECP256K1", "")
    if forced not in ("", "libsecp256k1", "coincurve", "python"):
        raise BackendUnavailable(f"PEVM_SECP256K1={forced!r}: expected libsecp256k1, coincurve or python")
    if forced in ("", "libsecp256k1"):
        loaded = _load_libsecp256k1()
        if loaded is not None:
            return "libsecp256k1", loaded[0], loaded[1]
        if forced:
            raise BackendUnavailable("libsecp256k1 with its recovery module is not installed")
    if forced in ("", "coincurve"):
        module = _load_coincurve()
        if module is not None:
            return "coincurve", module, None
        if forced:
            raise BackendUnavailable("coincurve does not import here")
    return "python", None, None


_BACKEND: Final = _choose()
BACKEND: Final[str] = _BACKEND[0]
_LIB: Final[Any] = _BACKEND[1] if BACKEND == "libsecp256k1" else None
_CONTEXT: Final[Any] = _BACKEND[2]
_COINCURVE: Final[Any] = _BACKEND[1] if BACKEND == "coincurve" else _load_coincurve()


def _recover_libsecp256k1(msg_hash: bytes, recovery_id: int, r: int, s: int) -> bytes | None:
    signature = ctypes.create_string_buffer(65)
    compact = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    if not _LIB.secp256k1_ecdsa_recoverable_signature_parse_compact(_CONTEXT, signature, compact, recovery_id):
        return None
    public = ctypes.create_string_buffer(64)
    if not _LIB.secp256k1_ecdsa_recover(_CONTEXT, public, signature, msg_hash):
        return None
    out = ctypes.create_string_buffer(65)
    size = ctypes.c_size_t(65)
    _LIB.secp256k1_ec_pubkey_serialize(_CONTEXT, out, ctypes.byref(size), public, _UNCOMPRESSED)
    return out.raw[1:65]


def _recover_coincurve(msg_hash: bytes, recovery_id: int, r: int, s: int) -> bytes | None:
    signature = r.to_bytes(32, "big") + s.to_bytes(32, "big") + bytes([recovery_id])
    try:
        key = _COINCURVE.PublicKey.from_signature_and_message(signature, msg_hash, hasher=None)
    except Exception:  # noqa: BLE001 - coincurve raises plain Exception for bad signatures
        return None
    public: bytes = key.format(compressed=False)
    return public[1:]


def recover_public_key(msg_hash: bytes, recovery_id: int, r: int, s: int, backend: str = "") -> bytes | None:
    """The 64-byte public key X||Y that signed `msg_hash`, or None for an invalid signature."""
    if not (0 < r < SECP256K1_N and 0 < s < SECP256K1_N) or not 0 <= recovery_id <= 3:
        return None
    chosen = backend or BACKEND
    if chosen == "libsecp256k1" and _LIB is not None:
        return _recover_libsecp256k1(msg_hash, recovery_id, r, s)
    if chosen == "coincurve" and _COINCURVE is not None:
        return _recover_coincurve(msg_hash, recovery_id, r, s)
    return pure.recover(msg_hash, recovery_id, r, s)


def public_key_to_address(public_key: bytes) -> int:
    return int.from_bytes(keccak256(public_key)[12:], "big")


def recover_address(msg_hash: bytes, recovery_id: int, r: int, s: int) -> int | None:
    public = recover_public_key(msg_hash, recovery_id, r, s)
    return None if public is None else public_key_to_address(public)


def private_key_to_address(key: bytes) -> int:
    if BACKEND == "libsecp256k1":
        public = ctypes.create_string_buffer(64)
        if not _LIB.secp256k1_ec_pubkey_create(_CONTEXT, public, key):
            raise ValueError("invalid private key")
        out = ctypes.create_string_buffer(65)
        size = ctypes.c_size_t(65)
        _LIB.secp256k1_ec_pubkey_serialize(_CONTEXT, out, ctypes.byref(size), public, _UNCOMPRESSED)
        return public_key_to_address(out.raw[1:65])
    return public_key_to_address(pure.public_key(int.from_bytes(key, "big")))


def sign(msg_hash: bytes, key: bytes) -> tuple[int, int, int]:
    """Deterministic (RFC 6979), low-s signature: (recovery_id, r, s)."""
    if BACKEND == "libsecp256k1":
        signature = ctypes.create_string_buffer(65)
        if not _LIB.secp256k1_ecdsa_sign_recoverable(_CONTEXT, signature, msg_hash, key, None, None):
            raise ValueError("signing failed")
        compact = ctypes.create_string_buffer(64)
        recovery_id = ctypes.c_int(0)
        _LIB.secp256k1_ecdsa_recoverable_signature_serialize_compact(_CONTEXT, compact, ctypes.byref(recovery_id), signature)
        raw = compact.raw
        return recovery_id.value, int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big")
    return pure.sign(msg_hash, int.from_bytes(key, "big"))
