"""EIP-3155 tracing: one JSON line per executed opcode, as geth, evmone, revm and EELS print it.

The traced loop (`loop.run_traced`) calls `begin` before each opcode's checks, `end` after its
handler and `fault` when it halts exceptionally; `interp.call` reports every message's `enter`
and `leave`. A step's line is written once its full cost is known: when the handler returns,
or, for calls and creates, when the child message starts (the parent has paid by then).
Field order, names and quirks follow EELS's `statetest --json --noreturndata --nomemory`
(`KECCAK` for 0x20, `InvalidOpcode` lines for undefined opcodes, a STOP line when code runs
off its end) so goevmlab can diff pevm against the other clients line by line.

With no output stream the tracer only records how the transaction's top frame ended, which the
fuzzer's specification oracle compares.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final, TextIO, final

from mypy_extensions import i64

from opcodes.traits import TRAITS

if TYPE_CHECKING:
    from interp.frame import Frame

SSTORE: Final = 0x55
CREATE: Final = 0xF0
CREATE2: Final = 0xF5

# pevm's exception class -> the name EELS gives the same halt.
ERROR_NAMES: Final[dict[str, str]] = {
    "OutOfGas": "OutOfGasError",
    "StackUnderflow": "StackUnderflowError",
    "StackOverflow": "StackOverflowError",
    "InvalidOpcode": "InvalidOpcode",
    "InvalidJump": "InvalidJumpDestError",
    "WriteInStaticContext": "WriteInStaticContext",
    "ReturnDataOutOfBounds": "OutOfBoundsRead",
    "InvalidContractPrefix": "InvalidContractPrefix",
    "CodeSizeExceeded": "OutOfGasError",  # EELS prices an oversized deposit as out of gas
    "AddressCollision": "AddressCollision",
}
REVERT: Final = "Revert"


def error_name(error: Exception) -> str:
    """The EELS name of an exceptional halt."""
    name = type(error).__name__
    return ERROR_NAMES.get(name, name)


def failed_charge(error: Exception) -> i64:
    """The gas an out-of-gas charge asked for (`interp.gas.charge` raises it), else 0."""
    if error.args and isinstance(error.args[0], int):
        return int(error.args[0])
    return 0


def _op_name(op: int) -> str:
    name = TRAITS[op].name
    return "KECCAK" if name == "KECCAK256" else name


OP_NAMES: Final[tuple[str, ...]] = tuple(_op_name(op) for op in range(256))


@final
class Step:
    """The opcode a frame is executing, until its line is written."""

    frame: Final[Frame]
    pc: Final[i64]
    op: Final[i64]
    gas: Final[i64]
    head: Final[str]  # the fields before gasCost
    middle: Final[str]  # the fields between gasCost and refund
    refund: i64
    name: str
    given_back: i64  # gas a call that never started returned at once
    written: bool

    def __init__(self, frame: Frame, pc: i64, op: i64, gas: i64, head: str, middle: str, refund: i64) -> None:
        self.frame = frame
        self.pc = pc
        self.op = op
        self.gas = gas
        self.head = head
        self.middle = middle
        self.refund = refund
        self.name = OP_NAMES[op]
        self.given_back = 0
        self.written = False


@final
class Tracer:
    """Writes EIP-3155 lines to `out` (when given) and remembers how the top frame ended."""

    out: Final[TextIO | None]
    steps: Final[list[Step | None]]  # one slot per running message, innermost last
    lines: i64
    error: str  # how the top frame ended: "" (success), "Revert" or an EELS halt name

    def __init__(self, out: TextIO | None) -> None:
        self.out = out
        self.steps = []
        self.lines = 0
        self.error = ""

    # --- messages (interp.call) -------------------------------------------------------------
    def enter(self, child: Frame) -> None:
        """A message starts: the parent's call or create step has paid its full cost."""
        if self.steps:
            step = self.steps[-1]
            if step is not None and not step.written:
                cost: i64 = step.gas - step.frame.gas
                if step.op == CREATE or step.op == CREATE2:
                    cost -= child.msg.gas  # geth and EELS count a create's forwarded gas apart
                self._write(step, cost, "")
        self.steps.append(None)

    def leave(self, frame: Frame, error: str) -> None:
        self.steps.pop()
        if frame.msg.depth == 0:
            self.error = error

    # --- opcodes (loop.run_traced) ------------------------------------------------------------
    def begin(self, f: Frame, pc: i64, op: i64) -> None:
        if self.out is None:
            return
        stack = ",".join([f'"{hex(word)}"' for word in f.stack])
        head = f'{{"pc":{pc},"op":{op},"gas":"{hex(f.gas)}","gasCost":"'
        middle = f'","memSize":{len(f.memory)},"stack":[{stack}],"depth":{f.msg.depth + 1},"refund":'
        self.steps[-1] = Step(f, pc, op, f.gas, head, middle, f.ctx.journal.refund)

    def end(self, f: Frame) -> None:
        """The handler returned; a REVERT is reported as EELS reports it, as an error."""
        step = self.steps[-1]
        if step is not None and not step.written:
            if step.op == SSTORE:
                step.refund = f.ctx.journal.refund  # EELS reads it after SSTORE's refund change
            self._write(step, step.gas - f.gas + step.given_back, REVERT if f.reverted else "")

    def give_back(self, gas: i64) -> None:
        """A call failed before its message started (value, depth) and returned `gas`."""
        step = self.steps[-1]
        if step is not None:
            step.given_back = gas

    def fault(self, f: Frame, error: str, cost: i64) -> None:
        """The step halted exceptionally; `cost` is what it paid plus the charge that failed.
        (EELS charges static and dynamic gas at once; where pevm's first of several dynamic
        charges fails, the line shows less than EELS's.)"""
        step = self.steps[-1]
        if step is None or step.written:
            return
        if error == "InvalidOpcode":
            step.name = error  # EELS names an undefined opcode's line after the error
        self._write(step, cost, error)

    # --- transactions (interp.tx) -------------------------------------------------------------
    def transaction_end(self, gas_used: i64, output: bytes) -> None:
        """EELS's closing line: the top frame's output and the execution gas it used."""
        out = self.out
        if out is None:
            return
        error = f',"error":"{self.error}"' if self.error else ""
        out.write(f'{{"output":"{output.hex()}","gasUsed":"{hex(gas_used)}"{error}}}\n')

    def _write(self, step: Step, cost: i64, error: str) -> None:
        step.written = True
        out = self.out
        if out is None:
            return
        suffix = f',"error":"{error}"}}\n' if error else "}\n"
        out.write(f'{step.head}{hex(cost)}{step.middle}{step.refund},"opName":"{step.name}"{suffix}')
        self.lines += 1
