"""The hot loop: fetch, check, charge static gas, dispatch.

Per opcode the dispatcher checks, in order, that the opcode exists in this fork (its static
cost is not -1), the stack bounds from the traits table, and the static gas; only then does it
call the handler, which charges dynamic gas itself (STYLE rule 3). Dispatch is an if/elif ladder
split by opcode range, hottest ranges first (`_execute`, shared by the plain and the traced
loop); handlers are direct native calls under mypyc. The loop keeps pc in a local; handlers
that move it (PUSH, JUMP, JUMPI) return the new pc.
"""

from __future__ import annotations

from mypy_extensions import i64

from interp.errors import ExceptionalHalt, InvalidOpcode, OutOfGas, StackOverflow, StackUnderflow
from interp.frame import Frame
from interp.trace import Tracer, error_name, failed_charge
from opcodes import (
    arithmetic,
    bitwise,
    block,
    comparison,
    control_flow,
    environment,
    keccak,
    log,
    memory,
    stack as stack_ops,
    storage,
    system,
)
from opcodes.forks import SSTORE_EIP1283, SSTORE_EIP2200, SSTORE_EIP2929, UNDEFINED_STATIC
from opcodes.traits import STACK_GROWTH, STACK_LIMIT, STACK_MIN


def run(f: Frame) -> None:
    """Run the frame's code until it halts; exceptional halts propagate as exceptions."""
    code = f.code.padded
    stack = f.stack
    table = f.ctx.table
    static = table.static
    sstore_variant = table.sstore
    pc: i64 = 0
    while True:
        op: i64 = code[pc]
        cost: i64 = (static[op << 1] << 8) | static[(op << 1) + 1]
        if cost == UNDEFINED_STATIC:
            raise InvalidOpcode
        height: i64 = len(stack)
        if height < STACK_MIN[op]:
            raise StackUnderflow
        if height + STACK_GROWTH[op] > STACK_LIMIT:
            raise StackOverflow
        gas = f.gas - cost
        if gas < 0:
            raise OutOfGas
        f.gas = gas
        pc = _execute(f, stack, code, op, pc + 1, sstore_variant)
        if pc < 0:
            return


def run_traced(f: Frame, tracer: Tracer) -> None:
    """`run` with `tracer` told about every opcode (STYLE rule 9: a second loop, chosen once per
    frame by `interp.call`, so tracing costs nothing when off). Empty code runs no step, as
    EELS traces it."""
    if f.code.size == 0:
        return
    code = f.code.padded
    stack = f.stack
    table = f.ctx.table
    static = table.static
    sstore_variant = table.sstore
    pc: i64 = 0
    while True:
        op: i64 = code[pc]
        tracer.begin(f, pc, op)
        cost: i64 = (static[op << 1] << 8) | static[(op << 1) + 1]
        height: i64 = len(stack)
        if cost == UNDEFINED_STATIC:
            tracer.fault(f, "InvalidOpcode", 0)
            raise InvalidOpcode
        if height < STACK_MIN[op]:
            tracer.fault(f, "StackUnderflowError", 0)
            raise StackUnderflow
        if height + STACK_GROWTH[op] > STACK_LIMIT:
            tracer.fault(f, "StackOverflowError", 0)
            raise StackOverflow
        before: i64 = f.gas
        gas = before - cost
        if gas < 0:
            tracer.fault(f, "OutOfGasError", cost)
            raise OutOfGas
        f.gas = gas
        try:
            pc = _execute(f, stack, code, op, pc + 1, sstore_variant)
        except ExceptionalHalt as error:
            tracer.fault(f, error_name(error), before - f.gas + failed_charge(error))
            raise
        tracer.end(f)
        if pc < 0:
            return


def _execute(f: Frame, stack: list[int], code: bytes, op: i64, pc: i64, sstore_variant: int) -> i64:
    """Run the handler of `op` (its checks and static gas done); returns the next pc, -1 on a
    halt. One dispatcher for both loops; under mypyc the call is a direct C call."""
    if op >= 0x60:
        if op < 0x80:
            return stack_ops.push_n(stack, code, pc, op - 0x5F)
        elif op < 0x90:
            stack_ops.dup_n(stack, op - 0x7F)
        elif op < 0xA0:
            stack_ops.swap_n(stack, op - 0x8F)
        elif op < 0xF0:
            log.log_n(f, op - 0xA0)
        elif op == 0xF1:
            system.call_(f)
        elif op == 0xF3:
            system.return_(f)
            return -1
        elif op == 0xFD:
            system.revert(f)
            return -1
        elif op == 0xFA:
            system.staticcall(f)
        elif op == 0xF4:
            system.delegatecall(f)
        elif op == 0xF0:
            system.create(f)
        elif op == 0xF5:
            system.create2(f)
        elif op == 0xF2:
            system.callcode(f)
        else:  # 0xFF: the only other opcode defined up here
            system.selfdestruct(f)
            return -1
    elif op >= 0x50:
        if op == 0x50:
            stack_ops.pop(stack)
        elif op == 0x51:
            memory.mload(f)
        elif op == 0x52:
            memory.mstore(f)
        elif op == 0x53:
            memory.mstore8(f)
        elif op == 0x54:
            storage.sload(f)
        elif op == 0x55:
            if sstore_variant == SSTORE_EIP2929:
                storage.sstore_eip2929(f)
            elif sstore_variant == SSTORE_EIP2200:
                storage.sstore_eip2200(f)
            elif sstore_variant == SSTORE_EIP1283:
                storage.sstore_eip1283(f)
            else:
                storage.sstore_frontier(f)
        elif op == 0x56:
            return control_flow.jump(f)
        elif op == 0x57:
            return control_flow.jumpi(f, pc)
        elif op == 0x58:
            control_flow.pc(stack, pc - 1)
        elif op == 0x59:
            memory.msize(f)
        elif op == 0x5A:
            control_flow.gas(f)
        elif op == 0x5B:
            pass  # JUMPDEST
        elif op == 0x5C:
            storage.tload(f)
        elif op == 0x5D:
            storage.tstore(f)
        elif op == 0x5E:
            memory.mcopy(f)
        else:
            stack_ops.push0(stack)
    elif op >= 0x30:
        if op < 0x40:
            if op == 0x30:
                environment.address(f)
            elif op == 0x31:
                environment.balance(f)
            elif op == 0x32:
                environment.origin(f)
            elif op == 0x33:
                environment.caller(f)
            elif op == 0x34:
                environment.callvalue(f)
            elif op == 0x35:
                environment.calldataload(f)
            elif op == 0x36:
                environment.calldatasize(f)
            elif op == 0x37:
                environment.calldatacopy(f)
            elif op == 0x38:
                environment.codesize(f)
            elif op == 0x39:
                environment.codecopy(f)
            elif op == 0x3A:
                environment.gasprice(f)
            elif op == 0x3B:
                environment.extcodesize(f)
            elif op == 0x3C:
                environment.extcodecopy(f)
            elif op == 0x3D:
                environment.returndatasize(f)
            elif op == 0x3E:
                environment.returndatacopy(f)
            else:
                environment.extcodehash(f)
        elif op == 0x40:
            block.blockhash(f)
        elif op == 0x41:
            block.coinbase(f)
        elif op == 0x42:
            block.timestamp(f)
        elif op == 0x43:
            block.number(f)
        elif op == 0x44:
            block.prevrandao(f)
        elif op == 0x45:
            block.gaslimit(f)
        elif op == 0x46:
            block.chainid(f)
        elif op == 0x47:
            environment.selfbalance(f)
        elif op == 0x48:
            block.basefee(f)
        elif op == 0x49:
            environment.blobhash(f)
        else:
            block.blobbasefee(f)
    elif op >= 0x10:
        if op == 0x10:
            comparison.lt(stack)
        elif op == 0x11:
            comparison.gt(stack)
        elif op == 0x12:
            comparison.slt(stack)
        elif op == 0x13:
            comparison.sgt(stack)
        elif op == 0x14:
            comparison.eq(stack)
        elif op == 0x15:
            comparison.iszero(stack)
        elif op == 0x16:
            bitwise.and_(stack)
        elif op == 0x17:
            bitwise.or_(stack)
        elif op == 0x18:
            bitwise.xor(stack)
        elif op == 0x19:
            bitwise.not_(stack)
        elif op == 0x1A:
            bitwise.byte(stack)
        elif op == 0x1B:
            bitwise.shl(stack)
        elif op == 0x1C:
            bitwise.shr(stack)
        elif op == 0x1D:
            bitwise.sar(stack)
        elif op == 0x1E:
            bitwise.clz(stack)
        else:
            keccak.keccak256(f)
    elif op == 0x01:
        arithmetic.add(stack)
    elif op == 0x00:
        control_flow.stop(f)
        return -1
    elif op == 0x02:
        arithmetic.mul(stack)
    elif op == 0x03:
        arithmetic.sub(stack)
    elif op == 0x04:
        arithmetic.div(stack)
    elif op == 0x05:
        arithmetic.sdiv(stack)
    elif op == 0x06:
        arithmetic.mod(stack)
    elif op == 0x07:
        arithmetic.smod(stack)
    elif op == 0x08:
        arithmetic.addmod(stack)
    elif op == 0x09:
        arithmetic.mulmod(stack)
    elif op == 0x0A:
        arithmetic.exp(f)
    else:
        arithmetic.signextend(stack)
    return pc
