"""GeneralStateTests: one transaction against a pre-state; check the post state root, the
logs hash and, for rejected transactions, the exception kind.

Each (test, fork, data/gas/value index) is a case, identified as
`<file>::<test>[<fork>-d<data>g<gas>v<value>]`. Cases of one file run in order; files run in
parallel (`run_files`): threads on the free-threaded build, processes where a GIL would serialise
threads.
"""

from __future__ import annotations

import multiprocessing
import sys
import threading
import time
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import Any, Callable, TypeVar

from ethtests.exceptions import mismatch
from ethtests.fixtures import (
    AccountState, FixtureError, PostCase, StateTest, fixture_files, load_state_tests, parse_accounts,
)  # fmt: skip
from ethtests.report import FAILED, PASSED, SKIPPED, CaseResult, Reporter, repeated
from interp.env import BlockEnv
from interp.errors import TX_MALFORMED, InvalidTransaction
from interp.forks import BlobSchedule, ForkRules, UnknownFork, fork_id, rules
from interp.journal import Journal
from interp.plain_state import PlainState
from interp.receipt import logs_hash
from interp.state_root import state_root
from interp.transaction import Authorization, Transaction
from interp.tx import blob_base_fee, execute_transaction
from parallel.executor import execute_transaction_list
from primitives.secp256k1 import private_key_to_address

WORD = 1 << 256
# Call depth 1024 recurses deeply in C (compiled frames) and in the interpreter (pure Python).
THREAD_STACK_BYTES = 256 * 1024 * 1024
RECURSION_LIMIT = 100_000
PARALLEL_WORKERS = 2  # `--parallel`'s default: two threads, so the scheduler's hand-offs are exercised

FileRunner = Callable[[Path, str | None, str | None], list[CaseResult]]
T = TypeVar("T")


# --- building interpreter inputs ---------------------------------------------------------------
def state_from_accounts(accounts: dict[int, AccountState]) -> PlainState:
    """A PlainState holding `accounts`; it knows no block hashes (BLOCKHASH of legacy state tests)."""
    state = PlainState()
    for address, account in accounts.items():
        state.set_account(address, account.balance, account.nonce, account.code, dict(account.storage))
    return state


def build_state(pre: dict[str, Any], where: str) -> PlainState:
    """A PlainState from a fixture's raw `pre` object (`where` names it in errors)."""
    return state_from_accounts(parse_accounts(pre, f"{where}.pre"))


def fork_rules(test: StateTest, fork: str) -> ForkRules:
    """The fork's rules, with the fixture's blob schedule when it gives one (EIP-7691)."""
    entry = test.blob_schedule.get(fork)
    if entry is None:
        return rules(fork_id(fork))
    return ForkRules(fork_id(fork), BlobSchedule(entry.target, entry.max, entry.base_fee_update_fraction))


def block_env(test: StateTest, fork_rules_: ForkRules) -> BlockEnv:
    env = test.env
    return BlockEnv(
        env.coinbase, env.number, env.timestamp, env.gas_limit, env.difficulty, env.random, env.base_fee,
        env.excess_blob_gas, blob_base_fee(env.excess_blob_gas, fork_rules_), test.chain_id,
        env.parent_beacon_block_root,
    )  # fmt: skip


class SenderMismatch(Exception):
    """The fixture's `sender` is not the address of its `secretKey` (or our secp256k1 is wrong)."""


def sender_of(test: StateTest) -> int:
    """The sender from `secretKey`; a fixture `sender` that disagrees is a failure, not a guess."""
    tx = test.transaction
    if tx.secret_key is None:
        assert tx.sender is not None  # the loader requires one of them
        return tx.sender
    derived = private_key_to_address(tx.secret_key)
    if tx.sender is not None and tx.sender != derived:
        raise SenderMismatch(f"secretKey gives sender 0x{derived:040x}, the fixture says 0x{tx.sender:040x}")
    return derived


def build_transaction(test: StateTest, case: PostCase, sender: int) -> Transaction:
    """The case's transaction; raises InvalidTransaction for values no encoding can carry."""
    tx = test.transaction
    tx_type = tx.tx_type(case.data)
    fields = (
        ("nonce", tx.nonce), ("gasLimit", tx.gas_limits[case.gas]), ("value", tx.values[case.value]),
        ("gasPrice", tx.gas_price or 0), ("maxFeePerGas", tx.max_fee_per_gas or 0),
        ("maxPriorityFeePerGas", tx.max_priority_fee_per_gas or 0), ("maxFeePerBlobGas", tx.max_fee_per_blob_gas or 0),
    )  # fmt: skip
    for name, number in fields:
        if not 0 <= number < WORD:
            raise InvalidTransaction(TX_MALFORMED, f"{name} does not fit 256 bits")
    authorizations = tuple(
        Authorization(a.chain_id, a.address, a.nonce, a.y_parity, a.r, a.s) for a in tx.authorizations or ()
    )
    return Transaction(
        tx_type, test.chain_id if tx_type != 0 else None, tx.nonce, tx.gas_limits[case.gas], tx.to,
        tx.values[case.value], tx.data[case.data], tx.gas_price or 0, tx.max_fee_per_gas or 0,
        tx.max_priority_fee_per_gas or 0, tx.access_list(case.data) or (), tx.max_fee_per_blob_gas or 0,
        tx.blob_versioned_hashes or (), authorizations, 0, 0, 0, sender,
    )  # fmt: skip


# --- checking ------------------------------------------------------------------------------------
def first_difference(state: PlainState, expected: dict[int, AccountState]) -> str:
    """The first account or slot (by address, then slot) where the post state differs."""
    for address in sorted(set(expected) | set(state.accounts)):
        ours = state.accounts.get(address)
        theirs = expected.get(address)
        name = f"0x{address:040x}"
        if ours is None:
            return f"account {name} missing"
        if theirs is None:
            return f"account {name} unexpected (balance {ours.balance}, nonce {ours.nonce})"
        if ours.balance != theirs.balance:
            return f"{name} balance {ours.balance} != expected {theirs.balance}"
        if ours.nonce != theirs.nonce:
            return f"{name} nonce {ours.nonce} != expected {theirs.nonce}"
        if ours.code.code != theirs.code:
            return f"{name} code differs ({ours.code.size} bytes, expected {len(theirs.code)})"
        for slot in sorted(set(theirs.storage) | set(ours.storage)):
            mine, want = ours.storage.get(slot, 0), theirs.storage.get(slot, 0)
            if mine != want:
                return f"{name} slot {slot:#x} = {mine:#x}, expected {want:#x}"
    return "accounts agree with the expected post state; the trie root differs"


def run_case(test: StateTest, case: PostCase, pre: PlainState, sender: int, case_id: str, workers: int = 0) -> CaseResult:
    """Execute one case on a copy of `pre` and compare exception, state root and logs hash;
    with `workers`, through Block-STM (MvMemory, lazy fee and transfer deltas) as a 1-tx block."""
    fork_rules_ = fork_rules(test, case.fork)
    env = block_env(test, fork_rules_)
    state = pre.copy()
    logs: list[Any] = []
    try:
        tx = build_transaction(test, case, sender)
        if workers:
            logs = execute_transaction_list(state, [tx], env, fork_rules_, workers, case_id)[0].logs
        else:
            result = execute_transaction(Journal(state), env, tx, fork_rules_, env.gas_limit)
            state.apply(result.writes)
            logs = result.logs
        if case.expect_exception is not None:
            return CaseResult(case_id, FAILED, f"expected {case.expect_exception}, but the transaction was valid")
    except InvalidTransaction as invalid:
        if case.expect_exception is None:
            return CaseResult(case_id, FAILED, f"unexpected invalid transaction: {invalid}")
        reason = mismatch(case.expect_exception, invalid.kind)
        if reason is not None:
            return CaseResult(case_id, FAILED, reason)
    root = state_root(state)
    if root != case.hash:
        reason = f"state root 0x{root.hex()} != 0x{case.hash.hex()}"
        if case.state is not None:
            reason += f": {first_difference(state, case.state)}"
        return CaseResult(case_id, FAILED, reason)
    logs_root = logs_hash(logs)
    if logs_root != case.logs:
        return CaseResult(case_id, FAILED, f"logs hash 0x{logs_root.hex()} != 0x{case.logs.hex()} ({len(logs)} logs)")
    return CaseResult(case_id, PASSED)


def run_test(test: StateTest, file_name: str, fork: str | None, pattern: str | None, workers: int = 0) -> list[CaseResult]:
    """The test's cases selected by `fork` and `pattern` (a substring of the case id), in order."""
    selected = [(case, case.case_id(file_name, test.name)) for case in test.posts if fork in (None, case.fork)]
    selected = [(case, case_id) for case, case_id in selected if pattern is None or pattern in case_id]
    if not selected:
        return []
    try:
        sender = sender_of(test)
        pre = state_from_accounts(test.pre)
    except Exception as error:  # noqa: BLE001 - a fixture we cannot set up fails its cases, not the run
        reason = str(error) if isinstance(error, SenderMismatch) else f"crashed: {type(error).__name__}: {error}"
        return [CaseResult(case_id, FAILED, reason) for _, case_id in selected]
    return [guarded_case(test, case, pre, sender, case_id, workers) for case, case_id in selected]


def guarded_case(test: StateTest, case: PostCase, pre: PlainState, sender: int, case_id: str,
                 workers: int = 0) -> CaseResult:  # fmt: skip
    """`run_case`, with an unknown fork or a crash reported as the case's failure."""
    try:
        fork_id(case.fork)
    except UnknownFork:
        return CaseResult(case_id, FAILED, f"unknown fork {case.fork!r}")
    try:
        return run_case(test, case, pre, sender, case_id, workers)
    except RecursionError:
        return CaseResult(case_id, FAILED, "crashed: RecursionError (call depth needs a deeper stack)")
    except Exception as error:  # noqa: BLE001 - a crash is this case's failure, not the run's
        return CaseResult(case_id, FAILED, f"crashed: {type(error).__name__}: {error}")


def run_file(path: Path, fork: str | None, pattern: str | None, workers: int = 0) -> list[CaseResult]:
    """Every selected case of one fixture file; a malformed file raises FixtureError."""
    results: list[CaseResult] = []
    for test in load_state_tests(path):
        results.extend(run_test(test, path.name, fork, pattern, workers))
    return results


def run_file_parallel(path: Path, fork: str | None, pattern: str | None, workers: int = PARALLEL_WORKERS,
                      repeats: int = 1) -> list[CaseResult]:  # fmt: skip
    """`run_file` through the parallel path on `workers` threads (`statetest --parallel`),
    `repeats` times: a case passes only if every run passes it (`repeated`)."""
    return repeated(partial(run_file, path, fork, pattern, workers), repeats)


# --- running many files ----------------------------------------------------------------------------
def check_fork(fork: str | None) -> None:
    if fork is not None:
        fork_id(fork)  # raises UnknownFork naming the known forks


def timed_run(runner: FileRunner, path: Path, fork: str | None, pattern: str | None) -> tuple[list[CaseResult], float]:
    start = time.perf_counter()
    results = runner(path, fork, pattern)
    return results, time.perf_counter() - start


def run_in_deep_thread(runner: FileRunner, path: Path, fork: str | None, pattern: str | None) -> tuple[list[CaseResult], float]:
    """`timed_run` in a fresh thread with a deep C stack (a process worker's main thread is 8 MiB)."""
    return in_deep_thread(lambda: timed_run(runner, path, fork, pattern), THREAD_STACK_BYTES)


def in_deep_thread(work: Callable[[], T], stack_bytes: int) -> T:
    """`work()` in a fresh thread with a `stack_bytes` C stack and the recursion limit a
    1024-deep call chain needs; its exception, if any, is re-raised here."""
    sys.setrecursionlimit(max(sys.getrecursionlimit(), RECURSION_LIMIT))
    outcome: list[T] = []
    failure: list[BaseException] = []

    def run() -> None:
        try:
            outcome.append(work())
        except BaseException as error:  # noqa: BLE001 - re-raised in the calling thread
            failure.append(error)

    previous = threading.stack_size(stack_bytes)
    try:
        worker = threading.Thread(target=run)
        worker.start()
        worker.join()
    finally:
        threading.stack_size(previous)
    if failure:
        raise failure[0]
    return outcome[0]


def make_pool(jobs: int) -> Executor:
    """Threads when the GIL is off (or one job); processes when a GIL would serialise threads."""
    gil = getattr(sys, "_is_gil_enabled", lambda: True)()
    if jobs > 1 and gil:
        # spawn: forking a process that already runs threads (pytest-xdist, the pool) can deadlock.
        return ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("spawn"))
    return ThreadPoolExecutor(max_workers=jobs)


def run_files(
    paths: list[Path],
    reporter_factory: Callable[[int], Reporter],
    runner: FileRunner,
    fork: str | None,
    pattern: str | None,
    jobs: int,
    json_out: Path | None,
    skip_files: tuple[str, ...] = (),
) -> int:
    """Run `runner` on every fixture file under `paths` in `jobs` workers and report; returns the
    exit code (0 only when nothing failed). `runner` must be a module-level function or a partial of
    one (processes pickle it). A file whose path ends with one of `skip_files` counts as one
    skipped result. FixtureError and UnknownFork propagate for the CLI to print."""
    check_fork(fork)
    files = fixture_files(paths)
    reporter = reporter_factory(len(files))
    skipped = [path for path in files if path.as_posix().endswith(skip_files)] if skip_files else []
    for path in skipped:
        reporter.add_file([CaseResult(path.name, SKIPPED, "--skip-file")], path, 0.0)
    files = [path for path in files if path not in skipped]
    sys.setrecursionlimit(max(sys.getrecursionlimit(), RECURSION_LIMIT))
    previous = threading.stack_size(THREAD_STACK_BYTES)  # applies to the pool's threads
    try:
        with make_pool(max(1, jobs)) as pool:
            futures: list[tuple[Path, Future[tuple[list[CaseResult], float]]]] = []
            for path in files:
                task = run_in_deep_thread if isinstance(pool, ProcessPoolExecutor) else timed_run
                futures.append((path, pool.submit(task, runner, path, fork, pattern)))
            try:
                for path, future in futures:
                    results, seconds = future.result()
                    reporter.add_file(results, path, seconds)
            except BaseException:
                for _, future in futures:
                    future.cancel()
                raise
    finally:
        threading.stack_size(previous)
    return reporter.finish(json_out)


def run_paths(paths: list[Path], fork: str | None, pattern: str | None, jobs: int, json_out: Path | None,
              durations: int = 0, skip_files: tuple[str, ...] = (), parallel: bool = False,
              workers: int = PARALLEL_WORKERS, repeats: int = 1) -> int:  # fmt: skip
    """`pevm statetest`: state tests under `paths` with the standard reporter; with `parallel`,
    through Block-STM on `workers` threads, each case `repeats` times."""

    def reporter(total: int) -> Reporter:
        return Reporter(total, durations=durations)

    runner: FileRunner = partial(run_file_parallel, workers=workers, repeats=repeats) if parallel else run_file
    return run_files(paths, reporter, runner, fork, pattern, jobs, json_out, skip_files)

