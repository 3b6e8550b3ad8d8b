"""Storage opcodes: SLOAD, the SSTORE gas schedules of each era, TLOAD and TSTORE."""

from __future__ import annotations

from typing import Final

from mypy_extensions import i64

from interp.errors import OutOfGas, WriteInStaticContext
from interp.frame import Frame
from interp.gas import COLD_SLOAD, COLD_SLOAD_SURCHARGE, WARM_ACCESS, charge

SSTORE_SET: Final[i64] = 20000
SSTORE_RESET: Final[i64] = 5000
SSTORE_CLEAR_REFUND: Final[i64] = 15000
SSTORE_CLEAR_REFUND_EIP3529: Final[i64] = 4800
SSTORE_SENTRY: Final[i64] = 2300  # EIP-2200: SSTORE needs more than the call stipend


def sload(f: Frame) -> None:
    """SLOAD (0x54): slot -> value. EIP-2929 cold surcharge."""
    # STACK
    stack = f.stack
    slot = stack[-1]
    # GAS
    ctx = f.ctx
    journal = ctx.journal
    account = f.account
    if ctx.rules.eip2929_access_lists and journal.warm_slot(account, slot):
        charge(f, COLD_SLOAD_SURCHARGE)
    # OPERATION
    stack[-1] = journal.sload(account, slot)


def sstore_frontier(f: Frame) -> None:
    """SSTORE (0x55): slot, value ->. 20000 to set a zero slot, else 5000; 15000 refund on clear."""
    # STACK
    stack = f.stack
    slot = stack.pop()
    value = stack.pop()
    # GAS
    journal = f.ctx.journal
    account = f.account
    current = journal.sload(account, slot)
    charge(f, SSTORE_SET if value != 0 and current == 0 else SSTORE_RESET)
    if f.msg.is_static:
        raise WriteInStaticContext
    # OPERATION
    if current != 0 and value == 0:
        journal.refund += SSTORE_CLEAR_REFUND
    journal.sstore(account, slot, value)


def _net_metered(f: Frame, sload_gas: i64, reset_gas: i64, clear_refund: i64, extra: i64) -> None:
    """Net gas metering (EIP-1283/2200 and their EIP-2929/3529 repricings).

    Prices a store by comparing the original (transaction start), current and new values, and
    adjusts the refund counter so a slot restored within a transaction costs like a read.
    `extra` is the EIP-2929 cold surcharge already decided by the caller.
    """
    stack = f.stack
    slot = stack.pop()
    value = stack.pop()
    journal = f.ctx.journal
    account = f.account
    current = journal.sload(account, slot)
    original = journal.original_storage(account, slot)
    if current == value:
        cost = sload_gas
    elif original == current:
        cost = SSTORE_SET if original == 0 else reset_gas
    else:
        cost = sload_gas
    charge(f, cost + extra)
    if f.msg.is_static:
        raise WriteInStaticContext
    if current != value:
        refund: i64 = 0
        if original == current:
            if original != 0 and value == 0:
                refund += clear_refund
        else:
            if original != 0:
                if current == 0:
                    refund -= clear_refund
                elif value == 0:
                    refund += clear_refund
            if original == value:
                refund += (SSTORE_SET if original == 0 else reset_gas) - sload_gas
        journal.refund += refund
        journal.sstore(account, slot, value)


def sstore_eip1283(f: Frame) -> None:
    """SSTORE (0x55): slot, value ->. EIP-1283 net gas metering (Constantinople only)."""
    _net_metered(f, 200, SSTORE_RESET, SSTORE_CLEAR_REFUND, 0)


def sstore_eip2200(f: Frame) -> None:
    """SSTORE (0x55): slot, value ->. EIP-2200 net gas metering with the 2300-gas sentry."""
    if f.gas <= SSTORE_SENTRY:
        raise OutOfGas
    _net_metered(f, 800, SSTORE_RESET, SSTORE_CLEAR_REFUND, 0)


def sstore_eip2929(f: Frame) -> None:
    """SSTORE (0x55): slot, value ->. EIP-2929 warm/cold pricing; EIP-3529 refunds from London."""
    if f.gas <= SSTORE_SENTRY:
        raise OutOfGas
    slot = f.stack[-1]
    extra: i64 = COLD_SLOAD if f.ctx.journal.warm_slot(f.account, slot) else 0
    clear = SSTORE_CLEAR_REFUND_EIP3529 if f.ctx.rules.eip3529_refunds else SSTORE_CLEAR_REFUND
    _net_metered(f, WARM_ACCESS, SSTORE_RESET - COLD_SLOAD, clear, extra)


def tload(f: Frame) -> None:
    """TLOAD (0x5c): slot -> transient value. EIP-1153."""
    stack = f.stack
    stack[-1] = f.ctx.journal.tload(f.account, stack[-1])


def tstore(f: Frame) -> None:
    """TSTORE (0x5d): slot, value ->. EIP-1153."""
    stack = f.stack
    slot = stack.pop()
    value = stack.pop()
    if f.msg.is_static:
        raise WriteInStaticContext
    f.ctx.journal.tstore(f.account, slot, value)
