"""Decoding a block from its consensus RLP: header, transactions, ommers and withdrawals.

Two steps, because which transaction types and header fields a block may carry depends on
its fork, and the fork on its header: `parse_block` checks the RLP structure and decodes the
header; `decode_body` then decodes the rest under the fork's rules and recovers every sender.
Decoding is strict (canonical RLP, integers without leading zeros, exact widths), so the
decoded values re-encode to the same bytes and hash to the block's own hashes. Anything
malformed raises `InvalidBlock` (or `InvalidTransaction` for a bad transaction) with the
execution-spec-tests kind, never a guess.
"""

from __future__ import annotations

from typing import Final, final

from interp.errors import TX_TYPE_NOT_SUPPORTED, InvalidBlock, InvalidTransaction
from interp.forks import ForkRules
from interp.header import Block, Header, Withdrawal
from interp.transaction import Transaction, decode_transaction, recover_sender
from primitives import rlp

RLP_STRUCTURES: Final = "BlockException.RLP_STRUCTURES_ENCODING"
RLP_OVERFLOW_64: Final = "BlockException.RLP_INVALID_FIELD_OVERFLOW_64"
RLP_INVALID_ADDRESS: Final = "BlockException.RLP_INVALID_ADDRESS"
RLP_WITHDRAWALS_NOT_READ: Final = "BlockException.RLP_WITHDRAWALS_NOT_READ"
RLP_BLOCK_LIMIT_EXCEEDED: Final = "BlockException.RLP_BLOCK_LIMIT_EXCEEDED"

HEADER_FIELDS: Final = 15  # before London; each later fork appends one optional field
OPTIONAL_HEADER_FIELDS: Final = 6  # base fee .. requests hash
U64_BYTES: Final = 8
U256_BYTES: Final = 32
LIST_PREFIX: Final = 0xC0  # a body item starting here is an RLP list, never a typed transaction


@final
class RawBlock:
    """A block whose RLP structure and header are decoded; the body items are still raw."""

    size: Final[int]  # bytes of RLP, limited from Osaka (EIP-7934)
    header: Final[Header]
    transactions: Final[list[object]]
    ommers: Final[list[object]]
    withdrawals: Final[list[object] | None]  # None: the block has no withdrawals list

    def __init__(
        self, size: int, header: Header, transactions: list[object], ommers: list[object],
        withdrawals: list[object] | None,
    ) -> None:  # fmt: skip
        self.size = size
        self.header = header
        self.transactions = transactions
        self.ommers = ommers
        self.withdrawals = withdrawals


# --- fields ---------------------------------------------------------------------------------
def _list(item: object, name: str) -> list[object]:
    if not isinstance(item, list):
        raise InvalidBlock(RLP_STRUCTURES, f"{name}: expected a list")
    return item


def _bytes(item: object, name: str) -> bytes:
    if not isinstance(item, bytes):
        raise InvalidBlock(RLP_STRUCTURES, f"{name}: expected bytes")
    return item


def _fixed(item: object, size: int, name: str) -> bytes:
    data = _bytes(item, name)
    if len(data) != size:
        raise InvalidBlock(RLP_STRUCTURES, f"{name}: expected {size} bytes, got {len(data)}")
    return data


def _uint(item: object, max_bytes: int, name: str) -> int:
    """A canonical integer of at most `max_bytes` bytes (8: a 64-bit field, 32: a word)."""
    data = _bytes(item, name)
    if len(data) > max_bytes:
        kind = RLP_OVERFLOW_64 if max_bytes == U64_BYTES else RLP_STRUCTURES
        raise InvalidBlock(kind, f"{name}: {len(data)} bytes overflow {max_bytes * 8} bits")
    try:
        return rlp.decode_int(data)
    except rlp.RLPError as error:
        raise InvalidBlock(RLP_STRUCTURES, f"{name}: {error}") from None


def _address(item: object, name: str) -> int:
    data = _bytes(item, name)
    if len(data) != 20:
        raise InvalidBlock(RLP_INVALID_ADDRESS, f"{name}: expected a 20-byte address, got {len(data)} bytes")
    return int.from_bytes(data, "big")


# --- header -----------------------------------------------------------------------------------
def decode_header(item: object) -> Header:
    """A header from its decoded RLP list: the 15 original fields plus 0-6 fork fields."""
    fields = _list(item, "header")
    count = len(fields)
    if count < HEADER_FIELDS or count > HEADER_FIELDS + OPTIONAL_HEADER_FIELDS:
        raise InvalidBlock(RLP_STRUCTURES, f"header: {count} fields")
    optional: list[object | None] = [None] * OPTIONAL_HEADER_FIELDS
    for index in range(HEADER_FIELDS, count):
        optional[index - HEADER_FIELDS] = fields[index]
    base_fee, withdrawals_root, blob_gas_used, excess_blob_gas, beacon_root, requests_hash = optional
    return Header(
        _fixed(fields[0], 32, "parentHash"),
        _fixed(fields[1], 32, "ommersHash"),
        _address(fields[2], "coinbase"),
        _fixed(fields[3], 32, "stateRoot"),
        _fixed(fields[4], 32, "transactionsRoot"),
        _fixed(fields[5], 32, "receiptsRoot"),
        _fixed(fields[6], 256, "logsBloom"),
        _uint(fields[7], U256_BYTES, "difficulty"),
        _uint(fields[8], U64_BYTES, "number"),
        _uint(fields[9], U64_BYTES, "gasLimit"),
        _uint(fields[10], U64_BYTES, "gasUsed"),
        _uint(fields[11], U64_BYTES, "timestamp"),
        _bytes(fields[12], "extraData"),
        _fixed(fields[13], 32, "mixHash"),
        _fixed(fields[14], 8, "nonce"),
        None if base_fee is None else _uint(base_fee, U256_BYTES, "baseFeePerGas"),
        None if withdrawals_root is None else _fixed(withdrawals_root, 32, "withdrawalsRoot"),
        None if blob_gas_used is None else _uint(blob_gas_used, U64_BYTES, "blobGasUsed"),
        None if excess_blob_gas is None else _uint(excess_blob_gas, U64_BYTES, "excessBlobGas"),
        None if beacon_root is None else _fixed(beacon_root, 32, "parentBeaconBlockRoot"),
        None if requests_hash is None else _fixed(requests_hash, 32, "requestsHash"),
    )


# --- block ------------------------------------------------------------------------------------
def parse_block(raw: bytes) -> RawBlock:
    """The block's RLP structure ([header, transactions, ommers(, withdrawals)]) and its header."""
    try:
        item = rlp.decode(raw)
    except rlp.RLPError as error:
        raise InvalidBlock(RLP_STRUCTURES, f"block: bad RLP: {error}") from None
    items = _list(item, "block")
    if len(items) < 3 or len(items) > 4:
        raise InvalidBlock(RLP_STRUCTURES, f"block: {len(items)} items, expected 3 or 4")
    header = decode_header(items[0])
    withdrawals = _list(items[3], "withdrawals") if len(items) == 4 else None
    return RawBlock(len(raw), header, _list(items[1], "transactions"), _list(items[2], "ommers"), withdrawals)


def decode_transactions(items: list[object], rules: ForkRules, chain_id: int, recover: bool = True) -> list[Transaction]:
    """Body transactions: legacy ones are RLP lists, typed ones (EIP-2718) byte strings; their
    senders recovered unless not `recover` (then 0, for the executor to recover)."""
    transactions: list[Transaction] = []
    for item in items:
        if isinstance(item, list):
            raw = rlp.encode(item)  # strict decoding made it canonical: these are its own bytes
        else:
            raw = _bytes(item, "transaction")
            if len(raw) > 0 and raw[0] >= LIST_PREFIX:
                raise InvalidTransaction(TX_TYPE_NOT_SUPPORTED, "a legacy transaction wrapped as a byte string")
        tx = decode_transaction(raw, rules)
        if recover:
            tx.sender = recover_sender(tx, rules, chain_id)
        transactions.append(tx)
    return transactions


def decode_withdrawal(item: object) -> Withdrawal:
    fields = _list(item, "withdrawal")
    if len(fields) != 4:
        raise InvalidBlock(RLP_STRUCTURES, f"withdrawal: {len(fields)} fields, expected 4")
    return Withdrawal(
        _uint(fields[0], U64_BYTES, "withdrawal index"),
        _uint(fields[1], U64_BYTES, "validator index"),
        _address(fields[2], "withdrawal address"),
        _uint(fields[3], U64_BYTES, "withdrawal amount"),
    )


def decode_body(raw: RawBlock, rules: ForkRules, chain_id: int, recover: bool = True) -> Block:
    """The whole block under `rules`: withdrawals exactly from Shanghai (EIP-4895), at most
    `eip7934_max_block_rlp_size` bytes from Osaka; senders recovered unless not `recover`."""
    if 0 <= rules.eip7934_max_block_rlp_size < raw.size:
        raise InvalidBlock(RLP_BLOCK_LIMIT_EXCEEDED, f"block of {raw.size} bytes above the limit (EIP-7934)")
    withdrawals: list[Withdrawal] | None = None
    if rules.eip4895_withdrawals:
        if raw.withdrawals is None:
            raise InvalidBlock(RLP_WITHDRAWALS_NOT_READ, "block: no withdrawals list (EIP-4895)")
        withdrawals = [decode_withdrawal(item) for item in raw.withdrawals]
    elif raw.withdrawals is not None:
        raise InvalidBlock(RLP_STRUCTURES, "block: a withdrawals list before Shanghai")
    ommers = [decode_header(item) for item in raw.ommers]
    return Block(raw.header, decode_transactions(raw.transactions, rules, chain_id, recover), ommers, withdrawals)
