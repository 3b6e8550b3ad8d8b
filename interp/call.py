"""Running a message: calls and creates, each in a checkpoint that a failure reverts.

`process_message` and `process_create` follow EELS (`process_message`,
`process_create_message`): value moves first, then the code (or a precompile) runs in a new
frame; an exceptional halt or REVERT rolls the journal back to the checkpoint.
"""

from __future__ import annotations

from mypy_extensions import i64

from interp import loop
from interp.analysis import analyse
from interp.errors import (
    CodeSizeExceeded,
    ExceptionalHalt,
    InvalidContractPrefix,
    OutOfGas,
)
from interp.frame import Frame, Message, TxContext
from interp.gas import CREATE_DATA_BYTE
from interp.trace import REVERT, Tracer, error_name
from precompiles.errors import PrecompileFailure

RIPEMD160_ADDRESS = 3


def _run(ctx: TxContext, frame: Frame) -> None:
    """Execute the frame's code or precompile; on an exceptional halt consume all gas.

    With a tracer the code runs in the traced loop, and the tracer hears when the message
    starts and how it ends (checked once per message, never per opcode)."""
    tracer = ctx.tracer
    if tracer is not None:
        tracer.enter(frame)
    precompile = None if frame.msg.delegated else ctx.precompiles.get(frame.msg.code_address)
    try:
        if precompile is not None:
            try:
                used, output = precompile(frame.msg.data, frame.gas)
            except PrecompileFailure:
                raise OutOfGas
            frame.gas -= used
            frame.output = output
        elif tracer is None:
            loop.run(frame)
        else:
            loop.run_traced(frame, tracer)
    except ExceptionalHalt as halt:
        frame.gas = 0
        frame.output = b""
        frame.halted = True
        if tracer is not None:
            tracer.leave(frame, error_name(halt))
        return
    if tracer is not None:
        tracer.leave(frame, REVERT if frame.reverted else "")


def process_message(ctx: TxContext, msg: Message) -> Frame:
    """A call: move the value, run the code; revert everything on failure."""
    journal = ctx.journal
    checkpoint = journal.checkpoint()
    refund = journal.refund
    logs: i64 = len(journal.logs)
    account = journal.account(msg.target)
    if ctx.rules.eip161_state_clearing:
        journal.touch(account)
    else:
        journal.mark_exists(account)
    if msg.transfers_value and msg.value != 0:
        sender = journal.account(msg.caller)
        journal.set_balance(sender, journal.balance(sender) - msg.value)
        journal.credit(account, msg.value)
    frame = Frame(ctx, msg, account)
    _run(ctx, frame)
    if frame.halted or frame.reverted:
        _rollback(ctx, checkpoint, refund, logs)
        if msg.target == RIPEMD160_ADDRESS and ctx.rules.eip161_state_clearing:
            # Mainnet block 2675119 cleared the empty RIPEMD160 account despite the failed call;
            # every client kept that behaviour.
            journal.touch(account)
    return frame


def process_create(ctx: TxContext, msg: Message) -> Frame:
    """A create: fresh account (nonce 1 from EIP-161), init code, then the code deposit."""
    journal = ctx.journal
    rules = ctx.rules
    checkpoint = journal.checkpoint()
    refund = journal.refund
    logs: i64 = len(journal.logs)
    account = journal.account(msg.target)
    journal.mark_exists(account)
    journal.mark_created(account)
    if rules.eip161_state_clearing:
        journal.set_nonce(account, 1)
    frame = process_message(ctx, msg)
    if frame.halted or frame.reverted:
        _rollback(ctx, checkpoint, refund, logs)
        return frame
    code = frame.output
    try:
        if len(code) > 0 and code[0] == 0xEF and rules.eip3541_reject_ef_code:
            raise InvalidContractPrefix
        deposit: i64 = len(code) * CREATE_DATA_BYTE
        if deposit > frame.gas:
            raise OutOfGas
        if 0 <= rules.eip170_max_code_size < len(code):
            raise CodeSizeExceeded
        frame.gas -= deposit
    except ExceptionalHalt as halt:
        if ctx.tracer is not None and msg.depth == 0:
            ctx.tracer.error = error_name(halt)
        if not rules.eip2_create_oog_fails:
            # Frontier: a contract that cannot pay for its code is created without code.
            frame.output = b""
            return frame
        _rollback(ctx, checkpoint, refund, logs)
        frame.gas = 0
        frame.output = b""
        frame.halted = True
        return frame
    journal.set_code(account, analyse(code))
    return frame


def _rollback(ctx: TxContext, checkpoint: i64, refund: i64, logs: i64) -> None:
    journal = ctx.journal
    journal.revert_to(checkpoint)
    journal.refund = refund
    del journal.logs[logs:]
