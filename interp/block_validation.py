"""Whether a block may extend its parent: header rules, body roots and the execution results.

Three checks in the order a client runs them (EELS `validate_header`, `state_transition`):
`validate_header` compares the header with its parent's, `validate_body` checks what the body
may hold before anything executes, `validate_result` compares what execution produced and the
body's roots with what the header claims. Each raises `InvalidBlock` with the execution-spec-tests kind.

The rules are proof of stake's (Paris and later). Proof-of-work headers (difficulty formula,
ommer validity, the London fork block's base fee) are not implemented: `validate_header`
refuses pre-Paris rules rather than judge them wrongly.
"""

from __future__ import annotations

from typing import Final

from interp.block import BlockResult
from interp.errors import TX_BLOB_TOO_MANY, InvalidBlock
from interp.forks import GAS_PER_BLOB, ForkRules
from interp.header import EMPTY_OMMERS_HASH, Block, Header
from interp.tx import blob_base_fee
from primitives.trie import ordered_trie_root

UNKNOWN_PARENT: Final = "BlockException.UNKNOWN_PARENT"
UNKNOWN_PARENT_ZERO: Final = "BlockException.UNKNOWN_PARENT_ZERO"
INCORRECT_BLOCK_FORMAT: Final = "BlockException.INCORRECT_BLOCK_FORMAT"
GASLIMIT_TOO_BIG: Final = "BlockException.GASLIMIT_TOO_BIG"
GAS_USED_OVERFLOW: Final = "BlockException.GAS_USED_OVERFLOW"
INVALID_GASLIMIT: Final = "BlockException.INVALID_GASLIMIT"
INVALID_BASEFEE: Final = "BlockException.INVALID_BASEFEE_PER_GAS"
INVALID_TIMESTAMP: Final = "BlockException.INVALID_BLOCK_TIMESTAMP_OLDER_THAN_PARENT"
INVALID_NUMBER: Final = "BlockException.INVALID_BLOCK_NUMBER"
EXTRA_DATA_TOO_BIG: Final = "BlockException.EXTRA_DATA_TOO_BIG"
DIFFICULTY_OVER_PARIS: Final = "BlockException.IMPORT_IMPOSSIBLE_DIFFICULTY_OVER_PARIS"
UNCLES_OVER_PARIS: Final = "BlockException.IMPORT_IMPOSSIBLE_UNCLES_OVER_PARIS"
INCORRECT_EXCESS_BLOB_GAS: Final = "BlockException.INCORRECT_EXCESS_BLOB_GAS"
INCORRECT_BLOB_GAS_USED: Final = "BlockException.INCORRECT_BLOB_GAS_USED"
BLOB_GAS_USED_ABOVE_LIMIT: Final = "BlockException.BLOB_GAS_USED_ABOVE_LIMIT"
INVALID_TRANSACTIONS_ROOT: Final = "BlockException.INVALID_TRANSACTIONS_ROOT"
INVALID_WITHDRAWALS_ROOT: Final = "BlockException.INVALID_WITHDRAWALS_ROOT"
INVALID_GAS_USED: Final = "BlockException.INVALID_GAS_USED"
INVALID_RECEIPTS_ROOT: Final = "BlockException.INVALID_RECEIPTS_ROOT"
INVALID_LOG_BLOOM: Final = "BlockException.INVALID_LOG_BLOOM"
INVALID_STATE_ROOT: Final = "BlockException.INVALID_STATE_ROOT"
INVALID_REQUESTS: Final = "BlockException.INVALID_REQUESTS"

MAX_GAS_LIMIT: Final = (1 << 63) - 1  # EIP-1985
GAS_LIMIT_ADJUSTMENT_FACTOR: Final = 1024  # a child's gas limit moves less than parent's / 1024
GAS_LIMIT_MINIMUM: Final = 5000
ELASTICITY_MULTIPLIER: Final = 2  # EIP-1559: the gas target is half the limit
BASE_FEE_MAX_CHANGE_DENOMINATOR: Final = 8  # EIP-1559: at most 12.5% per block
MAX_EXTRA_DATA: Final = 32
BLOB_BASE_COST: Final = 1 << 13  # EIP-7918
POW_NONCE: Final = bytes(8)  # EIP-3675: zero after the Merge


def check_gas_limit(gas_limit: int, parent_gas_limit: int) -> bool:
    """The gas limit moves by less than 1/1024 of the parent's and stays above the minimum."""
    delta = parent_gas_limit // GAS_LIMIT_ADJUSTMENT_FACTOR
    return parent_gas_limit - delta < gas_limit < parent_gas_limit + delta and gas_limit >= GAS_LIMIT_MINIMUM


def expected_base_fee(parent: Header) -> int:
    """EIP-1559: the parent's base fee moved toward the gas target by at most 1/8."""
    parent_base_fee = parent.base_fee
    if parent_base_fee is None:
        raise InvalidBlock(INCORRECT_BLOCK_FORMAT, "the parent has no base fee")
    target = parent.gas_limit // ELASTICITY_MULTIPLIER
    if parent.gas_used == target:
        return parent_base_fee
    if parent.gas_used > target:
        delta = parent_base_fee * (parent.gas_used - target) // target // BASE_FEE_MAX_CHANGE_DENOMINATOR
        return parent_base_fee + max(delta, 1)
    delta = parent_base_fee * (target - parent.gas_used) // target // BASE_FEE_MAX_CHANGE_DENOMINATOR
    return parent_base_fee - delta


def expected_excess_blob_gas(parent: Header, rules: ForkRules) -> int:
    """EIP-4844 excess blob gas after the parent (whose blob fields are zero at the fork block);
    from Osaka, EIP-7918 lets it grow more slowly while blobs are cheaper than execution."""
    blobs = rules.blobs
    if blobs is None:
        return 0
    excess = parent.excess_blob_gas if parent.excess_blob_gas is not None else 0
    used = parent.blob_gas_used if parent.blob_gas_used is not None else 0
    target = blobs.target * GAS_PER_BLOB
    if excess + used < target:
        return 0
    if rules.eip7918_blob_base_fee_floor:
        base_fee = parent.base_fee if parent.base_fee is not None else 0
        if BLOB_BASE_COST * base_fee > GAS_PER_BLOB * blob_base_fee(excess, rules):
            return excess + used * (blobs.max - blobs.target) // blobs.max
    return excess + used - target


def _check_fork_fields(header: Header, rules: ForkRules) -> None:
    """Each fork's header field is present exactly from its fork on."""
    present = (
        ("baseFeePerGas", header.base_fee is not None, rules.eip1559_base_fee),
        ("withdrawalsRoot", header.withdrawals_root is not None, rules.eip4895_withdrawals),
        ("blobGasUsed", header.blob_gas_used is not None, rules.eip4844_blobs),
        ("excessBlobGas", header.excess_blob_gas is not None, rules.eip4844_blobs),
        ("parentBeaconBlockRoot", header.parent_beacon_block_root is not None, rules.eip4788_beacon_root),
        ("requestsHash", header.requests_hash is not None, rules.eip7685_requests),
    )
    for name, has, needs in present:
        if has != needs:
            raise InvalidBlock(INCORRECT_BLOCK_FORMAT, f"{name} {'present' if has else 'missing'} under {rules.name}")


def validate_header(header: Header, parent: Header, rules: ForkRules) -> None:
    """The header's own rules and those relating it to its parent (EELS `validate_header`)."""
    if not rules.proof_of_stake:
        raise NotImplementedError(f"{rules.name} headers need proof-of-work rules, which pevm does not implement")
    _check_fork_fields(header, rules)
    if header.parent_hash != parent.hash():
        raise InvalidBlock(UNKNOWN_PARENT, "parent hash is not the parent's")
    if header.gas_limit > MAX_GAS_LIMIT:
        raise InvalidBlock(GASLIMIT_TOO_BIG, f"gas limit {header.gas_limit} above 2**63 - 1")
    if header.gas_used > header.gas_limit:
        raise InvalidBlock(GAS_USED_OVERFLOW, f"gas used {header.gas_used} above the limit {header.gas_limit}")
    if not check_gas_limit(header.gas_limit, parent.gas_limit):
        raise InvalidBlock(INVALID_GASLIMIT, f"gas limit {header.gas_limit} too far from the parent's {parent.gas_limit}")
    base_fee = expected_base_fee(parent)
    if header.base_fee != base_fee:
        raise InvalidBlock(INVALID_BASEFEE, f"base fee {header.base_fee}, expected {base_fee}")
    if header.timestamp <= parent.timestamp:
        raise InvalidBlock(INVALID_TIMESTAMP, f"timestamp {header.timestamp} not after the parent's {parent.timestamp}")
    if header.number != parent.number + 1:
        raise InvalidBlock(INVALID_NUMBER, f"number {header.number} after parent {parent.number}")
    if len(header.extra_data) > MAX_EXTRA_DATA:
        raise InvalidBlock(EXTRA_DATA_TOO_BIG, f"extra data of {len(header.extra_data)} bytes")
    if header.difficulty != 0:
        raise InvalidBlock(DIFFICULTY_OVER_PARIS, f"difficulty {header.difficulty} after the Merge")
    if header.nonce != POW_NONCE:
        raise InvalidBlock(INCORRECT_BLOCK_FORMAT, f"nonce 0x{header.nonce.hex()} after the Merge")
    if header.ommers_hash != EMPTY_OMMERS_HASH:
        raise InvalidBlock(UNCLES_OVER_PARIS, "ommers hash of a non-empty list after the Merge")
    if rules.eip4844_blobs:
        _validate_blob_fields(header, parent, rules)


def _validate_blob_fields(header: Header, parent: Header, rules: ForkRules) -> None:
    blobs = rules.blobs
    assert blobs is not None
    excess = expected_excess_blob_gas(parent, rules)
    if header.excess_blob_gas != excess:
        raise InvalidBlock(INCORRECT_EXCESS_BLOB_GAS, f"excess blob gas {header.excess_blob_gas}, expected {excess}")
    used = header.blob_gas_used
    assert used is not None  # _check_fork_fields
    if used > blobs.max * GAS_PER_BLOB:
        raise InvalidBlock(BLOB_GAS_USED_ABOVE_LIMIT, f"blob gas used {used} above {blobs.max} blobs")
    if used % GAS_PER_BLOB != 0:
        raise InvalidBlock(INCORRECT_BLOB_GAS_USED, f"blob gas used {used} is not whole blobs")


def validate_body(block: Block, rules: ForkRules) -> None:
    """What can be checked before executing the body: no ommers, not too many blobs."""
    if block.ommers is None or len(block.ommers) > 0:
        raise InvalidBlock(UNCLES_OVER_PARIS, "ommers after the Merge")
    blobs = rules.blobs
    if blobs is not None:
        count = 0
        for tx in block.transactions:
            count += len(tx.blob_hashes)
        if count > blobs.max:
            raise InvalidBlock(TX_BLOB_TOO_MANY, f"{count} blobs above the block's {blobs.max}")


def validate_result(block: Block, result: BlockResult, state_root: bytes, rules: ForkRules) -> None:
    """What execution produced, and the body's roots, equal what the header claims; in EELS's
    order (`state_transition`), so a body that does not match its header but also holds an
    invalid transaction is rejected for the transaction, as the fixtures expect."""
    header = block.header
    gas_used = int(result.gas_used)
    if gas_used != header.gas_used:
        raise InvalidBlock(INVALID_GAS_USED, f"gas used {gas_used}, header says {header.gas_used}")
    root = ordered_trie_root([tx.encode() for tx in block.transactions])
    if root != header.transactions_root:
        raise InvalidBlock(INVALID_TRANSACTIONS_ROOT, f"transactions root 0x{root.hex()}")
    if state_root != header.state_root:
        raise InvalidBlock(INVALID_STATE_ROOT, f"state root 0x{state_root.hex()}")
    receipts_root = result.receipts_root
    if receipts_root != header.receipts_root:
        shown = "none" if receipts_root is None else "0x" + receipts_root.hex()
        raise InvalidBlock(INVALID_RECEIPTS_ROOT, f"receipts root {shown}")
    if result.logs_bloom != header.logs_bloom:
        raise InvalidBlock(INVALID_LOG_BLOOM, "logs bloom differs")
    if block.withdrawals is not None:
        root = ordered_trie_root([withdrawal.encode() for withdrawal in block.withdrawals])
        if root != header.withdrawals_root:
            raise InvalidBlock(INVALID_WITHDRAWALS_ROOT, f"withdrawals root 0x{root.hex()}")
    blob_gas_used = int(result.blob_gas_used)
    if rules.eip4844_blobs and blob_gas_used != header.blob_gas_used:
        raise InvalidBlock(INCORRECT_BLOB_GAS_USED, f"blob gas used {blob_gas_used}, header says {header.blob_gas_used}")
    if rules.eip7685_requests and result.requests_hash != header.requests_hash:
        raise InvalidBlock(INVALID_REQUESTS, "requests hash differs")
