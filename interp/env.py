"""Execution environments, split by lifetime: the block's and the transaction's."""

from __future__ import annotations

from typing import Final, final

from mypy_extensions import i64


@final
class BlockEnv:
    """What a block gives every transaction in it (from its header and chain config)."""

    coinbase: Final[int]
    number: Final[int]
    timestamp: Final[int]
    gas_limit: Final[int]
    difficulty: Final[int]  # pre-Merge DIFFICULTY
    prev_randao: Final[int]  # post-Merge PREVRANDAO (EIP-4399), same opcode
    base_fee: Final[int]
    excess_blob_gas: Final[int]
    blob_base_fee: Final[int]
    chain_id: Final[int]
    parent_beacon_block_root: Final[bytes | None]

    def __init__(
        self,
        coinbase: int,
        number: int,
        timestamp: int,
        gas_limit: int,
        difficulty: int,
        prev_randao: int,
        base_fee: int,
        excess_blob_gas: int,
        blob_base_fee: int,
        chain_id: int,
        parent_beacon_block_root: bytes | None,
    ) -> None:
        self.coinbase = coinbase
        self.number = number
        self.timestamp = timestamp
        self.gas_limit = gas_limit
        self.difficulty = difficulty
        self.prev_randao = prev_randao
        self.base_fee = base_fee
        self.excess_blob_gas = excess_blob_gas
        self.blob_base_fee = blob_base_fee
        self.chain_id = chain_id
        self.parent_beacon_block_root = parent_beacon_block_root


@final
class TxEnv:
    """What one transaction gives every frame it runs (ORIGIN, GASPRICE, BLOBHASH)."""

    origin: Final[int]
    gas_price: Final[int]
    blob_hashes: Final[tuple[bytes, ...]]
    gas_limit: Final[i64]

    def __init__(self, origin: int, gas_price: int, blob_hashes: tuple[bytes, ...], gas_limit: i64) -> None:
        self.origin = origin
        self.gas_price = gas_price
        self.blob_hashes = blob_hashes
        self.gas_limit = gas_limit
