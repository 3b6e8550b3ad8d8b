"""Fork identities and the rules that change between forks, as data.

Every later room (opcode tables, precompile sets, transaction and block processing) keys its
per-fork behaviour on the integer fork id defined here. `ForkRules` carries the few flags and
constants that are not opcode tables: each is named after the EIP that introduced it, so a
reader can look the rule up. A fork is the previous fork plus a short diff (see `_build`).
"""

from __future__ import annotations

from typing import Final

from mypy_extensions import i64

FRONTIER: Final = 0
HOMESTEAD: Final = 1
TANGERINE_WHISTLE: Final = 2
SPURIOUS_DRAGON: Final = 3
BYZANTIUM: Final = 4
CONSTANTINOPLE: Final = 5
PETERSBURG: Final = 6
ISTANBUL: Final = 7
BERLIN: Final = 8
LONDON: Final = 9
PARIS: Final = 10
SHANGHAI: Final = 11
CANCUN: Final = 12
PRAGUE: Final = 13
OSAKA: Final = 14

FORK_NAMES: Final[tuple[str, ...]] = (
    "Frontier",
    "Homestead",
    "TangerineWhistle",
    "SpuriousDragon",
    "Byzantium",
    "Constantinople",
    "Petersburg",
    "Istanbul",
    "Berlin",
    "London",
    "Paris",
    "Shanghai",
    "Cancun",
    "Prague",
    "Osaka",
)

# Names used by ethereum/tests and execution-spec-tests for the same forks.
FORK_ALIASES: Final[dict[str, int]] = {
    "EIP150": TANGERINE_WHISTLE,
    "EIP158": SPURIOUS_DRAGON,
    "ConstantinopleFix": PETERSBURG,
    "Merge": PARIS,
    "MuirGlacier": ISTANBUL,
    "ArrowGlacier": LONDON,
    "GrayGlacier": LONDON,
}


class UnknownFork(Exception):
    """A fork name that pevm does not know."""


def fork_id(name: str) -> int:
    """Fork id for a name as the fixtures spell it (`Cancun`, `EIP150`, `Merge`, ...)."""
    for index in range(len(FORK_NAMES)):
        if FORK_NAMES[index] == name:
            return index
    if name in FORK_ALIASES:
        return FORK_ALIASES[name]
    raise UnknownFork(f"unknown fork {name!r} (known: {', '.join(FORK_NAMES)})")


class BlobSchedule:
    """EIP-4844/7691 blob parameters of a fork (execution-spec-tests give them per fixture)."""

    __slots__ = ("target", "max", "base_fee_update_fraction")

    def __init__(self, target: int, max_blobs: int, base_fee_update_fraction: int) -> None:
        self.target: Final = target
        self.max: Final = max_blobs
        self.base_fee_update_fraction: Final = base_fee_update_fraction


GAS_PER_BLOB: Final = 131072
CANCUN_BLOBS: Final = BlobSchedule(3, 6, 3338477)
PRAGUE_BLOBS: Final = BlobSchedule(6, 9, 5007716)  # EIP-7691
OSAKA_BLOBS: Final = BlobSchedule(6, 9, 5007716)


class ForkRules:
    """What a fork changes beyond its opcode and precompile tables. Immutable once built."""

    def __init__(self, fork: int, blobs: BlobSchedule | None = None) -> None:
        self.fork: Final[int] = fork
        self.name: Final[str] = FORK_NAMES[fork]
        # Homestead
        self.eip2_create_oog_fails: Final = fork >= HOMESTEAD  # code deposit OOG fails CREATE
        self.eip2_low_s: Final = fork >= HOMESTEAD
        self.create_tx_gas: Final[i64] = 53000 if fork >= HOMESTEAD else 21000
        # Tangerine Whistle
        self.eip150_all_but_one_64th: Final = fork >= TANGERINE_WHISTLE
        # Spurious Dragon
        self.eip155_chain_id: Final = fork >= SPURIOUS_DRAGON
        self.eip161_state_clearing: Final = fork >= SPURIOUS_DRAGON
        self.eip170_max_code_size: Final[i64] = 24576 if fork >= SPURIOUS_DRAGON else -1
        # Byzantium
        self.eip658_receipt_status: Final = fork >= BYZANTIUM
        # Istanbul
        self.calldata_nonzero_gas: Final[i64] = 16 if fork >= ISTANBUL else 68  # EIP-2028
        # Berlin
        self.eip2929_access_lists: Final = fork >= BERLIN
        # London
        self.eip1559_base_fee: Final = fork >= LONDON
        self.eip3529_refunds: Final = fork >= LONDON
        self.max_refund_quotient: Final[i64] = 5 if fork >= LONDON else 2
        self.eip3541_reject_ef_code: Final = fork >= LONDON
        # Paris
        self.proof_of_stake: Final = fork >= PARIS
        # Shanghai
        self.eip3651_warm_coinbase: Final = fork >= SHANGHAI
        self.eip3860_max_initcode_size: Final[i64] = 49152 if fork >= SHANGHAI else -1
        self.eip4895_withdrawals: Final = fork >= SHANGHAI
        # Cancun
        self.eip4844_blobs: Final = fork >= CANCUN
        self.eip6780_selfdestruct_same_tx: Final = fork >= CANCUN
        self.eip4788_beacon_root: Final = fork >= CANCUN
        # Prague
        self.eip7702_set_code: Final = fork >= PRAGUE
        self.eip7623_calldata_floor: Final = fork >= PRAGUE
        self.eip2935_history: Final = fork >= PRAGUE
        self.eip7685_requests: Final = fork >= PRAGUE
        # Osaka
        self.eip7825_tx_gas_cap: Final[i64] = 1 << 24 if fork >= OSAKA else -1
        self.eip7918_blob_base_fee_floor: Final = fork >= OSAKA
        self.eip7594_max_blobs_per_tx: Final[i64] = 6 if fork >= OSAKA else -1
        self.eip7934_max_block_rlp_size: Final[i64] = 8388608 - 2097152 if fork >= OSAKA else -1
        if blobs is None:
            blobs = _default_blobs(fork)
        self.blobs: Final[BlobSchedule | None] = blobs


def _default_blobs(fork: int) -> BlobSchedule | None:
    if fork >= OSAKA:
        return OSAKA_BLOBS
    if fork >= PRAGUE:
        return PRAGUE_BLOBS
    if fork >= CANCUN:
        return CANCUN_BLOBS
    return None


_RULES: Final[tuple[ForkRules, ...]] = tuple(ForkRules(fork) for fork in range(len(FORK_NAMES)))


def rules(fork: int) -> ForkRules:
    """The shared, immutable rules of a fork with its default blob schedule."""
    return _RULES[fork]


def rules_by_name(name: str) -> ForkRules:
    return _RULES[fork_id(name)]
