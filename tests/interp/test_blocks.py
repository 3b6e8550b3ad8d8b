"""Block decoding (`interp.block_decoding`) and validity rules (`interp.block_validation`) on
hand-built Cancun blocks: each rule accepts the good block and rejects one broken field with
its execution-spec-tests kind."""

from __future__ import annotations

from typing import Any

import pytest

from interp import block_decoding as decoding
from interp import block_validation as validation
from interp.block import BlockResult, block_env
from interp.block_decoding import decode_body, parse_block
from interp.block_validation import (
    check_gas_limit, expected_base_fee, expected_excess_blob_gas, validate_body, validate_header, validate_result,
)  # fmt: skip
from interp.errors import (
    TX_BLOB_TOO_MANY, TX_GAS_LIMIT_CAP, TX_INVALID_SIGNATURE, TX_TYPE_NOT_SUPPORTED, InvalidBlock, InvalidTransaction,
)  # fmt: skip
from interp.forks import CANCUN, GAS_PER_BLOB, OSAKA, PARIS, SHANGHAI, rules
from interp.header import EMPTY_OMMERS_HASH, Block, Header, Withdrawal
from interp.transaction import (
    ACCESS_LIST,
    BLOB,
    DYNAMIC_FEE,
    LEGACY,
    SET_CODE,
    Authorization,
    Transaction,
    decode_transaction,
)
from interp.tx import validate
from primitives import rlp
from primitives.keccak import keccak256
from primitives.secp256k1 import private_key_to_address, sign
from primitives.trie import EMPTY_TRIE_ROOT

pytestmark = pytest.mark.pure

KEY = bytes.fromhex("45a915e4d060149eb4365960e6a7a45f334393093061116b197e3240065ff2d8")
SENDER = private_key_to_address(KEY)
CANCUN_RULES = rules(CANCUN)
GWEI = 10**9

HEADER_DEFAULTS: dict[str, Any] = {
    "parent_hash": bytes(32), "ommers_hash": EMPTY_OMMERS_HASH, "coinbase": 0xC0FFEE, "state_root": bytes(32),
    "transactions_root": EMPTY_TRIE_ROOT, "receipts_root": EMPTY_TRIE_ROOT, "logs_bloom": bytes(256),
    "difficulty": 0, "number": 1, "gas_limit": 30_000_000, "gas_used": 0, "timestamp": 12, "extra_data": b"",
    "mix_hash": bytes(32), "nonce": bytes(8), "base_fee": GWEI, "withdrawals_root": EMPTY_TRIE_ROOT,
    "blob_gas_used": 0, "excess_blob_gas": 0, "parent_beacon_block_root": bytes(32), "requests_hash": None,
}  # fmt: skip


def header(**changes: Any) -> Header:
    return Header(**{**HEADER_DEFAULTS, **changes})


PARENT = header(number=0, timestamp=0, gas_used=15_000_000)
CHILD = header(parent_hash=PARENT.hash())


def signed(tx_type: int, nonce: int = 0, blobs: int = 0) -> Transaction:
    """A transfer of 1 wei signed by KEY (type 0 with EIP-155, 2, or 3 with `blobs` hashes)."""
    hashes = tuple(b"\x01" + bytes(31) for _ in range(blobs))
    chain_id = 1
    unsigned = Transaction(tx_type, chain_id, nonce, 21000, 0xBEEF, 1, b"", 2 * GWEI, 2 * GWEI, GWEI, (),
                           GWEI, hashes, (), 0, 0, 0, 0)  # fmt: skip
    recovery_id, r, s = sign(unsigned.signing_hash(), KEY)
    v = recovery_id + 35 + 2 * chain_id if tx_type == LEGACY else recovery_id
    return Transaction(tx_type, chain_id, nonce, 21000, 0xBEEF, 1, b"", 2 * GWEI, 2 * GWEI, GWEI, (),
                       GWEI, hashes, (), v, r, s, 0)  # fmt: skip


def body_item(tx: Transaction) -> object:
    """How a block body holds a transaction: legacy as its RLP list, typed as a byte string."""
    return rlp.decode(tx.encode()) if tx.tx_type == LEGACY else tx.encode()


def block_rlp(head: Header, txs: list[object], ommers: list[object], withdrawals: list[object] | None) -> bytes:
    items: list[object] = [head.fields(), txs, ommers]
    if withdrawals is not None:
        items.append(withdrawals)
    return rlp.encode(items)


def withdrawal_item(index: object = 7, validator: object = 8, address: object = b"\x11" * 20, amount: object = 9) -> list[object]:
    return [index, validator, address, amount]


def decode(raw: bytes, fork: int = CANCUN) -> Block:
    return decode_body(parse_block(raw), rules(fork), 1)


def kind_of(raw: bytes, fork: int = CANCUN) -> str:
    with pytest.raises((InvalidBlock, InvalidTransaction)) as error:
        decode(raw, fork)
    assert isinstance(error.value, (InvalidBlock, InvalidTransaction))
    return error.value.kind


# --- decoding -------------------------------------------------------------------------------------
def test_a_block_decodes_to_its_own_hashes_and_senders() -> None:
    txs = [signed(LEGACY, 0), signed(DYNAMIC_FEE, 1), signed(BLOB, 2, blobs=2)]
    withdrawal = Withdrawal(7, 8, int.from_bytes(b"\x11" * 20, "big"), 9)
    raw = block_rlp(CHILD, [body_item(tx) for tx in txs], [], [withdrawal_item()])
    block = decode(raw)
    assert block.header.hash() == keccak256(rlp.encode(CHILD.fields())) == CHILD.hash()
    assert [tx.hash() for tx in block.transactions] == [tx.hash() for tx in txs]
    assert [tx.sender for tx in block.transactions] == [SENDER] * 3
    assert block.ommers == []
    assert block.withdrawals is not None and [w.encode() for w in block.withdrawals] == [withdrawal.encode()]


def _transaction(tx_type: int, chain_id: int | None, v: int, data: bytes = b"", long_list: bool = False) -> Transaction:
    """A transaction of every field, signature values as given (not a valid signature)."""
    access = ((0xAA, tuple(range(40 if long_list else 2))),)  # 40 slots: a list over 55 bytes
    authorizations = (Authorization(1, 0xBB, 3, 1, 5, 6),) if tx_type == SET_CODE else ()
    blobs = (b"\x01" + bytes(31),) if tx_type == BLOB else ()
    return Transaction(tx_type, chain_id, 7, 50_000, 0xBEEF, 10**18, data, 3 * GWEI, 4 * GWEI, GWEI, access,
                       GWEI, blobs, authorizations, v, 2**255 + 1, 0x7F, 0)  # fmt: skip


@pytest.mark.parametrize(
    "tx",
    [
        _transaction(LEGACY, None, 27),  # before EIP-155
        _transaction(LEGACY, 1, 38),
        _transaction(LEGACY, 2**40, 2**41 + 35, b"\x00" * 100),  # a chain id and v of several bytes
        _transaction(ACCESS_LIST, 5, 0, long_list=True),
        _transaction(DYNAMIC_FEE, 1, 1, b"\x01\x02"),
        _transaction(BLOB, 1, 0),
        _transaction(SET_CODE, 1, 1),
    ],
)
def test_a_decoded_transaction_signs_and_hashes_what_its_fields_encode(tx: Transaction) -> None:
    """The signing hash and hash come from the decoded bytes (no re-encoding), and agree."""
    decoded = decode_transaction(tx.encode(), rules(OSAKA))
    assert decoded.encoded == tx.encode() and tx.encoded == b""
    assert decoded.signing_hash() == tx.signing_hash()
    assert decoded.hash() == tx.hash()


def test_a_pre_london_header_has_only_the_original_fields() -> None:
    old = header(base_fee=None, withdrawals_root=None, blob_gas_used=None, excess_blob_gas=None,
                 parent_beacon_block_root=None)  # fmt: skip
    decoded = parse_block(block_rlp(old, [], [], None)).header
    assert decoded.base_fee is None and decoded.hash() == old.hash()


@pytest.mark.parametrize(
    ("raw", "kind"),
    [
        (b"\xc0\x80", decoding.RLP_STRUCTURES),  # bad RLP: a byte after the block
        (rlp.encode([CHILD.fields(), []]), decoding.RLP_STRUCTURES),  # no ommers list
        (rlp.encode([CHILD.fields()[:14], [], [], []]), decoding.RLP_STRUCTURES),  # 14 header fields
        (rlp.encode([CHILD.fields(), b"", [], []]), decoding.RLP_STRUCTURES),  # transactions not a list
        (block_rlp(CHILD, [], [], None), decoding.RLP_WITHDRAWALS_NOT_READ),
        (block_rlp(CHILD, [], [], [withdrawal_item(index=b"\x01" * 9)]), decoding.RLP_OVERFLOW_64),
        (block_rlp(CHILD, [], [], [withdrawal_item(amount=b"\x01" * 9)]), decoding.RLP_OVERFLOW_64),
        (block_rlp(CHILD, [], [], [withdrawal_item(address=b"\x11" * 19)]), decoding.RLP_INVALID_ADDRESS),
        (block_rlp(CHILD, [], [], [withdrawal_item()[:3]]), decoding.RLP_STRUCTURES),
        (block_rlp(CHILD, [], [], [withdrawal_item(index=b"\x00\x01")]), decoding.RLP_STRUCTURES),  # leading zero
        (block_rlp(CHILD, [], [b"\x01"], []), decoding.RLP_STRUCTURES),  # an ommer that is no header
        (block_rlp(CHILD, [signed(LEGACY).encode()], [], []), TX_TYPE_NOT_SUPPORTED),  # a list as a string
    ],
)
def test_malformed_blocks_are_rejected_with_their_kind(raw: bytes, kind: str) -> None:
    assert kind_of(raw) == kind


@pytest.mark.parametrize(
    ("field", "value", "kind"),
    [
        (8, b"\x01" * 9, decoding.RLP_OVERFLOW_64),  # number
        (9, b"\x00\x01", decoding.RLP_STRUCTURES),  # gas limit with a leading zero
        (2, b"\x11" * 21, decoding.RLP_INVALID_ADDRESS),  # coinbase
        (14, b"\x00" * 7, decoding.RLP_STRUCTURES),  # nonce
        (7, b"\x01" * 33, decoding.RLP_STRUCTURES),  # difficulty past 256 bits
    ],
)
def test_malformed_header_fields(field: int, value: bytes, kind: str) -> None:
    fields = CHILD.fields()
    fields[field] = value
    assert kind_of(rlp.encode([fields, [], [], []])) == kind


def test_withdrawals_exist_exactly_from_shanghai() -> None:
    paris_header = header(withdrawals_root=None, blob_gas_used=None, excess_blob_gas=None, parent_beacon_block_root=None)
    assert decode(block_rlp(paris_header, [], [], None), PARIS).withdrawals is None
    assert kind_of(block_rlp(paris_header, [], [], []), PARIS) == decoding.RLP_STRUCTURES
    assert decode(block_rlp(CHILD, [], [], []), SHANGHAI).withdrawals == []


def test_a_bad_signature_makes_the_block_invalid() -> None:
    tx = signed(DYNAMIC_FEE)
    forged = Transaction(DYNAMIC_FEE, 1, 0, 21000, 0xBEEF, 1, b"", 0, 2 * GWEI, GWEI, (), 0, (), (), 2, tx.r, tx.s, 0)
    assert kind_of(block_rlp(CHILD, [forged.encode()], [], [])) == TX_INVALID_SIGNATURE  # y parity 2


def test_osaka_limits_the_block_size() -> None:
    filler: list[object] = [b"\x02" * 1_000_000] * 7  # any bytes: the size comes before the transactions
    raw = block_rlp(header(requests_hash=bytes(32)), filler, [], [])
    assert 8388608 - 2097152 < len(raw) < 8388608
    assert kind_of(raw, OSAKA) == decoding.RLP_BLOCK_LIMIT_EXCEEDED


# --- header rules -----------------------------------------------------------------------------------
def test_gas_limit_moves_less_than_one_1024th() -> None:
    assert check_gas_limit(1_024_999, 1_024_000) and not check_gas_limit(1_025_000, 1_024_000)
    assert check_gas_limit(1_023_001, 1_024_000) and not check_gas_limit(1_023_000, 1_024_000)
    assert not check_gas_limit(4_999, 5_000) and check_gas_limit(5_000, 5_001)


@pytest.mark.parametrize(
    ("gas_used", "base_fee"),
    [(15_000_000, GWEI), (30_000_000, GWEI * 9 // 8), (0, GWEI * 7 // 8), (15_000_001, GWEI + 8)],
)
def test_base_fee_moves_toward_the_target(gas_used: int, base_fee: int) -> None:
    assert expected_base_fee(header(gas_used=gas_used)) == base_fee


def test_base_fee_rises_by_at_least_one_above_the_target() -> None:
    assert expected_base_fee(header(gas_used=15_000_001, base_fee=7)) == 8


def test_base_fee_needs_the_parents() -> None:
    with pytest.raises(InvalidBlock):
        expected_base_fee(header(base_fee=None))


@pytest.mark.parametrize(
    ("excess", "used", "expected"),
    [(0, 6, 3), (0, 3, 0), (0, 2, 0), (2, 2, 1), (None, None, 0)],  # in blobs; None: the fork block
)
def test_excess_blob_gas(excess: int | None, used: int | None, expected: int) -> None:
    parent = header(excess_blob_gas=None if excess is None else excess * GAS_PER_BLOB,
                    blob_gas_used=None if used is None else used * GAS_PER_BLOB)  # fmt: skip
    assert expected_excess_blob_gas(parent, CANCUN_RULES) == expected * GAS_PER_BLOB


def test_osaka_excess_blob_gas_grows_slower_while_blobs_are_cheap() -> None:
    """EIP-7918: with execution gas dear (base fee 1 gwei) and blobs at 1 wei, the excess grows
    by used * (max - target) / max instead of used - target."""
    parent = header(excess_blob_gas=0, blob_gas_used=7 * GAS_PER_BLOB)  # target 6, max 9
    assert expected_excess_blob_gas(parent, rules(OSAKA)) == 7 * GAS_PER_BLOB * 3 // 9
    free = header(base_fee=0, excess_blob_gas=0, blob_gas_used=7 * GAS_PER_BLOB)
    assert expected_excess_blob_gas(free, rules(OSAKA)) == GAS_PER_BLOB


def test_a_good_header_passes() -> None:
    validate_header(CHILD, PARENT, CANCUN_RULES)


@pytest.mark.parametrize(
    ("changes", "kind"),
    [
        ({"parent_hash": bytes(32)}, validation.UNKNOWN_PARENT),
        ({"gas_limit": 2**63, "gas_used": 0}, validation.GASLIMIT_TOO_BIG),
        ({"gas_used": 30_000_001}, validation.GAS_USED_OVERFLOW),
        ({"gas_limit": 30_000_000 + 30_000_000 // 1024}, validation.INVALID_GASLIMIT),
        ({"base_fee": GWEI + 1}, validation.INVALID_BASEFEE),
        ({"timestamp": 0}, validation.INVALID_TIMESTAMP),
        ({"number": 2}, validation.INVALID_NUMBER),
        ({"extra_data": b"\x00" * 33}, validation.EXTRA_DATA_TOO_BIG),
        ({"difficulty": 1}, validation.DIFFICULTY_OVER_PARIS),
        ({"nonce": b"\x00" * 7 + b"\x01"}, validation.INCORRECT_BLOCK_FORMAT),
        ({"ommers_hash": bytes(32)}, validation.UNCLES_OVER_PARIS),
        ({"excess_blob_gas": GAS_PER_BLOB}, validation.INCORRECT_EXCESS_BLOB_GAS),
        ({"blob_gas_used": 7 * GAS_PER_BLOB}, validation.BLOB_GAS_USED_ABOVE_LIMIT),
        ({"blob_gas_used": GAS_PER_BLOB + 1}, validation.INCORRECT_BLOB_GAS_USED),
        ({"parent_beacon_block_root": None}, validation.INCORRECT_BLOCK_FORMAT),
        ({"requests_hash": bytes(32)}, validation.INCORRECT_BLOCK_FORMAT),
    ],
)
def test_a_broken_header_is_rejected_with_its_kind(changes: dict[str, Any], kind: str) -> None:
    child = header(**{"parent_hash": PARENT.hash(), **changes})
    with pytest.raises(InvalidBlock) as error:
        validate_header(child, PARENT, CANCUN_RULES)
    assert error.value.kind == kind


def test_proof_of_work_headers_are_refused_not_judged() -> None:
    with pytest.raises(NotImplementedError):
        validate_header(CHILD, PARENT, rules(PARIS - 1))


# --- body and results -------------------------------------------------------------------------------
def test_body_rules() -> None:
    validate_body(Block(CHILD, [signed(BLOB, blobs=6)], [], []), CANCUN_RULES)
    with pytest.raises(InvalidBlock) as error:
        validate_body(Block(CHILD, [], [PARENT], []), CANCUN_RULES)
    assert error.value.kind == validation.UNCLES_OVER_PARIS
    with pytest.raises(InvalidBlock) as error:
        validate_body(Block(CHILD, [signed(BLOB, 0, blobs=4), signed(BLOB, 1, blobs=3)], [], []), CANCUN_RULES)
    assert error.value.kind == TX_BLOB_TOO_MANY


def result(gas_used: int = 0, blob_gas_used: int = 0, receipts_root: bytes = EMPTY_TRIE_ROOT) -> BlockResult:
    return BlockResult([], [], gas_used, blob_gas_used, bytes(256), receipts_root, None)


@pytest.mark.parametrize(
    ("outcome", "block", "kind"),
    [
        (result(gas_used=21000), Block(CHILD, [], [], []), validation.INVALID_GAS_USED),
        (result(), Block(CHILD, [signed(LEGACY)], [], []), validation.INVALID_TRANSACTIONS_ROOT),
        (result(receipts_root=bytes(32)), Block(CHILD, [], [], []), validation.INVALID_RECEIPTS_ROOT),
        (result(), Block(CHILD, [], [], [Withdrawal(0, 0, 1, 1)]), validation.INVALID_WITHDRAWALS_ROOT),
        (result(blob_gas_used=GAS_PER_BLOB), Block(CHILD, [], [], []), validation.INCORRECT_BLOB_GAS_USED),
    ],
)
def test_results_must_match_the_header(outcome: BlockResult, block: Block, kind: str) -> None:
    validate_result(Block(CHILD, [], [], []), result(), CHILD.state_root, CANCUN_RULES)
    with pytest.raises(InvalidBlock) as error:
        validate_result(block, outcome, CHILD.state_root, CANCUN_RULES)
    assert error.value.kind == kind


def test_the_state_root_and_bloom_must_match() -> None:
    with pytest.raises(InvalidBlock) as error:
        validate_result(Block(CHILD, [], [], []), result(), b"\x01" * 32, CANCUN_RULES)
    assert error.value.kind == validation.INVALID_STATE_ROOT
    bloomed = BlockResult([], [], 0, 0, b"\x01" * 256, EMPTY_TRIE_ROOT, None)
    with pytest.raises(InvalidBlock) as error:
        validate_result(Block(CHILD, [], [], []), bloomed, CHILD.state_root, CANCUN_RULES)
    assert error.value.kind == validation.INVALID_LOG_BLOOM


def test_an_osaka_gas_limit_past_2_63_is_invalid_not_a_crash() -> None:
    """EIP-7825's cap is an i64; compiled, comparing it with a 2**70 gas limit once overflowed."""
    tx = Transaction(DYNAMIC_FEE, 1, 0, 2**70, 0xBEEF, 0, b"", 0, 2 * GWEI, GWEI, (), 0, (), (), 0, 1, 1, SENDER)
    with pytest.raises(InvalidTransaction) as error:
        validate(tx, block_env(header(requests_hash=bytes(32)), rules(OSAKA), 1), rules(OSAKA), 30_000_000)
    assert error.value.kind == TX_GAS_LIMIT_CAP
