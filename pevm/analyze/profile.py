"""Measuring a block: per-transaction costs and read/write sets, and what a worker pays.

`profile_block` runs the block the way `interp.block.execute_block` does (same phases, same
`execute_transaction` on a fresh `Journal` over the plain state, writes applied after each
transaction), timing every transaction and keeping the read and write sets its journal recorded.
It then replays the block through a real `MvMemory` in a worker-sized thread, in block order, so
each transaction sees exactly its sequential inputs: that times what Block-STM pays per
execution (journal over `MvView`), per `MvMemory.record` and per `validate_read_set`, and, run
in several threads at once, how much running side by side slows each thread on this machine.
Every figure comes from the fastest of several runs (the first also warms code-analysis caches);
per-transaction figures from the fastest run as a whole.
"""

from __future__ import annotations

import gc
import threading
import time
from collections.abc import Callable
from typing import Final

from interp.block import block_env, finish_block, post_block, pre_block
from interp.env import BlockEnv
from interp.journal import Journal
from interp.plain_state import PlainState
from interp.tx import TxResult, execute_transaction
from parallel.executor import execute_transactions_parallel
from parallel.mv_memory import VALID, MvMemory
from parallel.mv_view import MvView
from parallel.pool import run_jobs
from pevm import workloads
from pevm.analyze.targets import Target


CONTENTION_THREADS: Final = 2
CONTENTION_SECONDS: Final = 0.05  # replay rounds per contention sample: about this long


class TxProfile:
    """One transaction: its costs (seconds) and what it read and wrote."""

    def __init__(self, gas: int, sender: int, reads: dict[int, object], writes: dict[int, object], logs: int = 0,
                 recipient: int = -1) -> None:  # fmt: skip
        self.gas = gas
        self.logs = logs  # how many logs it emitted (receipts are built in parts of logs too)
        self.sender = sender
        self.recipient = recipient  # the callee, -1 for a creation: the scheduler's lanes
        self.reads = reads  # location -> value seen, in first-read order
        self.writes = writes  # location -> value; a BalanceDelta is a lazy credit
        self.seconds = float("inf")  # sequential execution
        self.apply_seconds = float("inf")  # PlainState.apply of its writes
        self.exec_seconds = float("inf")  # execution over MvView in a worker thread
        self.record_seconds = float("inf")  # MvMemory.record
        self.validate_seconds = float("inf")  # MvMemory.validate_read_set


class BlockProfile:
    """A profiled block: per-transaction profiles plus the costs around the transactions."""

    def __init__(self, name: str, txs: list[TxProfile]) -> None:
        self.name = name
        self.txs = txs
        self.sequential_seconds = float("inf")  # the whole block, as execute_block runs it
        self.pre_seconds = float("inf")  # pre-block system calls (both modes pay them)
        self.memory_seconds = float("inf")  # building MvMemory
        self.tail_seconds = float("inf")  # the parallel executor after its workers: see _replay
        self.receipts_seconds = float("inf")  # finish_block on one thread; the executor spreads it
        self.contention: dict[int, float] = {}  # threads running at once -> slowdown of each
        self.executor_seconds: dict[int, float] = {}  # workers -> the executor's fixed cost

    @property
    def gas(self) -> int:
        return sum(tx.gas for tx in self.txs)


def _in_thread(work: Callable[[], None], count: int = 1) -> None:
    """Run `work` on `count` of the executor's pool threads, started together."""
    barrier = threading.Barrier(count)

    def body() -> None:
        barrier.wait()
        work()

    batch = run_jobs([body] * count)
    batch.wait()
    if batch.errors:
        raise batch.errors[0]


def _sequential_pass(target: Target, profile: BlockProfile | None) -> tuple[BlockProfile, PlainState, BlockEnv]:
    """One sequential run; fills or tightens `profile`. Returns it with the post-pre-block state."""
    block, rules = target.block, target.rules
    state = target.state.copy()
    clock = time.perf_counter
    start = clock()
    env = block_env(block.header, rules, target.chain_id)
    pre_block(state, block, rules, env)
    paused = clock()
    after_pre = state.copy()  # the replay's base state; not part of the block's time
    resumed = clock()
    results: list[TxResult] = []
    timings: list[tuple[float, float]] = []
    gas_used = 0
    for tx in block.transactions:
        a = clock()
        result = execute_transaction(Journal(state), env, tx, rules, env.gas_limit - gas_used)
        b = clock()
        state.apply(result.writes)
        timings.append((b - a, clock() - b))
        gas_used += result.gas_used
        results.append(result)
    requests = post_block(state, block, rules, env, results)
    finish_block(block, rules, results, None, requests)
    end = clock()
    if profile is None:
        txs = [TxProfile(result.gas_used, tx.sender, result.reads, result.writes, len(result.logs),
                         -1 if tx.to is None else tx.to)
               for tx, result in zip(block.transactions, results)]  # fmt: skip
        profile = BlockProfile(target.name, txs)
    if sum(seconds + applied for seconds, applied in timings) < sum(tx.seconds + tx.apply_seconds for tx in profile.txs):
        for tx_profile, (seconds, apply_seconds) in zip(profile.txs, timings):
            tx_profile.seconds = seconds
            tx_profile.apply_seconds = apply_seconds
    profile.pre_seconds = min(profile.pre_seconds, paused - start)
    profile.sequential_seconds = min(profile.sequential_seconds, end - start - (resumed - paused))
    return profile, after_pre, env


def _replay(target: Target, profile: BlockProfile, base: PlainState, env: BlockEnv) -> None:
    """Block order through MvMemory in one worker thread: execution, record, validation costs;
    then, back on the calling thread, the executor's tail: applying every write set in order,
    post-block and freeing the memory; and apart from it, receipts (`finish_block`) over results
    another thread built, on one thread.

    As in the executor, the memory is built by the calling thread and used by the worker."""
    transactions = target.block.transactions
    block, rules = target.block, target.rules
    clock = time.perf_counter
    start = clock()
    memories = [MvMemory(len(transactions), base)]
    profile.memory_seconds = min(profile.memory_seconds, clock() - start)
    results: list[TxResult] = []

    timings: list[tuple[float, float, float]] = []

    def work() -> None:
        memory = memories[0]
        for index, tx in enumerate(transactions):
            a = clock()
            journal = Journal(MvView(memory, base, index))
            result = execute_transaction(journal, env, tx, rules, env.gas_limit)
            b = clock()
            memory.record(index, journal.reads, result.writes)
            timings.append((b - a, clock() - b, 0.0))
            results.append(result)
        for index in range(len(transactions)):
            a = clock()
            valid = memory.validate_read_set(index) == VALID
            timings[index] = (timings[index][0], timings[index][1], clock() - a)
            assert valid, f"{profile.name}: transaction {index} does not validate against its own sequential run"

    _in_thread(work)
    # Keep the fastest pass as a whole, not each transaction's fastest: the block's time is
    # compared with other totals (a sum of per-transaction minimums is never observed).
    best = sum(tx.exec_seconds + tx.record_seconds + tx.validate_seconds for tx in profile.txs)
    if sum(sum(timing) for timing in timings) < best:
        for tx_profile, (executed, recorded, validated) in zip(profile.txs, timings):
            tx_profile.exec_seconds = executed
            tx_profile.record_seconds = recorded
            tx_profile.validate_seconds = validated
    state = base.copy()
    start = clock()
    for writes in memories[0].last_writes:
        state.apply(writes)
    requests = post_block(state, block, rules, env, results)
    tail = clock() - start
    receipts_start = clock()
    finish_block(block, rules, results, None, requests)
    receipts = clock() - receipts_start
    start = clock()
    memories.clear()  # the executor frees its MvMemory before returning
    profile.tail_seconds = min(profile.tail_seconds, tail + clock() - start)
    profile.receipts_seconds = min(profile.receipts_seconds, receipts)


def _final_memory(target: Target, base: PlainState, env: BlockEnv) -> MvMemory:
    """An MvMemory holding the block's final writes (every transaction recorded in order)."""
    memory = MvMemory(len(target.block.transactions), base)
    _replay_share(target, memory, base, env, 0, 1, 1)
    return memory


def _replay_share(target: Target, memory: MvMemory, base: PlainState, env: BlockEnv, share: int, threads: int,
                  rounds: int) -> float:
    """Execute and record every `threads`-th transaction from `share` over one shared MvMemory
    that holds the block's final writes (so every read is right and every record rewrites equal
    values), `rounds` times; returns the seconds spent executing and recording."""
    transactions = target.block.transactions
    rules = target.rules
    clock = time.perf_counter
    spent = 0.0
    for _ in range(rounds):
        for index in range(share, len(transactions), threads):
            start = clock()
            journal = Journal(MvView(memory, base, index))
            result = execute_transaction(journal, env, transactions[index], rules, env.gas_limit)
            memory.record(index, journal.reads, result.writes)
            spent += clock() - start
    return spent


def executor_seconds(workers: int) -> float:
    """The executor's fixed cost with `workers` threads: one run of the real
    `execute_transactions_parallel` over an empty block (memory, scheduler, handing the
    workers to pool threads and waiting for them), which dominates the shortest blocks."""
    workload = workloads.raw_transfers(0)
    block, rules = workload.block, workload.rules
    env = block_env(block.header, rules, workload.chain_id)
    state = workload.state.copy()
    start = time.perf_counter()
    execute_transactions_parallel(state, block, env, rules, workers)
    return time.perf_counter() - start


class Profiler:
    """Profiles a block step by step, so callers can interleave steps with other timings (on a
    shared machine, what matters is that compared timings saw the same neighbours)."""

    def __init__(self, target: Target, contention_threads: tuple[int, ...] = (CONTENTION_THREADS,)) -> None:
        self.target = target
        self.contention_threads = tuple(threads for threads in contention_threads if threads > 1)
        self.profile: BlockProfile | None = None
        self.base = PlainState()
        self.env: BlockEnv | None = None
        self.memory: MvMemory | None = None  # holding the final writes, for contention samples
        self.rounds = 0  # replay rounds per contention sample (about CONTENTION_SECONDS)
        self.solo = float("inf")
        self.together: dict[int, float] = {}

    def step(self) -> BlockProfile:
        """One sequential pass, one replay and one contention sample; the minimums so far."""
        collecting = gc.isenabled()
        gc.disable()
        try:
            self.profile, self.base, self.env = _sequential_pass(self.target, self.profile)
            # Right after a sequential run, as measured parallel runs come: an idle core may be
            # slow to wake (milliseconds on some virtual machines).
            fixed = self.profile.executor_seconds
            for workers in (1, *self.contention_threads):
                fixed[workers] = min(fixed.get(workers, float("inf")), executor_seconds(workers))
            _replay(self.target, self.profile, self.base, self.env)
            if self.profile.txs:
                self._sample_contention(self.base, self.env)
            return self.profile
        finally:
            if collecting:
                gc.enable()

    def _sample_contention(self, base: PlainState, env: BlockEnv) -> None:
        """N threads execute the block's transactions round-robin over one shared MvMemory, as
        workers do, versus one thread executing them all: how much slower each execution gets
        beside the others (shared memory, shared base state, the machine's cores)."""
        if not self.contention_threads:
            return
        if self.memory is None:
            self.memory = _final_memory(self.target, base, env)
        memory = self.memory
        spent: list[float] = []
        lock = threading.Lock()

        def sample(threads: int) -> float:
            shares = list(range(threads))
            spent.clear()

            def work() -> None:
                with lock:
                    share = shares.pop()
                seconds = _replay_share(self.target, memory, base, env, share, threads, max(1, self.rounds))
                with lock:
                    spent.append(seconds)

            _in_thread(work, threads)
            return sum(spent)

        if self.rounds == 0:
            self.rounds = 1
            self.rounds = max(1, min(200, int(CONTENTION_SECONDS / max(sample(1), 1e-6))))
        self.solo = min(self.solo, sample(1))
        for threads in self.contention_threads:
            self.together[threads] = min(self.together.get(threads, float("inf")), sample(threads))
        assert self.profile is not None
        self.profile.contention = {threads: max(1.0, together / self.solo) for threads, together in self.together.items()}


def profile_block(target: Target, passes: int = 2, contention_threads: tuple[int, ...] = (CONTENTION_THREADS,)) -> BlockProfile:
    """Profile `target` (see the module docstring): the minimums over `passes` steps."""
    profiler = Profiler(target, contention_threads)
    profile = profiler.step()
    for _ in range(passes - 1):
        profile = profiler.step()
    return profile
