"""Runs of plain transfers, executed on several threads, each transfer after those it shares an
account with.

A plain transfer (no calldata, to an account without code, no blobs or authorizations) runs no
contract: it reads and writes only its sender, its recipient and the accounts its access list
names, and it pays the beneficiary. Transfers that share none of those accounts cannot see
each other's effects. The calling thread deals a run's transfers to queues (`Dealer`): a
transfer joins the queue of the last transfer that touched one of its accounts, or waits there
for those of other queues, and worker threads execute their queues in block order as they are
dealt, on the block's state itself, with no multi-version memory: a transfer costs here what it
costs sequentially, where Block-STM's bookkeeping costs about as much again (BENCHMARKS.md,
stop 16).

Threads share the state safely because a transfer never runs beside another touching one of its
accounts: each `Account` object is read and changed by one thread at a time, the next one
starting after the last has published its progress under a lock, and `state.accounts` (a
builtin dict) takes their inserts and removals of different keys. The beneficiary, which every
transfer pays, is the exception: its writes are held back and applied in block order after the
run. That is exact while no transfer's result depends on the beneficiary's current value, so a
transfer joins a run only if the beneficiary is not its sender, recipient or listed, and either
the beneficiary was non-empty (and so existed) when the run started, or EIP-161 applies and the
transfer pays it a non-zero fee: a zero fee makes EIP-161's touched-empty check read the
beneficiary, and before EIP-161 paying it checks that it exists; a non-empty one stays non-empty
as fees only add.

Code cannot change inside a run (no contract runs, no authorizations), so the check "to an
account without code" made when the run starts holds for all of it. Everything else (contract
calls and creations, transfers that fail the checks above, runs too short or too lopsided to
gain) executes one transaction at a time, exactly as the sequential executor does.
"""

from __future__ import annotations

import os
import threading
import time
from functools import partial
from typing import Final, cast, final

from mypy_extensions import i64

from interp.block import execute_in_order, sequential_verdict
from interp.delta import BalanceDelta
from interp.env import BlockEnv
from interp.forks import ForkRules
from interp.journal import Journal
from interp.locations import BALANCE, fields_base
from interp.plain_state import PlainState
from interp.transaction import DYNAMIC_FEE, Transaction
from interp.tx import TxResult, effective_gas_price, execute_transaction
from parallel.pool import run_jobs
from parallel.types import SchedulerStuck

# A run is handed to threads only if it is this long. Runs of n W5 transfers, 2 workers over
# sequential (medians of 40-60, development VM, groups dealt after the whole run was grouped):
# n=32 0.58-0.75x, n=64 0.66-1.03x, n=128 0.63-1.23x, n=512 0.78-1.25x, n=2000 1.00-1.07x.
# Classifying and collecting stay serial, and the hand-off to a thread costs ~0.1-0.3 ms.
MIN_RUN: Final = 64
# ... and only if, dealt to the threads, its first MIN_RUN transfers do not leave one queue with
# more than 1/MIN_GAIN of them: most of them then share an account (an exchange's wallet), and
# one thread would execute nearly all of the run while the other dealt (13217637 and 14396881,
# run as transfer groups: 0.93x-0.97x, `pevm run-block --compare`).
MIN_GAIN: Final = 1.25


def is_plain_transfer(tx: Transaction, state: PlainState) -> bool:
    """No calldata, no blobs or authorizations, to an account without code: no contract runs."""
    return tx.tx_type <= DYNAMIC_FEE and not tx.data and tx.to is not None and state.code(tx.to).size == 0


def _is_empty(state: PlainState, address: int) -> bool:
    """EIP-161 empty, or absent."""
    account = state.accounts.get(address)
    return account is None or account.is_empty()


def _joins_run(tx: Transaction, state: PlainState, env: BlockEnv, rules: ForkRules, beneficiary_empty: bool) -> bool:
    """A plain transfer whose result cannot depend on the beneficiary's held-back writes."""
    if not is_plain_transfer(tx, state):
        return False
    coinbase = env.coinbase
    if tx.sender == coinbase or tx.to == coinbase:
        return False
    for address, _ in tx.access_list:
        if address == coinbase:
            return False
    if not beneficiary_empty:
        return True
    tip = effective_gas_price(tx, env, rules) - (env.base_fee if rules.eip1559_base_fee else 0)
    return bool(rules.eip161_state_clearing) and tip > 0


@final
class Dealer:
    """Deals a run's transfers to threads' queues as they come, so that the threads execute
    while the rest is still being dealt (grouping the whole run first kept one thread idle for
    ~5 ms of W5's ~40).

    A transfer goes to the queue of the last transfer that touched one of its accounts, so a
    queue runs its share in block order; one touching accounts last used on several queues goes
    to one of them (the dealer's, if it is one) and waits there until the others have executed
    those transfers (`waits`: queue + threads * count, "until `count` of that queue are done").
    Waits point to earlier transfers only, so they never form a cycle, and none is on queue 0.
    A transfer touching no account seen yet goes to the queue with the least work waiting,
    queue 0 (the dealing thread's) counting `lead` more, so that workers keep that many waiting
    while the dealer executes its own between dealing (`StreamedRun.deal`). Used by the dealing
    thread only."""

    threads: Final[int]
    owner: Final[dict[int, int]]  # account -> queue + threads * index of the last transfer touching it
    dealt: Final[list[int]]  # queue -> transfers dealt to it
    done: Final[list[int]]  # queue -> transfers it had executed when last looked at
    last: Final[list[int]]  # queue -> the highest slot of a transfer sharing an account with the one placed
    lead: Final[int]

    def __init__(self, threads: int, lead: int) -> None:
        self.threads = threads
        self.lead = lead
        self.owner = {}
        self.dealt = [0] * threads
        self.done = [0] * threads
        self.last = [-1] * threads

    def place(self, tx: Transaction) -> tuple[int, int, tuple[int, ...]]:
        """The queue for the next transfer, its slot there and what it waits for first."""
        threads = self.threads
        last = self.last
        for queue in range(threads):
            last[queue] = -1
        self._last(tx.sender)
        if tx.to is not None:
            self._last(tx.to)
        for address, _ in tx.access_list:
            self._last(address)
        # A wait on the dealer's queue keeps no worker idle (the dealer deals on meanwhile).
        queue = 0 if last[0] >= 0 else self._least_waiting()
        waits: tuple[int, ...] = ()
        for other in range(threads):
            if other != queue and last[other] >= 0:
                waits += (other + threads * (last[other] + 1),)
        slot = self.dealt[queue]
        self.dealt[queue] = slot + 1
        mark = queue + threads * slot
        self.owner[tx.sender] = mark
        if tx.to is not None:
            self.owner[tx.to] = mark
        for address, _ in tx.access_list:
            self.owner[address] = mark
        return queue, slot, waits

    def _last(self, address: int) -> None:
        mark = self.owner.get(address)
        if mark is not None:
            queue = mark % self.threads
            self.last[queue] = max(self.last[queue], mark // self.threads)

    def _least_waiting(self) -> int:
        """Of the queues holding transfers that share an account with the one placed (all if
        none do), the one with the least waiting; ties go to a worker, not the dealer."""
        last = self.last
        shares = max(last) >= 0
        chosen = -1
        least = 0
        for queue in range(self.threads - 1, -1, -1):
            if shares and last[queue] < 0:
                continue
            waiting = self.dealt[queue] - self.done[queue] + (self.lead if queue == 0 else 0)
            if chosen < 0 or waiting < least:
                chosen = queue
                least = waiting
        return chosen


# The dealer publishes what it dealt every this many transfers (a lock each time), and looks at
# how far the queues have got as often.
PUBLISH_EVERY: Final = 16
# How many more transfers than the dealer a worker may have waiting before the dealer executes
# a free transfer itself. Dealing the whole run first and then executing left one thread up to
# ~6 ms behind the other on W5 (a pool thread executes transfers ~20% slower than the calling
# thread, whose objects it counts references to atomically).
LEAD: Final = 32
# A queue publishes how many of its transfers it executed every this many, and before it waits;
# a thread waiting for one of them may so wait for up to this many more. Publishing each one (a
# lock each time) made W5's transfers a third slower on two threads: the calling thread's queue
# took 46 ms instead of 30.
PROGRESS_EVERY: Final = 8
# A run that does not finish, or a transfer that waits, this long is a bug, raised rather than
# hung on.
STUCK_SECONDS: Final = 120.0


@final
class StreamedRun:
    """One run's transfers, dealt to queues by the calling thread, which executes its own (queue
    0) between dealing and after, while worker threads execute the others. `outcomes[i]` is
    run[i]'s result (or the exception it raised), `fees[i]` what it credited the beneficiary
    without reading it, `held[i]` its other writes to the beneficiary (None if none). Each queue
    also sums its results' gas and fees, and says whether it executed all it was dealt
    (`finished`) and whether any of them held writes (`holding`): if every queue finished and
    none held any, the results need no look in order.

    Shared by the threads, so only builtin lists change: a queue's slots are written before they
    are published (`published`, under `lock`) and never after; `progress` (transfers a queue has
    executed) under that queue's lock, read under it by waiting threads, which so see its
    writes to the state; results, and each queue's sums and flags, each in its own slot, written
    by one thread and read after all threads are done."""

    state: Final[PlainState]
    run: Final[list[Transaction]]
    env: Final[BlockEnv]
    rules: Final[ForkRules]
    gas_available: Final[int]
    coinbase: Final[int]  # the beneficiary, whose writes are held back
    fee_location: Final[int]  # its balance
    outcomes: Final[list[object]]
    fees: Final[list[int]]
    held: Final[list[dict[int, object] | None]]
    queues: Final[list[list[int]]]  # queue -> run positions, in order
    waits: Final[list[list[tuple[int, ...]]]]  # queue -> what each of its transfers waits for (`Dealer`)
    lock: Final[threading.Lock]
    published: Final[list[int]]  # queue -> how many of its slots are dealt, under `lock`
    stopped: Final[list[bool]]  # [the dealing is over, the run is abandoned], under `lock`
    progress_locks: Final[list[threading.Lock]]
    progress: Final[list[int]]  # queue -> transfers executed (all of them once it failed)
    gas: Final[list[int]]  # queue -> gas its transfers used
    fee_sums: Final[list[int]]  # queue -> its transfers' `fees`
    finished: Final[list[bool]]  # queue -> it executed every transfer dealt to it
    holding: Final[list[bool]]  # queue -> one of its transfers held writes
    stuck_seconds: Final[float]

    def __init__(self, state: PlainState, run: list[Transaction], env: BlockEnv, rules: ForkRules, gas_available: int,
                 threads: int, stuck_seconds: float = STUCK_SECONDS) -> None:  # fmt: skip
        self.state = state
        self.run = run
        self.env = env
        self.rules = rules
        self.gas_available = gas_available
        self.coinbase = env.coinbase
        self.fee_location = fields_base(env.coinbase) | BALANCE
        self.outcomes = [None] * len(run)
        self.fees = [0] * len(run)
        self.held = [None] * len(run)
        self.queues = [[0] * len(run) for _ in range(threads)]
        self.waits = [[()] * len(run) for _ in range(threads)]
        self.lock = threading.Lock()
        self.published = [0] * threads
        self.stopped = [False, False]
        self.progress_locks = [threading.Lock() for _ in range(threads)]
        self.progress = [0] * threads
        self.gas = [0] * threads
        self.fee_sums = [0] * threads
        self.finished = [False] * threads
        self.holding = [False] * threads
        self.stuck_seconds = stuck_seconds

    def deal(self) -> tuple[int, int]:
        """Deal every transfer (on the calling thread), publishing as it goes, and between them
        execute the dealer's own that wait for nothing not done yet. Returns the sum of their
        gas limits and the dealer's next slot to execute (-1 after one raised: later ones of
        its queue may depend on it)."""
        threads = len(self.queues)
        dealer = Dealer(threads, LEAD)
        limits = 0
        own = 0
        try:
            for position in range(len(self.run)):
                tx = self.run[position]
                limits += tx.gas_limit
                queue, slot, waits = dealer.place(tx)
                self.queues[queue][slot] = position
                if waits:
                    self.waits[queue][slot] = waits
                if position % PUBLISH_EVERY == PUBLISH_EVERY - 1:
                    self._publish(dealer.dealt, False)
                    for other in range(1, threads):
                        dealer.done[other] = self._done(other)
                while 0 <= own < dealer.dealt[0] and self._ready(own):
                    own = own + 1 if self._execute_slot(0, own) else -1
                    dealer.done[0] = own
        finally:  # published even when interrupted, so no thread waits for more forever
            self._publish(dealer.dealt, True)
        return limits, own

    def _ready(self, slot: int) -> bool:
        """The dealer's transfer in `slot` waits for nothing not done yet."""
        threads = len(self.queues)
        for wait in self.waits[0][slot]:
            if self._done(wait % threads) < wait // threads:
                return False
        return True

    def _publish(self, dealt: list[int], last: bool) -> None:
        with self.lock:
            for queue in range(len(dealt)):
                self.published[queue] = dealt[queue]
            if last:
                self.stopped[0] = True

    def _done(self, queue: int) -> int:
        with self.progress_locks[queue]:
            return self.progress[queue]

    def execute_queue(self, queue: int, slot: int = 0) -> None:
        """Execute the queue's transfers from `slot` in order as they are published, up to its
        first exception (later ones of the queue may depend on it); none if `slot` is -1."""
        try:
            if slot >= 0:
                self._execute_published(queue, slot)
        finally:  # every transfer of the queue counts as done, so no wait for one it skipped lasts
            self._progressed(queue, len(self.run))

    def _execute_published(self, queue: int, slot: int) -> None:
        waits = self.waits[queue]
        available = slot
        while True:
            if slot == available:
                self._progressed(queue, slot)  # before a wait, as below: someone may wait for it
                with self.lock:
                    available = self.published[queue]
                    over = self.stopped[0]
                    abandoned = self.stopped[1]
                if abandoned:
                    return
                if slot == available and over:
                    self.finished[queue] = True
                    return
                if slot == available:
                    os.sched_yield()  # the dealer keeps ahead of the threads but at the start
                    continue
            if waits[slot]:
                self._progressed(queue, slot)
                for wait in waits[slot]:
                    self._wait_for(wait % len(self.queues), wait // len(self.queues))
            if not self._execute_slot(queue, slot):
                return
            slot += 1
            if slot % PROGRESS_EVERY == 0:
                self._progressed(queue, slot)

    def _execute_slot(self, queue: int, slot: int) -> bool:
        """Execute the queue's transfer in `slot`; False if it raised (its outcome, then)."""
        position = self.queues[queue][slot]
        try:
            result = self.execute(position)
        except Exception as error:  # noqa: BLE001 - raised by the caller, in block order
            self.outcomes[position] = error
            return False
        self.outcomes[position] = result
        self.gas[queue] += result.gas_used
        self.fee_sums[queue] += self.fees[position]
        if self.held[position] is not None:
            self.holding[queue] = True
        return True

    def _progressed(self, queue: int, executed: int) -> None:
        with self.progress_locks[queue]:
            self.progress[queue] = executed

    def _wait_for(self, queue: int, count: int) -> None:
        deadline = time.monotonic() + self.stuck_seconds
        while self._done(queue) < count:
            with self.lock:
                if self.stopped[1]:
                    return
            if time.monotonic() > deadline:
                waited = f"{self.stuck_seconds:.0f} s for queue {queue} to execute {count}"
                raise SchedulerStuck(f"a transfer waited {waited}")
            os.sched_yield()

    def abandon(self) -> None:
        """Give the run up (the dealer failed, or the run is stuck): a thread stops at its next
        wait, or once it has executed what was published."""
        with self.lock:
            self.stopped[1] = True

    def execute(self, position: int) -> TxResult:
        result = execute_transaction(Journal(self.state), self.env, self.run[position], self.rules, self.gas_available)
        held: dict[int, object] = {}
        self.state.apply(result.writes, held, self.coinbase)
        fee = held.get(self.fee_location)
        if len(held) == 1 and isinstance(fee, BalanceDelta):
            self.fees[position] = fee.amount  # the usual case: credits add up in any order
        elif held:
            self.held[position] = held
        return result


def execute_with_groups(
    state: PlainState,
    transactions: list[Transaction],
    env: BlockEnv,
    rules: ForkRules,
    workers: int,
    block_id: str,
    min_run: int = MIN_RUN,
    stuck_seconds: float = STUCK_SECONDS,
) -> list[TxResult]:
    """Execute `transactions` on `state` as the sequential executor would, running runs of at
    least `min_run` plain transfers on up to `workers` threads; `block_id` names the block in
    errors, such as a run that does not finish in `stuck_seconds`."""
    results: list[TxResult] = []
    gas_used: i64 = 0
    start = 0
    while start < len(transactions):
        beneficiary_empty = _is_empty(state, env.coinbase)
        end = start
        while end < len(transactions) and _joins_run(transactions[end], state, env, rules, beneficiary_empty):
            end += 1
        run = transactions[start:end]
        threads = min(workers, len(run))
        if threads >= 2 and len(run) >= min_run and _spreads(run[:MIN_RUN], threads):
            work = StreamedRun(state, run, env, rules, env.gas_limit - int(gas_used), threads, stuck_seconds)
            gas_used = _execute_run(work, gas_used, results, block_id)
        else:
            gas_used = execute_in_order(state, run, rules, env, gas_used, results)
        # The transaction that ended the run (if any) goes alone, in order.
        gas_used = execute_in_order(state, transactions[end : end + 1], rules, env, gas_used, results)
        start = end + 1
    return results


def _spreads(transfers: list[Transaction], threads: int) -> bool:
    """Dealt to `threads` queues, the transfers leave none with more than 1/MIN_GAIN of them."""
    dealer = Dealer(threads, 0)
    for tx in transfers:
        dealer.place(tx)
    return len(transfers) >= MIN_GAIN * max(dealer.dealt)


def _execute_run(work: StreamedRun, gas_used: i64, results: list[TxResult], block_id: str) -> i64:
    """Execute the run on threads, the calling thread dealing and executing queue 0, then take
    the results in block order (raising the first error as the sequential executor would) and
    apply the beneficiary's held writes: fee credits summed, other writes in order after the
    credits before them."""
    batch = run_jobs([partial(work.execute_queue, queue) for queue in range(1, len(work.queues))])
    try:
        limits, own = work.deal()
        work.execute_queue(0, own)
    except BaseException as error:
        work.abandon()
        batch.wait(work.stuck_seconds)  # the other threads may still be changing the state
        raise _named(error, block_id)
    deadline = time.monotonic() + work.stuck_seconds
    while not batch.wait(0.5):
        if time.monotonic() > deadline:
            work.abandon()
            raise _named(SchedulerStuck(f"a run of {len(work.run)} transfers did not finish in "
                                        f"{work.stuck_seconds:.0f} s"), block_id)  # fmt: skip
    if batch.errors:
        raise _named(batch.errors[0], block_id)
    if limits <= work.gas_available and all(work.finished) and not any(work.holding):
        # No transfer can have failed the block's gas check (its limit fits in what the limits
        # before it leave), every one executed and none held writes: what the loop below would
        # find (W5's 10,000 results: ~2.5 ms on the calling thread alone).
        results.extend(cast(list[TxResult], work.outcomes))
        _credit(work, sum(work.fee_sums))
        return gas_used + i64(sum(work.gas))
    fees = 0
    for position, tx in enumerate(work.run):
        result = sequential_verdict(tx, work.outcomes[position], work.env, work.rules, int(gas_used), "a run's transfer", position)
        gas_used += result.gas_used
        results.append(result)
        fees += work.fees[position]
        held = work.held[position]
        if held is not None:
            _credit(work, fees)
            fees = 0
            work.state.apply(held)
    _credit(work, fees)
    return gas_used


def _named(error: BaseException, block_id: str) -> BaseException:
    """`error`, naming the block if the run got stuck."""
    if isinstance(error, SchedulerStuck):
        return SchedulerStuck(f"block {block_id}: {error} (parallel.transfer_groups)")
    return error


def _credit(work: StreamedRun, fees: int) -> None:
    """Apply the summed fee credits `fees` to the beneficiary."""
    if fees:
        work.state.apply({work.fee_location: BalanceDelta(fees)})
