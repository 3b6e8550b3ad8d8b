"""Ethereum mainnet's fork schedule: which rules a header runs under."""

from __future__ import annotations

from typing import Final

from interp.forks import (
    BERLIN,
    BYZANTIUM,
    CANCUN,
    FRONTIER,
    HOMESTEAD,
    ISTANBUL,
    LONDON,
    OSAKA,
    PARIS,
    PETERSBURG,
    PRAGUE,
    SHANGHAI,
    SPURIOUS_DRAGON,
    TANGERINE_WHISTLE,
)

MAINNET_CHAIN_ID: Final = 1
DAO_FORK_BLOCK: Final = 1920000

# (first block number, fork), newest first; Constantinople and Petersburg activated together.
_BY_NUMBER: Final = (
    (15537394, PARIS),
    (12965000, LONDON),
    (12244000, BERLIN),
    (9069000, ISTANBUL),
    (7280000, PETERSBURG),
    (4370000, BYZANTIUM),
    (2675000, SPURIOUS_DRAGON),
    (2463000, TANGERINE_WHISTLE),
    (1150000, HOMESTEAD),
)
# (first timestamp, fork), newest first.
_BY_TIMESTAMP: Final = (
    (1764798551, OSAKA),
    (1746612311, PRAGUE),
    (1710338135, CANCUN),
    (1681338455, SHANGHAI),
)


def mainnet_fork(number: int, timestamp: int) -> int:
    for start, fork in _BY_TIMESTAMP:
        if timestamp >= start:
            return fork
    for start, fork in _BY_NUMBER:
        if number >= start:
            return fork
    return FRONTIER
