"""Which precompiles exist at which addresses in each fork: Frontier's set, then one diff per
fork (EELS `mapping.py`, revm `init_precompiles`). Built once; callers only read the dicts."""

from __future__ import annotations

from typing import Callable, Final

from mypy_extensions import i64

from interp.forks import BERLIN, BYZANTIUM, CANCUN, FORK_NAMES, ISTANBUL, OSAKA, PRAGUE
from precompiles import bls12_381
from precompiles.blake2f import blake2f
from precompiles.bn254 import (
    ecadd_byzantium,
    ecadd_istanbul,
    ecmul_byzantium,
    ecmul_istanbul,
    ecpairing_byzantium,
    ecpairing_istanbul,
)
from precompiles.ecrecover import ecrecover
from precompiles.identity import identity
from precompiles.modexp import modexp_berlin, modexp_byzantium, modexp_osaka
from precompiles.p256verify import p256verify
from precompiles.point_evaluation import point_evaluation
from precompiles.ripemd160 import ripemd160
from precompiles.sha256 import sha256

PrecompileFn = Callable[[bytes, i64], tuple[i64, bytes]]


def _build() -> tuple[dict[int, PrecompileFn], ...]:
    table: dict[int, PrecompileFn] = {1: ecrecover, 2: sha256, 3: ripemd160, 4: identity}
    forks: list[dict[int, PrecompileFn]] = []
    for fork in range(len(FORK_NAMES)):
        if fork == BYZANTIUM:
            table[5] = modexp_byzantium  # EIP-198
            table[6] = ecadd_byzantium  # EIP-196
            table[7] = ecmul_byzantium  # EIP-196
            table[8] = ecpairing_byzantium  # EIP-197
        elif fork == ISTANBUL:
            table[6] = ecadd_istanbul  # EIP-1108
            table[7] = ecmul_istanbul  # EIP-1108
            table[8] = ecpairing_istanbul  # EIP-1108
            table[9] = blake2f  # EIP-152
        elif fork == BERLIN:
            table[5] = modexp_berlin  # EIP-2565
        elif fork == CANCUN:
            table[10] = point_evaluation  # EIP-4844
        elif fork == PRAGUE:  # EIP-2537
            table[0x0B] = bls12_381.g1_add
            table[0x0C] = bls12_381.g1_msm
            table[0x0D] = bls12_381.g2_add
            table[0x0E] = bls12_381.g2_msm
            table[0x0F] = bls12_381.pairing
            table[0x10] = bls12_381.map_fp_to_g1
            table[0x11] = bls12_381.map_fp2_to_g2
        elif fork == OSAKA:
            table[5] = modexp_osaka  # EIP-7823, EIP-7883
            table[0x100] = p256verify  # EIP-7951
        forks.append(dict(table))
    return tuple(forks)


_BY_FORK: Final = _build()


def precompiles_for(fork: int) -> dict[int, PrecompileFn]:
    """The fork's address -> precompile map (shared: do not modify)."""
    return _BY_FORK[fork]
