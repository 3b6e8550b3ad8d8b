"""Why execution stops early: exceptional halts, reverts, invalid transactions and blocks.

An `ExceptionalHalt` ends the current call frame, reverts its state changes and consumes all of
its gas (Yellow Paper's Z function). `InvalidTransaction` and `InvalidBlock` reject input before
any state changes; their `kind` is the execution-spec-tests exception name so fixture runners
can compare it with `expectException`.
"""

from __future__ import annotations

from typing import Final


class ExceptionalHalt(Exception):
    """The frame halts, its changes revert and its remaining gas is consumed."""


class OutOfGas(ExceptionalHalt):
    pass


class StackUnderflow(ExceptionalHalt):
    pass


class StackOverflow(ExceptionalHalt):
    pass


class InvalidOpcode(ExceptionalHalt):
    pass


class InvalidJump(ExceptionalHalt):
    pass


class WriteInStaticContext(ExceptionalHalt):
    pass


class ReturnDataOutOfBounds(ExceptionalHalt):
    pass


class InvalidContractPrefix(ExceptionalHalt):
    """EIP-3541: new code may not start with 0xEF."""


class CodeSizeExceeded(ExceptionalHalt):
    """EIP-170: deployed code longer than the limit."""


class AddressCollision(ExceptionalHalt):
    """EIP-684/7610: CREATE onto an account with nonce, code or storage."""


# Transaction exception kinds, named as execution-spec-tests names them.
TX_TYPE_NOT_SUPPORTED: Final = "TransactionException.TYPE_NOT_SUPPORTED"
TX_NONCE_TOO_HIGH: Final = "TransactionException.NONCE_MISMATCH_TOO_HIGH"
TX_NONCE_TOO_LOW: Final = "TransactionException.NONCE_MISMATCH_TOO_LOW"
TX_NONCE_OVERFLOW: Final = "TransactionException.NONCE_IS_MAX"
TX_INSUFFICIENT_FUNDS: Final = "TransactionException.INSUFFICIENT_ACCOUNT_FUNDS"
TX_INSUFFICIENT_MAX_FEE: Final = "TransactionException.INSUFFICIENT_MAX_FEE_PER_GAS"
TX_PRIORITY_ABOVE_MAX_FEE: Final = "TransactionException.PRIORITY_GREATER_THAN_MAX_FEE_PER_GAS"
TX_INTRINSIC_GAS: Final = "TransactionException.INTRINSIC_GAS_TOO_LOW"
TX_GAS_ABOVE_BLOCK_LIMIT: Final = "TransactionException.GAS_ALLOWANCE_EXCEEDED"
TX_GAS_LIMIT_CAP: Final = "TransactionException.GAS_LIMIT_EXCEEDS_MAXIMUM"
TX_SENDER_NOT_EOA: Final = "TransactionException.SENDER_NOT_EOA"
TX_INITCODE_TOO_LARGE: Final = "TransactionException.INITCODE_SIZE_EXCEEDED"
TX_INVALID_SIGNATURE: Final = "TransactionException.INVALID_SIGNATURE_VPARAM"
TX_INVALID_CHAIN_ID: Final = "TransactionException.INVALID_CHAINID"
TX_VALUE_OVERFLOW: Final = "TransactionException.VALUE_OVERFLOW"
TX_BLOB_CREATE: Final = "TransactionException.TYPE_3_TX_CONTRACT_CREATION"
TX_BLOB_PRE_FORK: Final = "TransactionException.TYPE_3_TX_PRE_FORK"
TX_BLOB_EMPTY: Final = "TransactionException.TYPE_3_TX_ZERO_BLOBS"
TX_BLOB_TOO_MANY: Final = "TransactionException.TYPE_3_TX_MAX_BLOB_GAS_ALLOWANCE_EXCEEDED"
TX_BLOB_TOO_MANY_PER_TX: Final = "TransactionException.TYPE_3_TX_BLOB_COUNT_EXCEEDED"
TX_BLOB_VERSIONED_HASH: Final = "TransactionException.TYPE_3_TX_INVALID_BLOB_VERSIONED_HASH"
TX_BLOB_FEE_TOO_LOW: Final = "TransactionException.INSUFFICIENT_MAX_FEE_PER_BLOB_GAS"
TX_SETCODE_EMPTY: Final = "TransactionException.TYPE_4_EMPTY_AUTHORIZATION_LIST"
TX_SETCODE_CREATE: Final = "TransactionException.TYPE_4_TX_CONTRACT_CREATION"
TX_SETCODE_PRE_FORK: Final = "TransactionException.TYPE_4_TX_PRE_FORK"
TX_CALLDATA_FLOOR: Final = "TransactionException.INTRINSIC_GAS_BELOW_FLOOR_GAS_COST"
TX_MALFORMED: Final = "TransactionException.RLP_INVALID_VALUE"


class InvalidTransaction(Exception):
    """The transaction cannot be included: nothing changes, not even the sender's nonce."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(f"{message} ({kind})")
        self.kind: Final = kind
        self.message: Final = message


class InvalidBlock(Exception):
    """The block is invalid: its header, body or execution result breaks a rule."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(f"{message} ({kind})")
        self.kind: Final = kind
        self.message: Final = message
