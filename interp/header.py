"""Block headers, withdrawals and blocks: the values and their consensus encodings."""

from __future__ import annotations

from typing import Final, final

from interp.transaction import Transaction
from primitives import rlp
from primitives.keccak import keccak256

EMPTY_OMMERS_HASH: Final = keccak256(rlp.encode([]))


@final
class Header:
    parent_hash: Final[bytes]
    ommers_hash: Final[bytes]
    coinbase: Final[int]
    state_root: Final[bytes]
    transactions_root: Final[bytes]
    receipts_root: Final[bytes]
    logs_bloom: Final[bytes]
    difficulty: Final[int]
    number: Final[int]
    gas_limit: Final[int]
    gas_used: Final[int]
    timestamp: Final[int]
    extra_data: Final[bytes]
    mix_hash: Final[bytes]  # PREVRANDAO after the Merge
    nonce: Final[bytes]
    base_fee: Final[int | None]  # London
    withdrawals_root: Final[bytes | None]  # Shanghai
    blob_gas_used: Final[int | None]  # Cancun
    excess_blob_gas: Final[int | None]  # Cancun
    parent_beacon_block_root: Final[bytes | None]  # Cancun
    requests_hash: Final[bytes | None]  # Prague

    def __init__(
        self,
        parent_hash: bytes,
        ommers_hash: bytes,
        coinbase: int,
        state_root: bytes,
        transactions_root: bytes,
        receipts_root: bytes,
        logs_bloom: bytes,
        difficulty: int,
        number: int,
        gas_limit: int,
        gas_used: int,
        timestamp: int,
        extra_data: bytes,
        mix_hash: bytes,
        nonce: bytes,
        base_fee: int | None,
        withdrawals_root: bytes | None,
        blob_gas_used: int | None,
        excess_blob_gas: int | None,
        parent_beacon_block_root: bytes | None,
        requests_hash: bytes | None,
    ) -> None:
        self.parent_hash = parent_hash
        self.ommers_hash = ommers_hash
        self.coinbase = coinbase
        self.state_root = state_root
        self.transactions_root = transactions_root
        self.receipts_root = receipts_root
        self.logs_bloom = logs_bloom
        self.difficulty = difficulty
        self.number = number
        self.gas_limit = gas_limit
        self.gas_used = gas_used
        self.timestamp = timestamp
        self.extra_data = extra_data
        self.mix_hash = mix_hash
        self.nonce = nonce
        self.base_fee = base_fee
        self.withdrawals_root = withdrawals_root
        self.blob_gas_used = blob_gas_used
        self.excess_blob_gas = excess_blob_gas
        self.parent_beacon_block_root = parent_beacon_block_root
        self.requests_hash = requests_hash

    def fields(self) -> list[object]:
        fields: list[object] = [
            self.parent_hash, self.ommers_hash, self.coinbase.to_bytes(20, "big"), self.state_root,
            self.transactions_root, self.receipts_root, self.logs_bloom, self.difficulty,
            self.number, self.gas_limit, self.gas_used, self.timestamp, self.extra_data,
            self.mix_hash, self.nonce,
        ]  # fmt: skip
        # Optional fields are appended in fork order; each needs all the earlier ones.
        optional: list[object | None] = [
            self.base_fee, self.withdrawals_root, self.blob_gas_used, self.excess_blob_gas,
            self.parent_beacon_block_root, self.requests_hash,
        ]  # fmt: skip
        for value in optional:
            if value is None:
                break
            fields.append(value)
        return fields

    def hash(self) -> bytes:
        return keccak256(rlp.encode(self.fields()))


@final
class Withdrawal:
    """EIP-4895: a consensus-layer withdrawal, credited in gwei after the transactions."""

    index: Final[int]
    validator_index: Final[int]
    address: Final[int]
    amount: Final[int]  # gwei

    def __init__(self, index: int, validator_index: int, address: int, amount: int) -> None:
        self.index = index
        self.validator_index = validator_index
        self.address = address
        self.amount = amount

    def encode(self) -> bytes:
        return rlp.encode([self.index, self.validator_index, self.address.to_bytes(20, "big"), self.amount])


@final
class Block:
    header: Final[Header]
    transactions: Final[list[Transaction]]
    # Ommer headers; None when the source lists only their hashes (then rewards are unknown).
    ommers: Final[list[Header] | None]
    withdrawals: Final[list[Withdrawal] | None]

    def __init__(
        self,
        header: Header,
        transactions: list[Transaction],
        ommers: list[Header] | None,
        withdrawals: list[Withdrawal] | None,
    ) -> None:
        self.header = header
        self.transactions = transactions
        self.ommers = ommers
        self.withdrawals = withdrawals
