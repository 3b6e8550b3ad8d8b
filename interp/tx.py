"""Processing one transaction in named phases: validate, pre_execution, execute,
post_execution (revm's handler phases, EELS's `process_transaction`).

The caller owns the `Journal` (over whatever `StateView` it runs against), so the read set is
available even when the transaction turns out invalid: the parallel executor needs it to know
whether that verdict rested on stale reads.
"""

from __future__ import annotations

from typing import Final, final

from mypy_extensions import i64

from interp import call
from interp.analysis import EMPTY_CODE, analyse
from interp.delegation import PER_AUTH_BASE_COST, PER_EMPTY_ACCOUNT_COST, delegation_target, designator
from interp.env import BlockEnv, TxEnv
from interp.errors import (
    TX_BLOB_CREATE,
    TX_BLOB_EMPTY,
    TX_BLOB_FEE_TOO_LOW,
    TX_BLOB_PRE_FORK,
    TX_BLOB_TOO_MANY,
    TX_BLOB_TOO_MANY_PER_TX,
    TX_BLOB_VERSIONED_HASH,
    TX_CALLDATA_FLOOR,
    TX_GAS_ABOVE_BLOCK_LIMIT,
    TX_GAS_LIMIT_CAP,
    TX_INITCODE_TOO_LARGE,
    TX_INSUFFICIENT_FUNDS,
    TX_INSUFFICIENT_MAX_FEE,
    TX_INTRINSIC_GAS,
    TX_NONCE_OVERFLOW,
    TX_NONCE_TOO_HIGH,
    TX_NONCE_TOO_LOW,
    TX_PRIORITY_ABOVE_MAX_FEE,
    TX_SENDER_NOT_EOA,
    TX_SETCODE_CREATE,
    TX_SETCODE_EMPTY,
    TX_SETCODE_PRE_FORK,
    TX_TYPE_NOT_SUPPORTED,
    InvalidTransaction,
)
from interp.forks import GAS_PER_BLOB, ForkRules
from interp.frame import Frame, Message, TxContext
from interp.gas import (
    ACCESS_LIST_ADDRESS,
    ACCESS_LIST_SLOT,
    INITCODE_WORD,
    TX_BASE,
    TX_CREATE_EXTRA,
    TX_DATA_ZERO,
    fake_exponential,
    words,
)
from interp.journal import Journal, Log, TxAccount
from interp.trace import Tracer
from interp.transaction import ACCESS_LIST, BLOB, DYNAMIC_FEE, SET_CODE, Transaction
from opcodes.forks import table
from opcodes.system import create_address
from precompiles.registry import precompiles_for

BLOB_VERSION_KZG: Final = 0x01
MAX_NONCE: Final = (1 << 64) - 1
MAX_GAS_LIMIT: Final = (1 << 63) - 1  # EIP-1985: gas values fit a signed 64-bit word
FLOOR_TOKEN_COST: Final[i64] = 10  # EIP-7623
NONZERO_TOKENS: Final[i64] = 4


@final
class TxResult:
    """What one transaction did: receipt data plus its read and write sets."""

    success: Final[bool]
    gas_used: Final[i64]  # as the receipt records it: after refunds and the EIP-7623 floor
    logs: Final[list[Log]]
    output: Final[bytes]
    contract_address: Final[int | None]
    blob_gas_used: Final[i64]
    reads: Final[dict[int, object]]
    writes: Final[dict[int, object]]

    def __init__(
        self,
        success: bool,
        gas_used: i64,
        logs: list[Log],
        output: bytes,
        contract_address: int | None,
        blob_gas_used: i64,
        reads: dict[int, object],
        writes: dict[int, object],
    ) -> None:
        self.success = success
        self.gas_used = gas_used
        self.logs = logs
        self.output = output
        self.contract_address = contract_address
        self.blob_gas_used = blob_gas_used
        self.reads = reads
        self.writes = writes


def blob_base_fee(excess_blob_gas: int, rules: ForkRules) -> int:
    """EIP-4844 blob base fee for a block's excess blob gas (0 before Cancun)."""
    blobs = rules.blobs
    if blobs is None:
        return 0
    return fake_exponential(1, excess_blob_gas, blobs.base_fee_update_fraction)


def calldata_tokens(data: bytes) -> i64:
    """EIP-7623 tokens: zero bytes count 1, others 4."""
    zeros: i64 = data.count(0)
    return zeros + (len(data) - zeros) * NONZERO_TOKENS


def intrinsic_gas(tx: Transaction, rules: ForkRules) -> i64:
    """Gas charged before any code runs: base, data, create, access list, authorizations."""
    data = tx.data
    zeros: i64 = data.count(0)
    gas: i64 = TX_BASE + zeros * TX_DATA_ZERO + (len(data) - zeros) * rules.calldata_nonzero_gas
    if tx.to is None:
        if rules.create_tx_gas > TX_BASE:
            gas += TX_CREATE_EXTRA
        if rules.eip3860_max_initcode_size >= 0:
            gas += INITCODE_WORD * words(len(data))
    for _, slots in tx.access_list:
        gas += ACCESS_LIST_ADDRESS + ACCESS_LIST_SLOT * len(slots)
    gas += PER_EMPTY_ACCOUNT_COST * len(tx.authorizations)
    return gas


def floor_gas(tx: Transaction) -> i64:
    """EIP-7623: the least a transaction pays, from its calldata."""
    return TX_BASE + FLOOR_TOKEN_COST * calldata_tokens(tx.data)


def effective_gas_price(tx: Transaction, block: BlockEnv, rules: ForkRules) -> int:
    if not rules.eip1559_base_fee:
        return tx.gas_price
    return min(tx.max_fee_per_gas, block.base_fee + tx.max_priority_fee_per_gas)


def validate(tx: Transaction, block: BlockEnv, rules: ForkRules, gas_available: int) -> i64:
    """Checks that need no state. Returns the intrinsic gas."""
    if tx.tx_type == ACCESS_LIST and not rules.eip2929_access_lists:
        raise InvalidTransaction(TX_TYPE_NOT_SUPPORTED, "access-list transactions need Berlin")
    if tx.tx_type == DYNAMIC_FEE and not rules.eip1559_base_fee:
        raise InvalidTransaction(TX_TYPE_NOT_SUPPORTED, "dynamic-fee transactions need London")
    if tx.tx_type == BLOB and not rules.eip4844_blobs:
        raise InvalidTransaction(TX_BLOB_PRE_FORK, "blob transactions need Cancun")
    if tx.tx_type == SET_CODE and not rules.eip7702_set_code:
        raise InvalidTransaction(TX_SETCODE_PRE_FORK, "set-code transactions need Prague")
    if 0 <= int(rules.eip7825_tx_gas_cap) < tx.gas_limit:  # int: a gas limit may pass 2**63
        raise InvalidTransaction(TX_GAS_LIMIT_CAP, f"gas limit {tx.gas_limit} above the cap")
    if tx.gas_limit > min(gas_available, MAX_GAS_LIMIT):
        raise InvalidTransaction(TX_GAS_ABOVE_BLOCK_LIMIT, f"gas limit {tx.gas_limit} above the block's {gas_available}")
    intrinsic = intrinsic_gas(tx, rules)
    if tx.gas_limit < intrinsic:
        raise InvalidTransaction(TX_INTRINSIC_GAS, f"gas limit {tx.gas_limit} below intrinsic gas {intrinsic}")
    if rules.eip7623_calldata_floor and tx.gas_limit < floor_gas(tx):
        raise InvalidTransaction(TX_CALLDATA_FLOOR, f"gas limit {tx.gas_limit} below the calldata floor")
    if tx.nonce >= MAX_NONCE:
        raise InvalidTransaction(TX_NONCE_OVERFLOW, "nonce at its maximum (EIP-2681)")
    if tx.to is None and 0 <= rules.eip3860_max_initcode_size < len(tx.data):
        raise InvalidTransaction(TX_INITCODE_TOO_LARGE, f"init code of {len(tx.data)} bytes")
    if rules.eip1559_base_fee:
        if tx.max_fee_per_gas < block.base_fee:
            raise InvalidTransaction(TX_INSUFFICIENT_MAX_FEE, "max fee per gas below the base fee")
        if tx.max_priority_fee_per_gas > tx.max_fee_per_gas:
            raise InvalidTransaction(TX_PRIORITY_ABOVE_MAX_FEE, "priority fee above max fee")
    if tx.tx_type == BLOB:
        _validate_blobs(tx, block, rules)
    if tx.tx_type == SET_CODE:
        if tx.to is None:
            raise InvalidTransaction(TX_SETCODE_CREATE, "set-code transactions cannot create")
        if len(tx.authorizations) == 0:
            raise InvalidTransaction(TX_SETCODE_EMPTY, "empty authorization list")
    return intrinsic


def _validate_blobs(tx: Transaction, block: BlockEnv, rules: ForkRules) -> None:
    blobs = rules.blobs
    assert blobs is not None
    if tx.to is None:
        raise InvalidTransaction(TX_BLOB_CREATE, "blob transactions cannot create")
    count = len(tx.blob_hashes)
    if count == 0:
        raise InvalidTransaction(TX_BLOB_EMPTY, "blob transaction without blobs")
    if count > blobs.max:
        # EELS names this the block's blob gas allowance once a per-transaction limit exists
        # (EIP-7594); before, a transaction's blob count was the only limit.
        kind = TX_BLOB_TOO_MANY if rules.eip7594_max_blobs_per_tx >= 0 else TX_BLOB_TOO_MANY_PER_TX
        raise InvalidTransaction(kind, f"{count} blobs above the block maximum")
    if 0 <= rules.eip7594_max_blobs_per_tx < count:
        raise InvalidTransaction(TX_BLOB_TOO_MANY_PER_TX, f"{count} blobs in one transaction")
    for blob_hash in tx.blob_hashes:
        if blob_hash[0] != BLOB_VERSION_KZG:
            raise InvalidTransaction(TX_BLOB_VERSIONED_HASH, "blob hash with an unknown version")
    if tx.max_fee_per_blob_gas < block.blob_base_fee:
        raise InvalidTransaction(TX_BLOB_FEE_TOO_LOW, "max fee per blob gas below the blob base fee")


def pre_execution(ctx: TxContext, tx: Transaction) -> TxAccount:
    """Checks against the sender's state, then buy gas, bump the nonce and warm accounts."""
    journal = ctx.journal
    rules = ctx.rules
    block = ctx.block
    sender = journal.account(tx.sender)
    code = journal.code(sender)
    if code.size != 0 and not (rules.eip7702_set_code and delegation_target(code) >= 0):
        raise InvalidTransaction(TX_SENDER_NOT_EOA, "sender has code (EIP-3607)")
    nonce = journal.nonce(sender)
    if tx.nonce > nonce:
        raise InvalidTransaction(TX_NONCE_TOO_HIGH, f"nonce {tx.nonce} above the account's {nonce}")
    if tx.nonce < nonce:
        raise InvalidTransaction(TX_NONCE_TOO_LOW, f"nonce {tx.nonce} below the account's {nonce}")
    blob_gas = GAS_PER_BLOB * len(tx.blob_hashes)
    max_cost = tx.gas_limit * tx.max_fee_per_gas + tx.value + blob_gas * tx.max_fee_per_blob_gas
    balance = journal.balance(sender)
    if balance < max_cost:
        raise InvalidTransaction(TX_INSUFFICIENT_FUNDS, f"balance {balance} below the cost {max_cost}")
    price = ctx.tx.gas_price
    journal.set_balance(sender, balance - tx.gas_limit * price - blob_gas * block.blob_base_fee)
    journal.set_nonce(sender, nonce + 1)
    if rules.eip2929_access_lists:
        journal.warm_account(sender)
        target = tx.to if tx.to is not None else create_address(tx.sender, tx.nonce)
        journal.warm_account(journal.account(target))
        if rules.eip3651_warm_coinbase:
            journal.warm_account(journal.account(block.coinbase))
        for address, slots in tx.access_list:
            account = journal.account(address)
            journal.warm_account(account)
            for slot in slots:
                journal.warm_slot(account, slot)
    return sender


def set_delegations(ctx: TxContext, tx: Transaction) -> None:
    """EIP-7702: apply each valid authorization (set the authority's code to a delegation
    designator, bump its nonce); invalid ones are skipped. Outside any call frame, so a failing
    call does not undo them; refunds for existing authorities count even then."""
    journal = ctx.journal
    for auth in tx.authorizations:
        if auth.chain_id != 0 and auth.chain_id != ctx.block.chain_id:
            continue
        authority = auth.authority
        if authority is None:
            continue
        account = journal.account(authority)
        journal.warm_account(account)
        code = journal.code(account)
        if code.size != 0 and delegation_target(code) < 0:
            continue
        if journal.nonce(account) != auth.nonce:
            continue
        if journal.exists(account):
            journal.refund += PER_EMPTY_ACCOUNT_COST - PER_AUTH_BASE_COST
        journal.set_code(account, EMPTY_CODE if auth.address == 0 else analyse(designator(auth.address)))
        journal.set_nonce(account, auth.nonce + 1)
        journal.mark_exists(account)


def execute(ctx: TxContext, tx: Transaction, intrinsic: i64) -> tuple[Frame, int | None]:
    """Run the transaction's message; returns the top frame and the created address."""
    journal = ctx.journal
    rules = ctx.rules
    gas: i64 = tx.gas_limit - intrinsic
    if tx.to is None:
        target = create_address(tx.sender, tx.nonce)
        created = journal.account(target)
        msg = Message(tx.sender, target, target, tx.value, b"", gas, 0, False, True, analyse(tx.data), False)
        if journal.nonce(created) != 0 or journal.code(created).size != 0 or journal.has_storage(created):
            frame = Frame(ctx, msg, created)  # EIP-684/7610 collision: all gas is consumed
            frame.gas = 0
            frame.halted = True
            return frame, None
        frame = call.process_create(ctx, msg)
        return frame, target
    if tx.authorizations:
        set_delegations(ctx, tx)
    target_account = journal.account(tx.to)
    code = journal.code(target_account)
    runs = tx.to
    delegate = delegation_target(code) if rules.eip7702_set_code else -1
    if delegate >= 0:  # EIP-7702: run the delegate's code; the delegate is warm, at no charge
        journal.warm_account(journal.account(delegate))
        code = journal.code(journal.account(delegate))
        runs = delegate
    msg = Message(tx.sender, tx.to, runs, tx.value, tx.data, gas, 0, False, True, code, delegate >= 0)
    frame = call.process_message(ctx, msg)
    if rules.eip161_state_clearing:
        journal.touch(target_account)
    return frame, None


def post_execution(ctx: TxContext, tx: Transaction, frame: Frame) -> i64:
    """Refund unused gas, pay the beneficiary, delete destroyed and touched-empty accounts.

    Returns the gas the receipt records.
    """
    journal = ctx.journal
    rules = ctx.rules
    block = ctx.block
    gas_used: i64 = tx.gas_limit - frame.gas
    refund: i64 = min(gas_used // rules.max_refund_quotient, journal.refund)
    gas_used -= refund
    if rules.eip7623_calldata_floor:
        gas_used = max(gas_used, floor_gas(tx))
    price = ctx.tx.gas_price
    sender = journal.account(tx.sender)
    journal.credit(sender, (tx.gas_limit - int(gas_used)) * price)
    tip = price - block.base_fee if rules.eip1559_base_fee else price
    coinbase = journal.account(block.coinbase)
    fee = int(gas_used) * tip
    if rules.eip161_state_clearing:
        journal.credit(coinbase, fee)
        if fee == 0:
            journal.touch(coinbase)
    else:
        journal.mark_exists(coinbase)
        journal.credit(coinbase, fee)
    for account in list(journal.accounts.values()):
        if account.destroyed:
            journal.delete_account(account)
        elif account.touched and rules.eip161_state_clearing and journal.is_empty(account):
            journal.delete_account(account)
    return gas_used


def execute_transaction(
    journal: Journal, block: BlockEnv, tx: Transaction, rules: ForkRules, gas_available: int, tracer: Tracer | None = None
) -> TxResult:
    """Validate and run one transaction against the journal's view (traced when given a tracer).

    Raises `InvalidTransaction` (the journal then holds the reads that led to the verdict).
    """
    intrinsic = validate(tx, block, rules, gas_available)
    price = effective_gas_price(tx, block, rules)
    env = TxEnv(tx.sender, price, tx.blob_hashes, tx.gas_limit)
    ctx = TxContext(rules, table(rules.fork), precompiles_for(rules.fork), block, env, journal, tracer)
    pre_execution(ctx, tx)
    frame, created = execute(ctx, tx, intrinsic)
    journal.seal()
    if tracer is not None:
        tracer.transaction_end(frame.msg.gas - frame.gas, frame.output)
    gas_used = post_execution(ctx, tx, frame)
    success = not (frame.halted or frame.reverted)
    return TxResult(
        success,
        gas_used,
        journal.logs,
        frame.output,
        created if success else None,
        GAS_PER_BLOB * len(tx.blob_hashes),
        journal.reads,
        journal.write_set(),
    )

