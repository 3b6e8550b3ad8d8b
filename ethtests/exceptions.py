"""Matching a rejected transaction with a fixture's `expectException`.

execution-spec-tests (and ethereum/tests filled since 2024) spell kinds the execution-spec-tests
way (`TransactionException.INTRINSIC_GAS_TOO_LOW`); older ethereum/tests fixtures use retesteth's
names (`TR_NoFunds`). Either may join several alternatives with `|`. This module is the one place
that maps names: `LEGACY` translates retesteth names, `EQUIVALENT` lists fixture kinds that are
finer than the verdicts pevm draws, each with why. A name found in neither, nor among
`interp.errors`' kinds, cannot be decided: `mismatch` then fails the case naming both sides.
"""

from __future__ import annotations

from typing import Final

from interp import errors

# retesteth name -> execution-spec-tests name(s), as retesteth's client configs map them.
LEGACY: Final[dict[str, tuple[str, ...]]] = {
    "TR_NoFunds": (errors.TX_INSUFFICIENT_FUNDS,),
    "TR_NoFundsValue": (errors.TX_INSUFFICIENT_FUNDS,),
    "TR_NoFundsX": (errors.TX_INSUFFICIENT_FUNDS,),  # gas * price + value overflows
    "TR_NoFundsOrGas": (errors.TX_INSUFFICIENT_FUNDS, errors.TX_INTRINSIC_GAS),
    "TR_IntrinsicGas": (errors.TX_INTRINSIC_GAS,),
    "IntrinsicGas": (errors.TX_INTRINSIC_GAS,),
    "TR_TypeNotSupported": (errors.TX_TYPE_NOT_SUPPORTED,),
    "TR_TypeNotSupportedBlob": (errors.TX_BLOB_PRE_FORK, errors.TX_TYPE_NOT_SUPPORTED),
    "TR_FeeCapLessThanBlocks": (errors.TX_INSUFFICIENT_MAX_FEE,),
    "TR_FeeCapLessThanBlocksORNoFunds": (errors.TX_INSUFFICIENT_MAX_FEE, errors.TX_INSUFFICIENT_FUNDS),
    "TR_FeeCapLessThanBlocksORGasLimitReached": (errors.TX_INSUFFICIENT_MAX_FEE, errors.TX_GAS_ABOVE_BLOCK_LIMIT),
    "TR_TipGtFeeCap": (errors.TX_PRIORITY_ABOVE_MAX_FEE,),
    "TR_NonceHasMaxValue": (errors.TX_NONCE_OVERFLOW,),
    "TR_NonceTooHigh": (errors.TX_NONCE_TOO_HIGH,),
    "TR_NonceTooLow": (errors.TX_NONCE_TOO_LOW,),
    "TR_GasLimitReached": (errors.TX_GAS_ABOVE_BLOCK_LIMIT,),
    "TR_InitCodeLimitExceeded": (errors.TX_INITCODE_TOO_LARGE,),
    "SenderNotEOA": (errors.TX_SENDER_NOT_EOA,),
    "TR_RLP_WRONGVALUE": (errors.TX_MALFORMED,),
    "TR_BLOBCREATE": (errors.TX_BLOB_CREATE,),
    "TR_EMPTYBLOB": (errors.TX_BLOB_EMPTY,),
    "TR_BLOBLIST_OVERSIZE": (errors.TX_BLOB_TOO_MANY_PER_TX, errors.TX_BLOB_TOO_MANY),
    "TR_BLOBVERSION_INVALID": (errors.TX_BLOB_VERSIONED_HASH,),
    "TR_BlobGasPriceTooLow": (errors.TX_BLOB_FEE_TOO_LOW,),
}

# Fixture kind -> pevm kinds that also satisfy it.
EQUIVALENT: Final[dict[str, frozenset[str]]] = {
    # A gas limit times price that overflows 256 bits can never be paid for.
    "TransactionException.GASLIMIT_PRICE_PRODUCT_OVERFLOW": frozenset({errors.TX_INSUFFICIENT_FUNDS}),
    # From Prague the specification checks max(intrinsic gas, EIP-7623 floor) in one test and
    # raises one error for both; execution-spec-tests names it either way.
    "TransactionException.INTRINSIC_GAS_TOO_LOW": frozenset({errors.TX_CALLDATA_FLOOR}),
}

# Every kind pevm raises: the TX_* names of interp.errors.
PEVM_KINDS: Final[frozenset[str]] = frozenset(
    value for name, value in vars(errors).items() if name.startswith("TX_") and isinstance(value, str)
)


def alternatives(expected: str) -> list[str]:
    """The execution-spec-tests names `expected` allows, legacy names translated."""
    names: list[str] = []
    for alternative in expected.split("|"):
        alternative = alternative.strip()
        names.extend(LEGACY.get(alternative, (alternative,)))
    return names


def mismatch(expected: str, actual: str) -> str | None:
    """None when the rejection `actual` satisfies `expected`, else why not (naming both sides)."""
    names = alternatives(expected)
    for name in names:
        if name == actual or actual in EQUIVALENT.get(name, frozenset()):
            return None
    unknown = [name for name in names if name not in PEVM_KINDS and name not in EQUIVALENT]
    if unknown:
        return f"expected {expected}, got {actual}; pevm cannot map {'|'.join(unknown)}"
    return f"expected {expected}, got {actual}"
