"""Matching a rejected transaction with a fixture's `expectException`.

Both ethereum/tests and execution-spec-tests spell kinds the execution-spec-tests way
(`TransactionException.INTRINSIC_GAS_TOO_LOW`), possibly several joined by `|`. A few fixture
kinds are finer than the verdicts pevm draws; `EQUIVALENT` lists them, each with why.
"""

from __future__ import annotations

from typing import Final

from interp import errors

EQUIVALENT: Final[dict[str, frozenset[str]]] = {
    # A gas limit times price that overflows 256 bits can never be paid for.
    "TransactionException.GASLIMIT_PRICE_PRODUCT_OVERFLOW": frozenset({errors.TX_INSUFFICIENT_FUNDS}),
    # From Prague the specification checks max(intrinsic gas, EIP-7623 floor) in one test and
    # raises one error for both; execution-spec-tests names it either way.
    "TransactionException.INTRINSIC_GAS_TOO_LOW": frozenset({errors.TX_CALLDATA_FLOOR}),
}


def matches(expected: str, actual: str) -> bool:
    for alternative in expected.split("|"):
        alternative = alternative.strip()
        if alternative == actual or actual in EQUIVALENT.get(alternative, frozenset()):
            return True
    return False
