"""The two oracles: parallel == sequential on generated blocks, pevm == EELS on generated cases.

Each check returns None when the two sides agree, else a one-line description of the first
difference (what the campaign reports and names its reproducer after).
"""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from interp import errors
from interp.block import BlockResult, ReceiptsSoFar, block_env, execute_block, finish_block, post_block, pre_block
from interp.env import BlockEnv
from interp.errors import InvalidTransaction
from interp.forks import ForkRules
from interp.header import Block
from interp.journal import Journal
from interp.plain_state import PlainState
from interp.receipt import logs_hash
from interp.state_root import state_root
from interp.trace import Tracer
from interp.transaction import Transaction
from interp.tx import TxResult, execute_transaction
from parallel.executor import execute_transactions_parallel, execute_with_lookahead
from parallel.lookahead import Front
from parallel.paths import BLOCK_STM, LOOKAHEAD, TRANSFER_GROUPS
from parallel.senders import SenderRecovery
from parallel.transfer_groups import execute_with_groups
from pevm import workloads
from pevm.compare import difference
from pevm.fuzz.case import Case
from pevm.fuzz.strategies import fresh_copy
from pevm.peers import peer_pythons
from primitives.spread import serially

WORKERS: Final = (2, 4, 8)
EELS_TIMEOUT_SECONDS: Final = 120.0
DRIVER: Final = Path(__file__).with_name("eels_driver.py")
# A 1024-deep call chain is ~6,000 frames; hypothesis lowers the limit to its depth + 2,000.
RECURSION_LIMIT: Final = 100_000


@contextmanager
def deep_recursion() -> Iterator[None]:
    """Allow the EVM's full call depth, then restore the limit hypothesis set (it checks)."""
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, RECURSION_LIMIT))
    try:
        yield
    finally:
        sys.setrecursionlimit(limit)


# --- (a) parallel == sequential ------------------------------------------------------------------
RunTransactions = Callable[[PlainState, Block, BlockEnv, ForkRules], list[TxResult]]


def execute_forced(
    workload: workloads.Workload, transactions: RunTransactions, receipts: ReceiptsSoFar | None = None
) -> BlockResult:
    """The block with its transactions run by `transactions`, whatever `choose_path` would pick;
    `receipts`: those `transactions` built on the way, as the lookahead's front does."""
    block, fork_rules = workload.block, workload.rules
    env = block_env(block.header, fork_rules, workload.chain_id)
    pre_block(workload.state, block, fork_rules, env)
    results = transactions(workload.state, block, env, fork_rules)
    requests = post_block(workload.state, block, fork_rules, env, results)
    return finish_block(block, fork_rules, results, None, requests, serially, receipts)


def execute_parallel(workload: workloads.Workload, workers: int) -> BlockResult:
    """The block through Block-STM, forced even when it is too small to pay off."""
    return execute_forced(workload, lambda state, block, env, rules: execute_transactions_parallel(
        state, block, env, rules, workers))  # fmt: skip


def execute_groups(workload: workloads.Workload, workers: int) -> BlockResult:
    """The block with every run of plain transfers as transfer groups, however short."""
    return execute_forced(workload, lambda state, block, env, rules: execute_with_groups(
        state, block.transactions, env, rules, workers, f"{block.header.number}", 1))  # fmt: skip


def execute_lookahead(workload: workloads.Workload, workers: int) -> BlockResult:
    """The block with lookahead first (then Block-STM where results ahead failed), forced; the
    front builds the receipts of what it takes, as in the executor."""
    receipts = ReceiptsSoFar(workload.rules)

    def run(state: PlainState, block: Block, env: BlockEnv, rules: ForkRules) -> list[TxResult]:
        block_id = f"{block.header.number}"
        return execute_with_lookahead(state, block.transactions, env, rules, workers, block_id, None, None, receipts)

    return execute_forced(workload, run, receipts)


def execute_all_ahead(workload: workloads.Workload, workers: int) -> BlockResult:
    """Lookahead's verdicts on every result: the whole block executed ahead on this thread
    (segments claimed as a worker claims them), then judged and taken by the front in order as
    the executor takes the rest (`Front.take_rest`), a result that holds as it is. On threads
    the meeting point decides which results are judged, and Block-STM, validating what it is
    handed, takes over from two failed ones: a wrong verdict on a segment's credits diverged in
    1 of ~13,000 threaded cases. The front builds the receipts from the logs digested ahead
    (dropping those of results it executes again). `workers` is not used."""
    receipts = ReceiptsSoFar(workload.rules)

    def run(state: PlainState, block: Block, env: BlockEnv, rules: ForkRules) -> list[TxResult]:
        front = Front(state, block.transactions, env, rules, f"{block.header.number}", None, receipts)
        front.share()
        front.work.execute_ahead()
        front.take_rest(front.judge_rest())
        return front.results

    return execute_forced(workload, run, receipts)


class GivenSenders(SenderRecovery):
    """Recovery on the way for generated blocks, which are unsigned: each sender comes from a
    list, and executing ahead is always worth it (else blocks of few senders would never)."""

    def __init__(self, transactions: list[Transaction], senders: list[int], rules: ForkRules, chain_id: int) -> None:
        super().__init__(transactions, rules, chain_id)
        self.senders = senders

    def sender(self, index: int) -> int:
        return self.senders[index]

    def worth_looking_ahead(self) -> bool:
        return self.finish() is None


def without_sender(tx: Transaction, nonce: int | None = None, r: int | None = None, s: int | None = None) -> Transaction:
    """A copy of `tx` whose sender is still to be recovered (0); with another `nonce`, `r` or `s`
    if given (so with another signer, or none)."""
    return Transaction(tx.tx_type, tx.chain_id, tx.nonce if nonce is None else nonce, tx.gas_limit, tx.to, tx.value,
                       tx.data, tx.gas_price, tx.max_fee_per_gas, tx.max_priority_fee_per_gas, tx.access_list,
                       tx.max_fee_per_blob_gas, tx.blob_hashes, tx.authorizations, tx.v, tx.r if r is None else r,
                       tx.s if s is None else s, 0)  # fmt: skip


def execute_recovering(workload: workloads.Workload, workers: int) -> BlockResult:
    """The block with lookahead, its senders recovered on the way (`SenderRecovery`): copies of
    its transactions start without senders, so a sender read before it is published shows."""
    receipts = ReceiptsSoFar(workload.rules)

    def run(state: PlainState, block: Block, env: BlockEnv, rules: ForkRules) -> list[TxResult]:
        unsent = [without_sender(tx) for tx in block.transactions]
        recovery = GivenSenders(unsent, [tx.sender for tx in block.transactions], rules, workload.chain_id)
        block_id = f"{block.header.number}"
        return execute_with_lookahead(state, unsent, env, rules, workers, block_id, None, recovery, receipts)

    return execute_forced(workload, run, receipts)


ALL_AHEAD: Final = "all ahead"
RECOVERING: Final = "senders on the way"
PARALLEL_PATHS: Final = {
    BLOCK_STM: execute_parallel,
    TRANSFER_GROUPS: execute_groups,
    LOOKAHEAD: execute_lookahead,
    ALL_AHEAD: execute_all_ahead,
    RECOVERING: execute_recovering,
}


def _outcome(run: Any) -> tuple[BlockResult | None, str | None]:
    try:
        return run(), None
    except InvalidTransaction as invalid:
        return None, invalid.kind


def check_parallel(workload: workloads.Workload, workers: int) -> str | None:
    """Run copies of the block sequentially and with `workers` threads on each parallel path."""
    with deep_recursion():
        for name, execute in PARALLEL_PATHS.items():
            found = _check_parallel(workload, workers, execute)
            if found is not None:
                return f"{name}, {found}"
    return None


def _check_parallel(workload: workloads.Workload, workers: int, execute: Any) -> str | None:
    reference = fresh_copy(workload)
    candidate = fresh_copy(workload)
    expected, expected_error = _outcome(lambda: execute_block(reference.state, reference.block, reference.rules,
                                                              reference.chain_id))  # fmt: skip
    result, error = _outcome(lambda: execute(candidate, workers))
    if expected_error is not None or error is not None:
        if expected_error != error:
            return f"{workers} workers: invalid block verdict {error} != sequential {expected_error}"
        return None
    assert expected is not None and result is not None
    diff = difference(expected, reference.state, result, candidate.state)
    return None if diff is None else f"{workers} workers: {diff}"


# --- (b) pevm == EELS ---------------------------------------------------------------------------
# pevm's rejection kinds -> the EELS exception classes that mean the same.
REJECTIONS: Final[dict[str, frozenset[str]]] = {
    errors.TX_NONCE_TOO_HIGH: frozenset({"NonceMismatchError"}),
    errors.TX_NONCE_TOO_LOW: frozenset({"NonceMismatchError"}),
    errors.TX_NONCE_OVERFLOW: frozenset({"NonceOverflowError"}),
    errors.TX_INSUFFICIENT_FUNDS: frozenset({"InsufficientBalanceError"}),
    errors.TX_INTRINSIC_GAS: frozenset({"InsufficientTransactionGasError"}),
    errors.TX_GAS_ABOVE_BLOCK_LIMIT: frozenset({"GasUsedExceedsLimitError"}),
    # A legacy gas price below the base fee is a bare InvalidBlock in the specification.
    errors.TX_INSUFFICIENT_MAX_FEE: frozenset({"InsufficientMaxFeePerGasError", "InvalidBlock"}),
    errors.TX_PRIORITY_ABOVE_MAX_FEE: frozenset({"PriorityFeeGreaterThanMaxFeeError"}),
    errors.TX_BLOB_FEE_TOO_LOW: frozenset({"InsufficientMaxFeePerBlobGasError"}),
    errors.TX_BLOB_EMPTY: frozenset({"NoBlobDataError"}),
    errors.TX_BLOB_VERSIONED_HASH: frozenset({"InvalidBlobVersionedHashError"}),
    errors.TX_BLOB_TOO_MANY: frozenset({"BlobGasLimitExceededError"}),
    errors.TX_BLOB_TOO_MANY_PER_TX: frozenset({"BlobGasLimitExceededError"}),
    # A blob transaction without `to` cannot even be decoded by the specification's loader.
    errors.TX_BLOB_CREATE: frozenset({"TransactionTypeContractCreationError", "Malformed"}),
    errors.TX_INITCODE_TOO_LARGE: frozenset({"InitCodeTooLargeError"}),
    errors.TX_SENDER_NOT_EOA: frozenset({"InvalidSenderError"}),
}
# Precompile failures pevm reports as out of gas; the consensus effect is the same.
HALTS: Final[dict[str, str]] = {"InvalidParameter": "OutOfGasError", "KZGProofError": "OutOfGasError"}
# An opcode short of both stack items and gas: pevm checks the stack first (as geth and evmone
# do), EELS charges gas first for some opcodes (DUP, SWAP, ...). Either halt consumes all gas.
CHECK_ORDER: Final = frozenset({"StackUnderflowError", "StackOverflowError", "OutOfGasError"})


def same_halt(pevm: str | None, eels: str | None) -> bool:
    return pevm == eels or (pevm in CHECK_ORDER and eels in CHECK_ORDER)


@dataclass(frozen=True)
class Outcome:
    """What a transaction did, in the terms both sides can report."""

    state_root: str
    logs_hash: str
    gas_used: int
    output: str
    error: str | None  # how the top frame ended (EELS class names, "Revert"), None on success
    rejected: str | None  # pevm kind or EELS class of the rejection


def run_pevm(case: Case, traced: bool = False) -> Outcome:
    """The case through pevm; with `traced`, through the traced loop (which also names the
    top frame's halt)."""
    state = case.state()
    env = case.block_env()
    tracer = Tracer(None) if traced else None
    rejected: str | None = None
    result: TxResult | None = None
    try:
        result = execute_transaction(Journal(state), env, case.transaction(), case.rules(), env.gas_limit, tracer)
        state.apply(result.writes)
    except InvalidTransaction as invalid:
        rejected = invalid.kind
    return Outcome(
        "0x" + state_root(state).hex(),
        "0x" + logs_hash(result.logs if result is not None else []).hex(),
        result.gas_used if result is not None else 0,
        "0x" + (result.output.hex() if result is not None else ""),
        (tracer.error or None) if tracer is not None else None,
        rejected,
    )


def compare(pevm: Outcome, eels: dict[str, Any]) -> str | None:
    """The first field where pevm and EELS disagree."""
    if (pevm.rejected is None) != (eels["rejected"] is None):
        return f"validity: pevm rejected={pevm.rejected} eels rejected={eels['rejected']}"
    if pevm.rejected is not None and eels["rejected"] not in REJECTIONS.get(pevm.rejected, frozenset()):
        return f"rejection kind: pevm {pevm.rejected} eels {eels['rejected']}"
    if pevm.gas_used != eels["gasUsed"]:
        return f"gas used: pevm {pevm.gas_used} eels {eels['gasUsed']}"
    eels_error = HALTS.get(eels["error"], eels["error"])
    if pevm.rejected is None and not same_halt(pevm.error, eels_error):
        return f"top frame: pevm {pevm.error} eels {eels_error}"
    if pevm.output != eels["output"]:
        return f"output: pevm {pevm.output[:42]} eels {eels['output'][:42]}"
    if pevm.logs_hash != eels["logsHash"]:
        return "logs hash"
    if pevm.state_root != eels["stateRoot"]:
        return "state root"
    return None


class EelsUnavailable(Exception):
    """The executable specification is not installed (see `make peers`)."""


def eels_python() -> Path:
    """EELS's interpreter: $PEVM_EELS_PYTHON, else .venv-peers/eels (made by `make peers`)."""
    configured = os.environ.get("PEVM_EELS_PYTHON")
    candidates = [Path(configured)] if configured and Path(configured).is_file() else []
    candidates += peer_pythons("eels")
    if candidates:
        return candidates[0]
    raise EelsUnavailable("EELS not found: run `make peers` (creates .venv-peers/eels) or set PEVM_EELS_PYTHON")


class Eels:
    """One long-lived EELS process (start-up costs seconds): a state test in, its result out."""

    def __init__(self, python: Path | None = None) -> None:
        self.python = python or eels_python()
        self.process: subprocess.Popen[str] | None = None

    def _start(self) -> subprocess.Popen[str]:
        if self.process is None or self.process.poll() is not None:
            self.process = subprocess.Popen(
                [str(self.python), str(DRIVER)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL, text=True, bufsize=1,
            )  # fmt: skip
        return self.process

    def run(self, test: dict[str, Any]) -> dict[str, Any] | None:
        """EELS's result for one state test; None when it took too long or crashed (the
        process is restarted and the case counts as skipped)."""
        process = self._start()
        assert process.stdin is not None and process.stdout is not None
        process.stdin.write(json.dumps({"test": test}) + "\n")
        process.stdin.flush()
        ready, _, _ = select.select([process.stdout], [], [], EELS_TIMEOUT_SECONDS)
        line = process.stdout.readline() if ready else ""
        if not line:
            self.close()
            return None
        reply: dict[str, Any] = json.loads(line)
        if "crash" in reply:
            print(f"pevm fuzz: EELS crashed on a case:\n{reply['crash']}", file=sys.stderr)
            return None
        return reply

    def close(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None


def check_eels(case: Case, eels: Eels) -> str | None:
    """pevm (plain and traced loops) against EELS; None when they agree or EELS gave no answer."""
    with deep_recursion():
        plain = run_pevm(case)
        traced = run_pevm(case, traced=True)
    if (plain.state_root, plain.logs_hash, plain.gas_used, plain.output) != (
        traced.state_root, traced.logs_hash, traced.gas_used, traced.output
    ):  # fmt: skip
        return "pevm's traced loop disagrees with its plain loop"
    reference = eels.run(case.state_test("case"))
    if reference is None:
        return None
    return compare(traced, reference)
