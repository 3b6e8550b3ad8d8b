"""secp256k1 public-key recovery and signing: the sender of every transaction, and ecrecover.

Three backends behind one API, chosen once at import in this order (`PEVM_SECP256K1=
libsecp256k1|coincurve|python` forces one; `BACKEND` names the one in use):
1. the system's libsecp256k1 through ctypes (Debian's `libsecp256k1-1`, with its recovery
   module). One context, created here and afterwards only read, is thread-safe, and ctypes
   keeps the GIL off on free-threaded builds;
2. coincurve, where it imports: GIL builds only, it does not install on free-threaded 3.13;
3. `primitives.secp256k1_python`, typed Python compiled by mypyc.
Microseconds per recovery on free-threaded 3.13.5 (best of 5 x 200, the shared 2-core
development box, 2026-12-02; address hashing excluded):

    backend         compiled   pure
    libsecp256k1        48       67
    python           1,022    1,304

libsecp256k1's own `secp256k1_ecdsa_recover` took ~48 us there then. On 2026-12-04, with each
thread's buffers kept (`Scratch`), a recovery took 43.9-44.2 us against 42.9-43.3 us for the
bare foreign call (45.9-46.8 us before).

coincurve is not measured: it does not install on the free-threaded build.

Inputs are checked here, in `Backend`, so every backend answers malformed input the same
way: None for a signature that does not recover (r or s outside [1, n), a recovery id
outside 0..3, an x-coordinate with no point, a result at infinity), ValueError for a message
hash or private key that is not 32 bytes or a key outside [1, n) (libsecp256k1 would abort).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import importlib
import os
import sysconfig
import threading
from typing import Any, Final, final

from primitives import secp256k1_python as pure
from primitives.keccak import keccak256

SECP256K1_N: Final = pure.N
BACKEND_NAMES: Final = ("libsecp256k1", "coincurve", "python")
# VERIFY | SIGN: required by libsecp256k1 before 0.2, accepted (and ignored) since.
_CONTEXT_FLAGS: Final = (1 << 0) | (1 << 8) | (1 << 9)
_UNCOMPRESSED: Final = 2


class BackendUnavailable(Exception):
    """A backend (forced with PEVM_SECP256K1, or asked for by name) cannot be loaded here."""


def _check_hash(msg_hash: bytes) -> None:
    if len(msg_hash) != 32:
        raise ValueError(f"message hash must be 32 bytes, got {len(msg_hash)}")


def _check_key(key: bytes) -> None:
    if len(key) != 32 or not 0 < int.from_bytes(key, "big") < SECP256K1_N:
        raise ValueError("private key must be 32 bytes encoding an integer in [1, n)")


class Backend:
    """One implementation; the public methods check inputs, subclasses do the arithmetic."""

    name: str

    def __init__(self, name: str) -> None:
        self.name = name

    def recover_public_key(self, msg_hash: bytes, recovery_id: int, r: int, s: int) -> bytes | None:
        """The 64-byte public key X||Y that signed `msg_hash`, or None."""
        _check_hash(msg_hash)
        if not (0 < r < SECP256K1_N and 0 < s < SECP256K1_N and 0 <= recovery_id <= 3):
            return None
        return self._recover(msg_hash, recovery_id, r, s)

    def public_key(self, key: bytes) -> bytes:
        """The 64-byte public key X||Y of a 32-byte private key."""
        _check_key(key)
        return self._public_key(key)

    def sign(self, msg_hash: bytes, key: bytes) -> tuple[int, int, int]:
        """(recovery_id, r, s): deterministic nonce (RFC 6979), low s."""
        _check_hash(msg_hash)
        _check_key(key)
        return self._sign(msg_hash, key)

    def _recover(self, msg_hash: bytes, recovery_id: int, r: int, s: int) -> bytes | None:
        raise NotImplementedError

    def _public_key(self, key: bytes) -> bytes:
        raise NotImplementedError

    def _sign(self, msg_hash: bytes, key: bytes) -> tuple[int, int, int]:
        raise NotImplementedError


@final
class Scratch:
    """One thread's ctypes buffers for libsecp256k1's outputs: the parsed signature, the
    public key and its serialization. Allocating them per call cost ~2.6 us of a 46 us
    recovery (three buffers, a size_t and a reference to it, on free-threaded 3.13)."""

    signature: Final[Any]
    public: Final[Any]
    out: Final[Any]
    size: Final[Any]  # a reference to a size_t the library reads (65) and writes back (65)

    def __init__(self) -> None:
        self.signature = ctypes.create_string_buffer(65)
        self.public = ctypes.create_string_buffer(64)
        self.out = ctypes.create_string_buffer(65)
        self.size = ctypes.byref(ctypes.c_size_t(65))


_THREAD_LOCAL: Final = threading.local()


def thread_scratch() -> Scratch:
    """The calling thread's `Scratch` (each thread writes only its own buffers)."""
    scratch: Scratch | None = getattr(_THREAD_LOCAL, "scratch", None)
    if scratch is None:
        scratch = Scratch()
        _THREAD_LOCAL.scratch = scratch
    return scratch


@final
class LibSecp256k1(Backend):
    """The system library through ctypes: no argtypes (bytes pass as pointers as they are),
    the context as a c_void_p so it is never narrowed to a C int."""

    lib: Any
    context: Any

    def __init__(self) -> None:
        super().__init__("libsecp256k1")
        path = ctypes.util.find_library("secp256k1") or "libsecp256k1.so.1"
        try:
            lib = ctypes.CDLL(path)
        except OSError as error:
            raise BackendUnavailable(f"libsecp256k1 not found ({error}); apt-get install libsecp256k1-1") from None
        if not hasattr(lib, "secp256k1_ecdsa_recover"):
            raise BackendUnavailable(f"{path} was built without its recovery module")
        lib.secp256k1_context_create.restype = ctypes.c_void_p
        self.lib = lib
        self.context = ctypes.c_void_p(lib.secp256k1_context_create(_CONTEXT_FLAGS))

    def _serialize(self, scratch: Scratch) -> bytes:
        self.lib.secp256k1_ec_pubkey_serialize(self.context, scratch.out, scratch.size, scratch.public, _UNCOMPRESSED)
        raw: bytes = scratch.out.raw
        return raw[1:]

    def _recover(self, msg_hash: bytes, recovery_id: int, r: int, s: int) -> bytes | None:
        scratch = thread_scratch()
        compact = r.to_bytes(32, "big") + s.to_bytes(32, "big")
        if not self.lib.secp256k1_ecdsa_recoverable_signature_parse_compact(
            self.context, scratch.signature, compact, recovery_id
        ):
            return None
        if not self.lib.secp256k1_ecdsa_recover(self.context, scratch.public, scratch.signature, msg_hash):
            return None
        return self._serialize(scratch)

    def _public_key(self, key: bytes) -> bytes:
        scratch = thread_scratch()
        if not self.lib.secp256k1_ec_pubkey_create(self.context, scratch.public, key):
            raise ValueError("invalid private key")
        return self._serialize(scratch)

    def _sign(self, msg_hash: bytes, key: bytes) -> tuple[int, int, int]:
        signature = ctypes.create_string_buffer(65)
        if not self.lib.secp256k1_ecdsa_sign_recoverable(self.context, signature, msg_hash, key, None, None):
            raise ValueError("signing failed")
        compact = ctypes.create_string_buffer(64)
        recovery_id = ctypes.c_int(0)
        self.lib.secp256k1_ecdsa_recoverable_signature_serialize_compact(
            self.context, compact, ctypes.byref(recovery_id), signature
        )
        raw: bytes = compact.raw
        return int(recovery_id.value), int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big")


@final
class Coincurve(Backend):
    """coincurve (bundled libsecp256k1 through cffi), imported only on GIL builds."""

    module: Any

    def __init__(self) -> None:
        super().__init__("coincurve")
        if sysconfig.get_config_var("Py_GIL_DISABLED") == 1:
            raise BackendUnavailable("coincurve is not used on free-threaded builds")
        try:
            self.module = importlib.import_module("coincurve")
        except ImportError as error:
            raise BackendUnavailable(f"coincurve does not import: {error}") from None

    def _recover(self, msg_hash: bytes, recovery_id: int, r: int, s: int) -> bytes | None:
        signature = r.to_bytes(32, "big") + s.to_bytes(32, "big") + bytes([recovery_id])
        try:
            key = self.module.PublicKey.from_signature_and_message(signature, msg_hash, hasher=None)
        except ValueError:
            return None
        public: bytes = key.format(compressed=False)
        return public[1:]

    def _public_key(self, key: bytes) -> bytes:
        public: bytes = self.module.PrivateKey(key).public_key.format(compressed=False)
        return public[1:]

    def _sign(self, msg_hash: bytes, key: bytes) -> tuple[int, int, int]:
        raw: bytes = self.module.PrivateKey(key).sign_recoverable(msg_hash, hasher=None)
        return raw[64], int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:64], "big")


@final
class PurePython(Backend):
    """`primitives.secp256k1_python`."""

    def __init__(self) -> None:
        super().__init__("python")

    def _recover(self, msg_hash: bytes, recovery_id: int, r: int, s: int) -> bytes | None:
        return pure.recover(msg_hash, recovery_id, r, s)

    def _public_key(self, key: bytes) -> bytes:
        return pure.public_key(int.from_bytes(key, "big"))

    def _sign(self, msg_hash: bytes, key: bytes) -> tuple[int, int, int]:
        return pure.sign(msg_hash, int.from_bytes(key, "big"))


def load_backend(name: str) -> Backend:
    """A new instance of the named backend; BackendUnavailable if it cannot load here."""
    if name == "libsecp256k1":
        return LibSecp256k1()
    if name == "coincurve":
        return Coincurve()
    if name == "python":
        return PurePython()
    raise BackendUnavailable(f"unknown secp256k1 backend {name!r}: expected one of {', '.join(BACKEND_NAMES)}")


def choose_backend() -> Backend:
    """The backend PEVM_SECP256K1 names, else the first of BACKEND_NAMES that loads here."""
    forced = os.environ.get("PEVM_SECP256K1", "")
    if forced:
        return load_backend(forced)
    for name in BACKEND_NAMES:
        try:
            return load_backend(name)
        except BackendUnavailable:
            pass
    raise AssertionError("the python backend always loads")


_ACTIVE: Final = choose_backend()
BACKEND: Final[str] = _ACTIVE.name


def recover_public_key(msg_hash: bytes, recovery_id: int, r: int, s: int) -> bytes | None:
    """The 64-byte public key X||Y that signed `msg_hash`, or None for an invalid signature."""
    return _ACTIVE.recover_public_key(msg_hash, recovery_id, r, s)


def public_key_to_address(public_key: bytes) -> int:
    """The address of a 64-byte public key: the low 20 bytes of its keccak256."""
    return int.from_bytes(keccak256(public_key)[12:], "big")


def recover_address(msg_hash: bytes, recovery_id: int, r: int, s: int) -> int | None:
    """The signer's address as an int, or None for an invalid signature."""
    public = _ACTIVE.recover_public_key(msg_hash, recovery_id, r, s)
    return None if public is None else public_key_to_address(public)


def private_key_to_address(key: bytes) -> int:
    """The address of a 32-byte private key."""
    return public_key_to_address(_ACTIVE.public_key(key))


def sign(msg_hash: bytes, key: bytes) -> tuple[int, int, int]:
    """(recovery_id, r, s) signing a 32-byte hash: deterministic (RFC 6979), low s."""
    return _ACTIVE.sign(msg_hash, key)
