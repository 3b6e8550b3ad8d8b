"""System opcodes: CREATE, CALL, CALLCODE, RETURN, DELEGATECALL, CREATE2, STATICCALL, REVERT,
SELFDESTRUCT. (INVALID, 0xfe, is undefined in every fork table: the dispatcher halts on it.)"""

from __future__ import annotations

from typing import Final

from mypy_extensions import i64

from interp import call
from interp.analysis import analyse
from interp.errors import OutOfGas, WriteInStaticContext
from interp.frame import Frame, Message
from interp.gas import (
    CALL_STIPEND,
    CALL_VALUE,
    COLD_ACCOUNT_ACCESS,
    INITCODE_WORD,
    KECCAK_INITCODE_WORD,
    MAX_CALL_DEPTH,
    MEMORY_LIMIT,
    NEW_ACCOUNT,
    SELFDESTRUCT_REFUND,
    all_but_one_64th,
    charge,
    WARM_ACCESS,
    charge_account_access,
    expand_memory,
    warm,
    words,
)
from interp.delegation import delegation_target
from interp.words import ADDRESS_MASK, bytes_to_word
from primitives.keccak import keccak256
from primitives.rlp import encode

MAX_NONCE: Final = (1 << 64) - 1


# --- creating contracts ---------------------------------------------------------------------
def create_address(sender: int, nonce: int) -> int:
    """CREATE: keccak256(rlp([sender, nonce]))[12:]."""
    digest = keccak256(encode([sender.to_bytes(20, "big"), nonce]))
    return bytes_to_word(digest[12:])


def create2_address(sender: int, salt: int, init_code: bytes) -> int:
    """CREATE2 (EIP-1014): keccak256(0xff ++ sender ++ salt ++ keccak256(init_code))[12:]."""
    preimage = b"\xff" + sender.to_bytes(20, "big") + salt.to_bytes(32, "big") + keccak256(init_code)
    return bytes_to_word(keccak256(preimage)[12:])


def _create(f: Frame, value: int, init_code: bytes, salt: int, is_create2: bool) -> None:
    """The shared body of CREATE and CREATE2 after their own gas is paid (EELS generic_create)."""
    ctx = f.ctx
    rules = ctx.rules
    journal = ctx.journal
    stack = f.stack
    if 0 <= rules.eip3860_max_initcode_size < len(init_code):
        raise OutOfGas
    if f.msg.is_static:  # before the forwarded gas leaves the frame, so a trace prices the step alone
        raise WriteInStaticContext
    gas: i64 = all_but_one_64th(f.gas) if rules.eip150_all_but_one_64th else f.gas
    f.gas -= gas
    f.return_data = b""
    sender = f.account
    nonce = journal.nonce(sender)
    if journal.balance(sender) < value or nonce == MAX_NONCE or f.msg.depth + 1 > MAX_CALL_DEPTH:
        f.gas += gas
        stack.append(0)
        return
    if is_create2:
        target = create2_address(f.msg.target, salt, init_code)
    else:
        target = create_address(f.msg.target, nonce)
    created = journal.account(target)
    if rules.eip2929_access_lists:
        journal.warm_account(created)
    journal.set_nonce(sender, nonce + 1)
    if journal.nonce(created) != 0 or journal.code(created).size != 0 or journal.has_storage(created):
        stack.append(0)  # EIP-684/7610 collision: the gas given is consumed
        return
    msg = Message(
        f.msg.target, target, target, value, b"", gas, f.msg.depth + 1, False, True,
        analyse(init_code), False,
    )  # fmt: skip
    child = call.process_create(ctx, msg)
    f.gas += child.gas
    if child.halted or child.reverted:
        f.return_data = child.output
        stack.append(0)
    else:
        stack.append(target)


def create(f: Frame) -> None:
    """CREATE (0xf0): value, offset, size -> address or 0. EIP-3860 init code cost."""
    # STACK
    stack = f.stack
    value = stack.pop()
    offset = stack.pop()
    size = stack.pop()
    # GAS
    expand_memory(f, offset, size)
    if f.ctx.rules.eip3860_max_initcode_size >= 0:
        charge(f, INITCODE_WORD * words(size))
    # OPERATION
    _create(f, value, bytes(f.memory[offset : offset + size]), 0, False)


def create2(f: Frame) -> None:
    """CREATE2 (0xf5): value, offset, size, salt -> address or 0. EIP-1014, EIP-3860."""
    # STACK
    stack = f.stack
    value = stack.pop()
    offset = stack.pop()
    size = stack.pop()
    salt = stack.pop()
    # GAS
    expand_memory(f, offset, size)
    charge(f, KECCAK_INITCODE_WORD * words(size))
    if f.ctx.rules.eip3860_max_initcode_size >= 0:
        charge(f, INITCODE_WORD * words(size))
    # OPERATION
    _create(f, value, bytes(f.memory[offset : offset + size]), salt, True)


# --- calls ----------------------------------------------------------------------------------
def _expand_call_memory(f: Frame, in_offset: int, in_size: int, out_offset: int, out_size: int) -> None:
    if in_size == 0:
        expand_memory(f, out_offset, out_size)
    elif out_size == 0:
        expand_memory(f, in_offset, in_size)
    else:
        if in_offset >= MEMORY_LIMIT or out_offset >= MEMORY_LIMIT:
            raise OutOfGas
        if in_offset + in_size >= out_offset + out_size:
            expand_memory(f, in_offset, in_size)
        else:
            expand_memory(f, out_offset, out_size)


def _call_gas(f: Frame, requested: int, extra: i64) -> i64:
    """Charge `extra` and the forwarded gas (capped by EIP-150); return the forwarded gas."""
    if f.ctx.rules.eip150_all_but_one_64th:
        if f.gas < extra:
            raise OutOfGas
        cap = all_but_one_64th(f.gas - extra)
        gas: i64 = cap if requested > int(cap) else requested
    else:
        if requested > int(f.gas):
            raise OutOfGas
        gas = requested
    charge(f, gas + extra)
    return gas


def _delegate(f: Frame, code_address: int) -> int:
    """EIP-7702: the delegate whose code runs when `code_address` holds a delegation designator
    (charging its warm or cold access), else -1."""
    ctx = f.ctx
    if not ctx.rules.eip7702_set_code:
        return -1
    delegate = delegation_target(ctx.journal.code(ctx.journal.account(code_address)))
    if delegate >= 0:
        charge(f, COLD_ACCOUNT_ACCESS if warm(f, delegate) else WARM_ACCESS)
    return delegate


def _call(
    f: Frame, gas: i64, value: int, target: int, code_address: int, delegate: int, caller: int,
    transfers_value: bool, is_static: bool, in_offset: int, in_size: int, out_offset: int,
    out_size: int,
) -> None:  # fmt: skip
    """Run the child message of a call opcode whose gas is paid (EELS generic_call)."""
    ctx = f.ctx
    journal = ctx.journal
    stack = f.stack
    stipend: i64 = CALL_STIPEND if transfers_value and value != 0 else 0
    f.return_data = b""
    if (transfers_value and value != 0 and journal.balance(f.account) < value) or f.msg.depth + 1 > MAX_CALL_DEPTH:
        f.gas += gas + stipend
        stack.append(0)
        if ctx.tracer is not None:
            ctx.tracer.give_back(gas + stipend)  # the step's cost still counts the forwarded gas
        return
    data = bytes(f.memory[in_offset : in_offset + in_size]) if in_size else b""
    runs = delegate if delegate >= 0 else code_address
    code = journal.code(journal.account(runs))
    msg = Message(
        caller, target, runs, value, data, gas + stipend, f.msg.depth + 1, is_static,
        transfers_value, code, delegate >= 0,
    )  # fmt: skip
    child = call.process_message(ctx, msg)
    f.gas += child.gas
    f.return_data = child.output
    stack.append(0 if child.halted or child.reverted else 1)
    if out_size:
        output = child.output[:out_size]
        f.memory[out_offset : out_offset + len(output)] = output


def call_(f: Frame) -> None:
    """CALL (0xf1): gas, address, value, in_offset, in_size, out_offset, out_size -> success.

    EIP-150 gas cap, EIP-161 new-account rule, EIP-2929 cold surcharge.
    """
    # STACK
    stack = f.stack
    requested = stack.pop()
    target = stack.pop() & ADDRESS_MASK
    value = stack.pop()
    in_offset = stack.pop()
    in_size = stack.pop()
    out_offset = stack.pop()
    out_size = stack.pop()
    # GAS
    _expand_call_memory(f, in_offset, in_size, out_offset, out_size)
    charge_account_access(f, target)
    delegate = _delegate(f, target)
    ctx = f.ctx
    journal = ctx.journal
    extra: i64 = 0
    if value != 0:
        extra += CALL_VALUE
    recipient = journal.account(target)
    if ctx.rules.eip161_state_clearing:
        if value != 0 and journal.is_dead(recipient):
            extra += NEW_ACCOUNT
    elif not journal.exists(recipient):
        extra += NEW_ACCOUNT
    gas = _call_gas(f, requested, extra)
    if f.msg.is_static and value != 0:
        raise WriteInStaticContext
    # OPERATION
    _call(f, gas, value, target, target, delegate, f.msg.target, True, f.msg.is_static, in_offset,
          in_size, out_offset, out_size)  # fmt: skip


def callcode(f: Frame) -> None:
    """CALLCODE (0xf2): gas, address, value, in_offset, in_size, out_offset, out_size -> success.

    Runs the address's code against this account's storage.
    """
    stack = f.stack
    requested = stack.pop()
    code_address = stack.pop() & ADDRESS_MASK
    value = stack.pop()
    in_offset = stack.pop()
    in_size = stack.pop()
    out_offset = stack.pop()
    out_size = stack.pop()
    _expand_call_memory(f, in_offset, in_size, out_offset, out_size)
    charge_account_access(f, code_address)
    delegate = _delegate(f, code_address)
    gas = _call_gas(f, requested, CALL_VALUE if value != 0 else 0)
    _call(f, gas, value, f.msg.target, code_address, delegate, f.msg.target, True, f.msg.is_static,
          in_offset, in_size, out_offset, out_size)  # fmt: skip


def delegatecall(f: Frame) -> None:
    """DELEGATECALL (0xf4): gas, address, in_offset, in_size, out_offset, out_size -> success.

    EIP-7: keeps this frame's caller and value.
    """
    stack = f.stack
    requested = stack.pop()
    code_address = stack.pop() & ADDRESS_MASK
    in_offset = stack.pop()
    in_size = stack.pop()
    out_offset = stack.pop()
    out_size = stack.pop()
    _expand_call_memory(f, in_offset, in_size, out_offset, out_size)
    charge_account_access(f, code_address)
    delegate = _delegate(f, code_address)
    gas = _call_gas(f, requested, 0)
    _call(f, gas, f.msg.value, f.msg.target, code_address, delegate, f.msg.caller, False,
          f.msg.is_static, in_offset, in_size, out_offset, out_size)  # fmt: skip


def staticcall(f: Frame) -> None:
    """STATICCALL (0xfa): gas, address, in_offset, in_size, out_offset, out_size -> success.

    EIP-214: the callee and everything it calls may not change state.
    """
    stack = f.stack
    requested = stack.pop()
    target = stack.pop() & ADDRESS_MASK
    in_offset = stack.pop()
    in_size = stack.pop()
    out_offset = stack.pop()
    out_size = stack.pop()
    _expand_call_memory(f, in_offset, in_size, out_offset, out_size)
    charge_account_access(f, target)
    delegate = _delegate(f, target)
    gas = _call_gas(f, requested, 0)
    _call(f, gas, 0, target, target, delegate, f.msg.target, True, True, in_offset, in_size,
          out_offset, out_size)  # fmt: skip


# --- halting --------------------------------------------------------------------------------
def return_(f: Frame) -> None:
    """RETURN (0xf3): offset, size -> halt with memory[offset:offset+size] as output."""
    stack = f.stack
    offset = stack.pop()
    size = stack.pop()
    expand_memory(f, offset, size)
    f.output = bytes(f.memory[offset : offset + size]) if size else b""


def revert(f: Frame) -> None:
    """REVERT (0xfd): offset, size -> undo this frame, keep its gas, return the output. EIP-140."""
    return_(f)
    f.reverted = True


def selfdestruct(f: Frame) -> None:
    """SELFDESTRUCT (0xff): beneficiary -> halt, sending the whole balance.

    EIP-150/161 new-account charge, EIP-2929 cold surcharge, EIP-3529 no refund, EIP-6780: the
    account is deleted only when created in the same transaction.
    """
    # STACK
    beneficiary = f.stack.pop() & ADDRESS_MASK
    # GAS
    ctx = f.ctx
    rules = ctx.rules
    journal = ctx.journal
    originator = f.account
    recipient = journal.account(beneficiary)
    if rules.eip2929_access_lists and warm(f, beneficiary):
        charge(f, COLD_ACCOUNT_ACCESS)
    if rules.eip161_state_clearing:
        if journal.balance(originator) != 0 and journal.is_dead(recipient):
            charge(f, NEW_ACCOUNT)
    elif rules.eip150_all_but_one_64th and not journal.exists(recipient):
        charge(f, NEW_ACCOUNT)
    if f.msg.is_static:
        raise WriteInStaticContext
    # OPERATION
    if not rules.eip3529_refunds and not originator.destroyed:
        journal.refund += SELFDESTRUCT_REFUND
    amount = journal.balance(originator)
    if recipient is not originator:
        journal.set_balance(originator, 0)
        journal.credit(recipient, amount)
    if not rules.eip6780_selfdestruct_same_tx or originator.created:
        journal.set_balance(originator, 0)
        journal.mark_destroyed(originator)
    if rules.eip161_state_clearing:
        journal.touch(recipient)
    else:
        journal.mark_exists(recipient)
    f.output = b""
