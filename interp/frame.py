"""A call frame and the message that starts it; the per-transaction context frames share."""

from __future__ import annotations

from typing import Final, final

from mypy_extensions import i64

from interp.analysis import CodeAnalysis
from interp.env import BlockEnv, TxEnv
from interp.forks import ForkRules
from interp.journal import Journal, TxAccount
from interp.trace import Tracer
from opcodes.forks import OpcodeTable
from precompiles.registry import PrecompileFn


@final
class TxContext:
    """Everything frames of one transaction share; owned by the thread running it."""

    rules: Final[ForkRules]
    table: Final[OpcodeTable]
    precompiles: Final[dict[int, PrecompileFn]]
    block: Final[BlockEnv]
    tx: Final[TxEnv]
    journal: Final[Journal]
    tracer: Final[Tracer | None]  # None: frames run the untraced loop

    def __init__(
        self,
        rules: ForkRules,
        table: OpcodeTable,
        precompiles: dict[int, PrecompileFn],
        block: BlockEnv,
        tx: TxEnv,
        journal: Journal,
        tracer: Tracer | None = None,
    ) -> None:
        self.rules = rules
        self.table = table
        self.precompiles = precompiles
        self.block = block
        self.tx = tx
        self.journal = journal
        self.tracer = tracer


@final
class Message:
    """What a call or create asks for (EELS `Message`)."""

    caller: Final[int]
    target: Final[int]  # whose storage and balance the code runs against
    code_address: Final[int]  # where the code comes from (differs for CALLCODE, DELEGATECALL)
    value: Final[int]
    data: Final[bytes]
    gas: Final[i64]
    depth: Final[i64]
    is_static: Final[bool]
    transfers_value: Final[bool]  # DELEGATECALL passes the value on without moving it
    code: Final[CodeAnalysis]
    delegated: Final[bool]  # EIP-7702: code_address is a delegate; precompiles do not run

    def __init__(
        self,
        caller: int,
        target: int,
        code_address: int,
        value: int,
        data: bytes,
        gas: i64,
        depth: i64,
        is_static: bool,
        transfers_value: bool,
        code: CodeAnalysis,
        delegated: bool,
    ) -> None:
        self.caller = caller
        self.target = target
        self.code_address = code_address
        self.value = value
        self.data = data
        self.gas = gas
        self.depth = depth
        self.is_static = is_static
        self.transfers_value = transfers_value
        self.code = code
        self.delegated = delegated


@final
class Frame:
    """One executing call: its stack, memory, gas and result. Owned by one thread."""

    ctx: Final[TxContext]
    msg: Final[Message]
    account: Final[TxAccount]  # the overlay of msg.target
    code: Final[CodeAnalysis]
    stack: Final[list[int]]
    memory: Final[bytearray]
    gas: i64
    pc: i64
    return_data: bytes  # output of the last call this frame made (EIP-211)
    output: bytes
    reverted: bool
    halted: bool  # an exceptional halt: all gas consumed

    def __init__(self, ctx: TxContext, msg: Message, account: TxAccount) -> None:
        self.ctx = ctx
        self.msg = msg
        self.account = account
        self.code = msg.code
        self.stack = []
        self.memory = bytearray()
        self.gas = msg.gas
        self.pc = 0
        self.return_data = b""
        self.output = b""
        self.reverted = False
        self.halted = False
