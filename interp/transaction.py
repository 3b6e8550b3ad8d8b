"""Transactions of every type: the value, its canonical encoding, signing hash and sender.

Types: 0 legacy (EIP-155 replay protection from Spurious Dragon), 1 access list (EIP-2930),
2 dynamic fee (EIP-1559), 3 blob (EIP-4844), 4 set code (EIP-7702). Decoding is strict: a
malformed transaction is an `InvalidTransaction`, never a guess.
"""

from __future__ import annotations

from typing import Final, final

from interp.errors import (
    TX_INVALID_CHAIN_ID,
    TX_INVALID_SIGNATURE,
    TX_MALFORMED,
    TX_TYPE_NOT_SUPPORTED,
    InvalidTransaction,
)
from interp.forks import ForkRules
from primitives import rlp
from primitives.keccak import keccak256
from primitives.secp256k1 import SECP256K1_N, recover_address

LEGACY: Final = 0
ACCESS_LIST: Final = 1
DYNAMIC_FEE: Final = 2
BLOB: Final = 3
SET_CODE: Final = 4

SECP256K1_HALF_N: Final = SECP256K1_N // 2
SET_CODE_MAGIC: Final = b"\x05"


@final
class Authorization:
    """An EIP-7702 authorization tuple; `authority` is recovered (None when invalid)."""

    chain_id: Final[int]
    address: Final[int]
    nonce: Final[int]
    y_parity: Final[int]
    r: Final[int]
    s: Final[int]
    authority: Final[int | None]

    def __init__(self, chain_id: int, address: int, nonce: int, y_parity: int, r: int, s: int) -> None:
        self.chain_id = chain_id
        self.address = address
        self.nonce = nonce
        self.y_parity = y_parity
        self.r = r
        self.s = s
        self.authority = _recover_authority(chain_id, address, nonce, y_parity, r, s)

    def fields(self) -> list[object]:
        return [self.chain_id, self.address.to_bytes(20, "big"), self.nonce, self.y_parity, self.r, self.s]


def _recover_authority(chain_id: int, address: int, nonce: int, y_parity: int, r: int, s: int) -> int | None:
    if y_parity > 1 or s > SECP256K1_HALF_N or nonce >= (1 << 64) - 1:
        return None
    message = keccak256(SET_CODE_MAGIC + rlp.encode([chain_id, address.to_bytes(20, "big"), nonce]))
    return recover_address(message, y_parity, r, s)


@final
class Transaction:
    """A signed transaction. For legacy transactions `v` is the raw v; for typed ones y_parity."""

    tx_type: Final[int]
    chain_id: Final[int | None]  # None: a pre-EIP-155 legacy transaction
    nonce: Final[int]
    gas_limit: Final[int]
    to: Final[int | None]  # None creates a contract
    value: Final[int]
    data: Final[bytes]
    gas_price: Final[int]  # legacy and access-list transactions
    max_fee_per_gas: Final[int]
    max_priority_fee_per_gas: Final[int]
    access_list: Final[tuple[tuple[int, tuple[int, ...]], ...]]
    max_fee_per_blob_gas: Final[int]
    blob_hashes: Final[tuple[bytes, ...]]
    authorizations: Final[tuple[Authorization, ...]]
    v: Final[int]
    r: Final[int]
    s: Final[int]
    sender: int  # recovered from the signature, or given (state tests know the key)
    encoded: bytes  # the bytes it was decoded from (canonical: decoding is strict), or b""

    def __init__(
        self,
        tx_type: int,
        chain_id: int | None,
        nonce: int,
        gas_limit: int,
        to: int | None,
        value: int,
        data: bytes,
        gas_price: int,
        max_fee_per_gas: int,
        max_priority_fee_per_gas: int,
        access_list: tuple[tuple[int, tuple[int, ...]], ...],
        max_fee_per_blob_gas: int,
        blob_hashes: tuple[bytes, ...],
        authorizations: tuple[Authorization, ...],
        v: int,
        r: int,
        s: int,
        sender: int,
    ) -> None:
        self.tx_type = tx_type
        self.chain_id = chain_id
        self.nonce = nonce
        self.gas_limit = gas_limit
        self.to = to
        self.value = value
        self.data = data
        # Before EIP-1559 one price is both the cap and the tip.
        self.gas_price = gas_price
        self.max_fee_per_gas = max_fee_per_gas if tx_type >= DYNAMIC_FEE else gas_price
        self.max_priority_fee_per_gas = max_priority_fee_per_gas if tx_type >= DYNAMIC_FEE else gas_price
        self.access_list = access_list
        self.max_fee_per_blob_gas = max_fee_per_blob_gas
        self.blob_hashes = blob_hashes
        self.authorizations = authorizations
        self.v = v
        self.r = r
        self.s = s
        self.sender = sender
        self.encoded = b""

    # --- encoding ---------------------------------------------------------------------------
    def _to_field(self) -> bytes:
        return b"" if self.to is None else self.to.to_bytes(20, "big")

    def _access_list_field(self) -> list[object]:
        return [
            [address.to_bytes(20, "big"), [slot.to_bytes(32, "big") for slot in slots]]
            for address, slots in self.access_list
        ]

    def _payload(self) -> list[object]:
        """The fields before the signature."""
        to = self._to_field()
        if self.tx_type == LEGACY:
            return [self.nonce, self.gas_price, self.gas_limit, to, self.value, self.data]
        chain_id = self.chain_id if self.chain_id is not None else 0
        if self.tx_type == ACCESS_LIST:
            return [chain_id, self.nonce, self.gas_price, self.gas_limit, to, self.value, self.data,
                    self._access_list_field()]  # fmt: skip
        fields: list[object] = [
            chain_id, self.nonce, self.max_priority_fee_per_gas, self.max_fee_per_gas,
            self.gas_limit, to, self.value, self.data, self._access_list_field(),
        ]  # fmt: skip
        if self.tx_type == BLOB:
            fields.append(self.max_fee_per_blob_gas)
            fields.append(list(self.blob_hashes))
        elif self.tx_type == SET_CODE:
            fields.append([auth.fields() for auth in self.authorizations])
        return fields

    def encode(self) -> bytes:
        """Canonical encoding: RLP for legacy, type byte + RLP for typed transactions."""
        fields = self._payload()
        fields.append(self.v)
        fields.append(self.r)
        fields.append(self.s)
        if self.tx_type == LEGACY:
            return rlp.encode(fields)
        return bytes([self.tx_type]) + rlp.encode(fields)

    def hash(self) -> bytes:
        return keccak256(self.encoded or self.encode())

    def signing_hash(self) -> bytes:
        if self.encoded:
            return keccak256(self._unsigned_from_encoding())
        fields = self._payload()
        if self.tx_type == LEGACY:
            if self.chain_id is not None:
                fields.append(self.chain_id)
                fields.append(0)
                fields.append(0)
            return keccak256(rlp.encode(fields))
        return keccak256(bytes([self.tx_type]) + rlp.encode(fields))

    def _unsigned_from_encoding(self) -> bytes:
        """What is signed, cut from the transaction's own encoding (encoding every field again
        took twice as long): the fields before the signature, then for EIP-155 legacy
        transactions the chain id and two zeros."""
        encoded = self.encoded
        start = 0 if self.tx_type == LEGACY else 1
        head = encoded[start]
        start += 1 if head <= 0xF7 else 1 + head - 0xF7
        end = len(encoded) - _int_size(self.v) - _int_size(self.r) - _int_size(self.s)
        fields = encoded[start:end]
        if self.tx_type != LEGACY:
            return encoded[:1] + rlp.encode_list_payload(fields)
        if self.chain_id is not None:
            fields += rlp.encode(self.chain_id) + b"\x80\x80"
        return rlp.encode_list_payload(fields)


def _int_size(value: int) -> int:
    """Bytes of an integer's canonical RLP (below 2**448): one up to 127, else a prefix and the
    big-endian bytes."""
    return 1 if value < 0x80 else 1 + (value.bit_length() + 7) // 8


def recover_sender(tx: Transaction, rules: ForkRules, chain_id: int) -> int:
    """The signer, after the signature rules of the fork (EIP-2 low s, EIP-155 chain id)."""
    if not (0 < tx.r < SECP256K1_N and 0 < tx.s < SECP256K1_N):
        raise InvalidTransaction(TX_INVALID_SIGNATURE, "signature r or s out of range")
    if rules.eip2_low_s and tx.s > SECP256K1_HALF_N:
        raise InvalidTransaction(TX_INVALID_SIGNATURE, "signature s above n/2 (EIP-2)")
    if tx.tx_type == LEGACY:
        if tx.v == 27 or tx.v == 28:
            recovery_id = tx.v - 27
        elif rules.eip155_chain_id and tx.v in (chain_id * 2 + 35, chain_id * 2 + 36):
            recovery_id = tx.v - chain_id * 2 - 35
        else:
            raise InvalidTransaction(TX_INVALID_SIGNATURE, f"invalid v {tx.v}")
    else:
        if tx.chain_id != chain_id:
            raise InvalidTransaction(TX_INVALID_CHAIN_ID, f"chain id {tx.chain_id} != {chain_id}")
        if tx.v > 1:
            raise InvalidTransaction(TX_INVALID_SIGNATURE, f"invalid y parity {tx.v}")
        recovery_id = tx.v
    sender = recover_address(tx.signing_hash(), recovery_id, tx.r, tx.s)
    if sender is None:
        raise InvalidTransaction(TX_INVALID_SIGNATURE, "signature does not recover")
    return sender


def recover_senders_in_order(transactions: list[Transaction], rules: ForkRules, chain_id: int) -> None:
    """Set every transaction's `sender`, one after another; the first that fails raises, and
    then no sender is set."""
    senders = [recover_sender(tx, rules, chain_id) for tx in transactions]
    for index in range(len(transactions)):
        transactions[index].sender = senders[index]


# --- decoding -------------------------------------------------------------------------------
def _int(item: object, name: str) -> int:
    if not isinstance(item, bytes):
        raise InvalidTransaction(TX_MALFORMED, f"{name}: expected an integer")
    if len(item) > 0 and item[0] == 0:
        raise InvalidTransaction(TX_MALFORMED, f"{name}: leading zero")
    if len(item) > 32:
        raise InvalidTransaction(TX_MALFORMED, f"{name}: above 2**256")
    return int.from_bytes(item, "big")


def _address(item: object, name: str) -> int:
    if not isinstance(item, bytes) or len(item) != 20:
        raise InvalidTransaction(TX_MALFORMED, f"{name}: expected a 20-byte address")
    return int.from_bytes(item, "big")


def _to(item: object) -> int | None:
    if item == b"":
        return None
    return _address(item, "to")


def _bytes(item: object, name: str) -> bytes:
    if not isinstance(item, bytes):
        raise InvalidTransaction(TX_MALFORMED, f"{name}: expected bytes")
    return item


def _list(item: object, name: str) -> list[object]:
    if not isinstance(item, list):
        raise InvalidTransaction(TX_MALFORMED, f"{name}: expected a list")
    return item


def _access_list(item: object) -> tuple[tuple[int, tuple[int, ...]], ...]:
    entries: list[tuple[int, tuple[int, ...]]] = []
    for entry in _list(item, "access list"):
        pair = _list(entry, "access list entry")
        if len(pair) != 2:
            raise InvalidTransaction(TX_MALFORMED, "access list entry: expected [address, slots]")
        slots: list[int] = []
        for slot in _list(pair[1], "storage keys"):
            key = _bytes(slot, "storage key")
            if len(key) != 32:
                raise InvalidTransaction(TX_MALFORMED, "storage key: expected 32 bytes")
            slots.append(int.from_bytes(key, "big"))
        entries.append((_address(pair[0], "access list address"), tuple(slots)))
    return tuple(entries)


def _authorizations(item: object) -> tuple[Authorization, ...]:
    result: list[Authorization] = []
    for entry in _list(item, "authorization list"):
        fields = _list(entry, "authorization")
        if len(fields) != 6:
            raise InvalidTransaction(TX_MALFORMED, "authorization: expected 6 fields")
        result.append(Authorization(
            _int(fields[0], "chain id"), _address(fields[1], "address"), _int(fields[2], "nonce"),
            _int(fields[3], "y parity"), _int(fields[4], "r"), _int(fields[5], "s"),
        ))  # fmt: skip
    return tuple(result)


def _expect(fields: list[object], count: int, name: str) -> None:
    if len(fields) != count:
        raise InvalidTransaction(TX_MALFORMED, f"{name}: expected {count} fields, got {len(fields)}")


def decode_transaction(raw: bytes, rules: ForkRules) -> Transaction:
    """Decode a legacy (RLP list) or typed (type byte + RLP) transaction; sender is left 0."""
    tx = _decode(raw, rules)
    tx.encoded = raw
    return tx


def _decode(raw: bytes, rules: ForkRules) -> Transaction:
    if len(raw) == 0:
        raise InvalidTransaction(TX_MALFORMED, "empty transaction")
    if raw[0] >= 0xC0:
        return _decode_legacy(_decoded_list(raw))
    tx_type = raw[0]
    supported = (
        (tx_type == ACCESS_LIST and rules.eip2929_access_lists)
        or (tx_type == DYNAMIC_FEE and rules.eip1559_base_fee)
        or (tx_type == BLOB and rules.eip4844_blobs)
        or (tx_type == SET_CODE and rules.eip7702_set_code)
    )
    if not supported:
        raise InvalidTransaction(TX_TYPE_NOT_SUPPORTED, f"transaction type {tx_type} not supported")
    fields = _decoded_list(raw[1:])
    if tx_type == ACCESS_LIST:
        _expect(fields, 11, "access list transaction")
        return Transaction(
            ACCESS_LIST, _int(fields[0], "chain id"), _int(fields[1], "nonce"), _int(fields[3], "gas"),
            _to(fields[4]), _int(fields[5], "value"), _bytes(fields[6], "data"),
            _int(fields[2], "gas price"), 0, 0, _access_list(fields[7]), 0, (), (),
            _int(fields[8], "y parity"), _int(fields[9], "r"), _int(fields[10], "s"), 0,
        )  # fmt: skip
    count = {DYNAMIC_FEE: 12, BLOB: 14, SET_CODE: 13}[tx_type]
    _expect(fields, count, f"type {tx_type} transaction")
    blob_fee = 0
    blob_hashes: tuple[bytes, ...] = ()
    authorizations: tuple[Authorization, ...] = ()
    to: int | None
    if tx_type == BLOB:
        blob_fee = _int(fields[9], "max fee per blob gas")
        blob_hashes = tuple(_bytes(h, "blob hash") for h in _list(fields[10], "blob hashes"))
        for blob_hash in blob_hashes:
            if len(blob_hash) != 32:
                raise InvalidTransaction(TX_MALFORMED, "blob hash: expected 32 bytes")
        to = _address(fields[5], "to")
    elif tx_type == SET_CODE:
        authorizations = _authorizations(fields[9])
        to = _address(fields[5], "to")
    else:
        to = _to(fields[5])
    return Transaction(
        tx_type, _int(fields[0], "chain id"), _int(fields[1], "nonce"), _int(fields[4], "gas"), to,
        _int(fields[6], "value"), _bytes(fields[7], "data"), 0, _int(fields[3], "max fee"),
        _int(fields[2], "max priority fee"), _access_list(fields[8]), blob_fee, blob_hashes,
        authorizations, _int(fields[count - 3], "y parity"), _int(fields[count - 2], "r"),
        _int(fields[count - 1], "s"), 0,
    )  # fmt: skip


def _decoded_list(raw: bytes) -> list[object]:
    try:
        item = rlp.decode(raw)
    except rlp.RLPError as error:
        raise InvalidTransaction(TX_MALFORMED, f"bad RLP: {error}") from None
    return _list(item, "transaction")


def _decode_legacy(fields: list[object]) -> Transaction:
    _expect(fields, 9, "legacy transaction")
    v = _int(fields[6], "v")
    chain_id: int | None = None
    if v >= 35:
        chain_id = (v - 35) // 2
    return Transaction(
        LEGACY, chain_id, _int(fields[0], "nonce"), _int(fields[2], "gas"), _to(fields[3]),
        _int(fields[4], "value"), _bytes(fields[5], "data"), _int(fields[1], "gas price"), 0, 0,
        (), 0, (), (), v, _int(fields[7], "r"), _int(fields[8], "s"), 0,
    )  # fmt: skip
