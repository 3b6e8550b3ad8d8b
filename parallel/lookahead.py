"""Lookahead: the block's front runs in order while other workers execute its back ahead of
time on a snapshot of the state as the front had it when they were ready to start.

The front (one thread) takes transactions in block order and applies each one's writes to the
state, as the sequential executor does. Meanwhile the other workers claim segments from the back
of the block, each a transaction and the chain before it (one sender's consecutive transactions,
a sender paid by the transaction before, or consecutive calls to a contract once two of them
conflicted ahead), and execute each segment in order on the snapshot plus the segment's own
earlier writes (an overlay), keeping every read set. The two meet where they would claim the
same transaction. Execution depends on nothing but the values read, so a result executed ahead
holds exactly when each value it read is the one it would have read in order (`Verdicts`): a
location read from the snapshot was written by no earlier transaction taken since, and one read
from the overlay was last set (not only credited) by an earlier transaction of the segment whose
result held, with no transaction re-executed since having written it in either of its results.
Segments keep the chains that executing the back one transaction at a time, last first, would
lose but for their first transaction: on the 22 shared mainnet blocks run this way, 458
re-executions became 386 (18085863: 52 -> 28, 15752489: 26 -> 6; BENCHMARKS.md, stop 26). Only
chains get a state of their own: segments of any consecutive transactions copy the accounts they
write, and copying an ERC-20 token's storage per segment cost 2,000 transfers more than the
re-executions it saved. Lazy fee credits and transfers count as writes of their location.

What follows the meeting is the executor's choice (`parallel.executor`): the front takes the
rest in order (a result that holds as it is, any other executed again), or Block-STM runs the
rest with the results that hold as first incarnations (`Lookahead.seed`).

Why beside Block-STM: no multi-version memory, scheduler or validation, so a transaction
executed ahead costs what it costs sequentially; Block-STM's bookkeeping costs about as much as
a small transaction's execution (BENCHMARKS.md, stop 16).

Sharing: the snapshot is a second dict over the state's `Account` objects, which the front
never changes until the two have met: before writing an account it replaces it by its own copy
(`CopyOnWrite`). The front alone writes the state and `written`; workers write only their
transactions' slots of builtin lists; the claim boundary changes under one lock. The front takes
the snapshot when a worker first asks for it (`Front.phase`), at the transaction it stands at:
until then it runs as the sequential executor does, with nothing to copy or note, and results
ahead read a later state. W4, whose worker recovers senders until the front is nearly done:
best of 11, 90.6-91.3 -> 87.6-89.1 ms, in turns; re-executions on the 27 mainnet blocks run this
way, 317-325 -> 260-275 (BENCHMARKS.md, stop 37).

The front also builds the receipts of the results it takes before the meeting, a batch at a
time (`interp.block.ReceiptsSoFar`): that work then balances against the workers' instead of being
spread over two threads after the block, where each runs slower beside the other. W4, whole
runs in turns, receipts on / off: medians 2-5% lower (BENCHMARKS.md, stop 35). The workers digest
the logs of the results they execute (`interp.receipt.digest_logs`: the logs' encodings and
bloom), so the receipts of the rest taken after the meeting cost little, and a pool thread
builds them while the front takes it; `finish_block` is left with the receipts trie's branches.
W6 (100 swaps, 700 logs): the finish ~2 -> 0.1 ms, the whole 2-3% faster (BENCHMARKS.md, stop
42); from the meeting to the block's end ~1.3 -> ~0.95 ms (stop 43).

Senders may be recovered on the way (`parallel.senders.SenderRecovery`): workers recover them
in block order before looking ahead, while the front executes each transaction as soon as its
sender is published, recovering the next ones itself when it catches up. On the 22 shared
mainnet blocks run this way the front's execution then overlaps recovery instead of waiting for
it: 1.37x -> 1.49x on average, recovery included (BENCHMARKS.md, stop 31).
"""

from __future__ import annotations

import threading
from functools import partial
from typing import Final, final

from interp.block import ReceiptsSoFar, sequential_verdict
from interp.delta import BalanceDelta
from interp.env import BlockEnv
from interp.forks import ForkRules
from interp.journal import Journal
from interp.locations import loc_address
from interp.plain_state import PlainState
from interp.receipt import LogsDigest, digest_logs
from interp.transaction import Transaction
from interp.tx import TxResult, execute_transaction
from parallel.pool import Batch, run_jobs
from parallel.senders import SenderRecovery

FRONT: Final = 0  # claims[FRONT]: the next transaction the front takes
BACK: Final = 1  # claims[BACK]: the last transaction no worker has claimed yet
# Longest segment a worker claims; at most a quarter of what is left, so the front, once it
# reaches the claims, waits for a short segment at most.
MAX_SEGMENT: Final = 16
NOT_AHEAD: Final = -1  # `Lookahead.segments` of a transaction not executed ahead
# The front's phases (`Front.phase`): alone, before a worker asks for the snapshot (no copy on
# write, nothing noted); sharing the state's accounts with the snapshot, until the meeting; met.
ALONE: Final = 0
SHARED: Final = 1
MET: Final = 2
# The front shares its state before a transaction allowed this much gas even if no worker has
# asked yet: one that asks while the front executes it would wait for all of it (16257471's
# transaction 22, limit 13.6M: ~40 ms of the block's ~75).
SHARE_BEFORE_GAS: Final = 1_000_000
# Results the front takes between building their receipts: a block's receipts in about
# RECEIPTS_BATCHES batches of at most RECEIPTS_BATCH (W6's 100 swaps met at ~53, before a batch of 64).
RECEIPTS_BATCH: Final = 64
RECEIPTS_BATCHES: Final = 32
# Results ahead that hold after the meeting, at least, for a pool thread to build their receipts
# while the front takes them: handing off a job and waiting for it costs ~0.14 ms (median), so
# the front needs work of its own meanwhile (taking a result: ~5-10 us).
MIN_RECEIPTS_AHEAD: Final = 16


def snapshot(state: PlainState) -> PlainState:
    """A read-only view of `state` as it is now, sharing its accounts (see `CopyOnWrite`)."""
    view = PlainState()
    view.accounts = dict(state.accounts)
    view.block_hashes = state.block_hashes
    return view


@final
class CopyOnWrite:
    """Applies write sets to a state whose accounts a snapshot shares: each account is
    replaced by a copy the first time it is written."""

    state: Final[PlainState]
    owned: Final[set[int]]  # addresses whose Account objects the snapshot does not hold

    def __init__(self, state: PlainState) -> None:
        self.state = state
        self.owned = set()

    def apply(self, writes: dict[int, object]) -> None:
        accounts = self.state.accounts
        owned = self.owned
        for loc in writes:
            address = loc_address(loc)
            if address not in owned:
                owned.add(address)
                account = accounts.get(address)
                if account is not None:
                    accounts[address] = account.copy()
        self.state.apply(writes)


@final
class Lookahead:
    """One block's transactions: the claim boundary, and per transaction executed ahead its
    result (a TxResult or the exception raised), read set and segment."""

    transactions: Final[list[Transaction]]
    env: Final[BlockEnv]
    rules: Final[ForkRules]
    lock: Final[threading.Lock]
    view_ready: Final[threading.Condition]  # on `lock`: notified when `views` gets its one entry
    views: Final[list[PlainState | None]]  # the snapshot the workers read, or None if none will be
    wanted: Final[list[bool]]  # [True] once a worker waits for the snapshot
    claims: Final[list[int]]  # [FRONT, BACK], changed under `lock`
    outcomes: Final[list[object]]  # None where not executed ahead
    reads: Final[list[dict[int, object]]]
    digests: Final[list[LogsDigest | None]]  # the logs of results executed ahead, digested for their receipts
    segments: Final[list[int]]  # the first transaction of each one's segment, or NOT_AHEAD
    written: Final[set[int]]  # every location written by the transactions the front took since the snapshot
    hot: Final[set[int]]  # contracts whose consecutive calls conflicted ahead, changed under `lock`

    def __init__(self, transactions: list[Transaction], env: BlockEnv, rules: ForkRules) -> None:
        self.transactions = transactions
        self.env = env
        self.rules = rules
        self.lock = threading.Lock()
        self.view_ready = threading.Condition(self.lock)
        self.views = []
        self.wanted = [False]
        self.claims = [0, len(transactions) - 1]
        self.outcomes = [None] * len(transactions)
        self.reads = [{} for _ in transactions]
        self.digests = [None] * len(transactions)
        self.segments = [NOT_AHEAD] * len(transactions)
        self.written = set()
        self.hot = set()

    def executed_ahead(self) -> int:
        """How many transactions the workers executed."""
        return sum(1 for outcome in self.outcomes if outcome is not None)

    def writes_ahead(self, tx: int) -> dict[int, object]:
        """The writes of `tx`'s result executed ahead (none for an exception)."""
        outcome = self.outcomes[tx]
        return outcome.writes if isinstance(outcome, TxResult) else {}

    def seed(self, tx: int) -> tuple[object, dict[int, object], dict[int, object]]:
        """What a holding result gives Block-STM as `tx`'s first incarnation: its outcome, reads
        and writes (none for an exception: validation, not the writes, decides it)."""
        return self.outcomes[tx], self.reads[tx], self.writes_ahead(tx)

    def claim_front(self, tx: int) -> bool:
        """Claim `tx` for the front; False once a worker has it (the two have met)."""
        with self.lock:
            if tx > self.claims[BACK]:
                return False
            self.claims[FRONT] = tx + 1
            return True

    def claim_segment(self) -> tuple[int, int]:
        """The next segment for a worker (first and last transaction), or (-1, -1) once the
        two have met: the last unclaimed transaction and those before it in one chain."""
        with self.lock:
            last = self.claims[BACK]
            floor = self.claims[FRONT]
            if last < floor:
                return -1, -1
            longest = max(1, min(MAX_SEGMENT, (last - floor + 1) // 4))
            first = last
            while first > floor and last - first + 1 < longest and self.chained(first):
                first -= 1
            self.claims[BACK] = first - 1
            return first, last

    def chained(self, tx: int) -> bool:
        """`tx` is sent by the sender of the transaction before it or by its recipient, or
        calls the same hot contract."""
        transaction, before = self.transactions[tx], self.transactions[tx - 1]
        sender, to = transaction.sender, transaction.to
        return sender == before.sender or sender == before.to or (to is not None and to == before.to and to in self.hot)

    def note_conflict(self, tx: int) -> None:
        """Mark the contract `tx` calls hot if the next call to it, executed ahead before `tx`
        (the workers go backwards), read what `tx` wrote: that result is stale, and so would be
        those of the calls before `tx` in one chain, executed one at a time."""
        later = tx + 1
        to = self.transactions[tx].to
        if later >= len(self.transactions) or to is None or self.transactions[later].to != to:
            return
        if self.outcomes[later] is None:  # not executed ahead, or not yet
            return
        reads = self.reads[later]
        for loc in self.writes_ahead(tx):
            if loc in reads:
                with self.lock:
                    self.hot.add(to)
                return

    def stop(self) -> None:
        """No more claims from the back: the front failed and will raise."""
        with self.lock:
            self.claims[BACK] = -1
        self.close()

    def share(self, state: PlainState, position: int) -> None:
        """Publish the snapshot of `state`, which holds the results of the transactions before
        `position`: workers claim from the back down to there."""
        with self.view_ready:
            self.views.append(snapshot(state))
            self.claims[FRONT] = position
            self.view_ready.notify_all()

    def close(self) -> None:
        """No snapshot will be shared (the front is done or failed): workers waiting stop."""
        with self.view_ready:
            if not self.views:
                self.views.append(None)
                self.view_ready.notify_all()

    def view(self) -> PlainState | None:
        """Ask the front for the snapshot and wait for it; None if it will share none."""
        with self.view_ready:
            self.wanted[0] = True
            while not self.views:
                self.view_ready.wait()
            return self.views[0]

    def execute_ahead(self, recovery: SenderRecovery | None = None) -> None:
        """A worker's job: execute segments from the back until the two sides meet. With
        `recovery`, first recover the senders left (the front recovers those it reaches first),
        then execute nothing ahead unless that is worth it (`SenderRecovery.worth_looking_ahead`:
        else the front runs the block alone)."""
        if recovery is not None and not recovery.worth_looking_ahead():
            return
        if self.view() is None:
            return
        known: dict[bytes, bytes] = {}  # this worker's bloom entries (`bloom_of`)
        while True:
            first, last = self.claim_segment()
            if first < 0:
                return
            self.execute_segment(first, last, known)

    def execute_segment(self, first: int, last: int, known: dict[bytes, bytes] | None = None) -> None:
        """Execute transactions `first`..`last` in order on the snapshot and the segment's own
        earlier writes (a state of its own, copying the accounts they write)."""
        view = self.views[0]
        assert view is not None, "no snapshot to execute ahead on"
        if first == last:
            self.execute_one(first, view, known)
        else:
            overlay = CopyOnWrite(snapshot(view))
            for tx in range(first, last + 1):
                self.execute_one(tx, overlay.state, known)
                overlay.apply(self.writes_ahead(tx))
        for tx in range(first, last + 1):
            self.segments[tx] = first
        self.note_conflict(last)

    def execute_one(self, tx: int, state: PlainState, known: dict[bytes, bytes] | None) -> None:
        """Execute `tx` ahead, and digest its logs for its receipt (built after the meeting,
        while the front takes the rest: `Front.build_receipts_ahead`)."""
        env = self.env
        journal = Journal(state)
        outcome: object
        try:
            outcome = execute_transaction(journal, env, self.transactions[tx], self.rules, env.gas_limit)
        except Exception as error:  # noqa: BLE001 - raised in order if its reads hold
            outcome = error
        if isinstance(outcome, TxResult) and outcome.logs:
            self.digests[tx] = digest_logs(outcome.logs, known)
        self.reads[tx] = journal.reads
        self.outcomes[tx] = outcome


@final
class Verdicts:
    """Whether results executed ahead hold, judged in block order. Within a segment,
    `overlay` holds what its earlier results set (the values its later transactions read
    instead of the snapshot's) and `dirty` every location a re-executed transaction of it wrote
    in either result; `extra` holds locations written by transactions judged here but not
    (yet) taken by the front, for judging the rest ahead of taking it."""

    work: Final[Lookahead]
    extra: Final[set[int]]
    overlay: Final[set[int]]
    dirty: Final[set[int]]
    segment: int

    def __init__(self, work: Lookahead) -> None:
        self.work = work
        self.extra = set()
        self.segment = NOT_AHEAD
        self.overlay = set()
        self.dirty = set()

    def copy(self) -> Verdicts:
        other = Verdicts(self.work)
        other.segment = self.segment
        other.overlay.update(self.overlay)
        other.dirty.update(self.dirty)
        return other

    def enter(self, tx: int) -> None:
        """Move on to `tx`'s segment if `tx` starts a new one; `judged` does this too, as a
        verdict may be given without asking `holds` (`Front.take_rest`)."""
        segment = self.work.segments[tx]
        if segment != self.segment:
            self.segment = segment
            self.overlay.clear()
            self.dirty.clear()

    def holds(self, tx: int) -> bool:
        """Every value `tx` read ahead is the one it reads in order, given the verdicts so far."""
        work = self.work
        if work.outcomes[tx] is None:
            return False
        self.enter(tx)
        written, extra, overlay, dirty = work.written, self.extra, self.overlay, self.dirty
        for loc in work.reads[tx]:  # a loop: `set.isdisjoint(dict)` took 64 us here, this 1 us
            if loc in dirty:
                return False
            if (loc in written or loc in extra) and loc not in overlay:
                return False
        return True

    def judged(self, tx: int, held: bool, writes: dict[int, object]) -> None:
        """Note `tx`'s verdict; `writes` are those of the result taken. A credit (`BalanceDelta`)
        does not put its location in `overlay`: it added to the value the segment read, which
        earlier transactions may have changed since the snapshot."""
        if self.work.outcomes[tx] is None:
            return
        self.enter(tx)
        if held:
            for loc, value in writes.items():
                if not isinstance(value, BalanceDelta):
                    self.overlay.add(loc)
        else:
            self.dirty.update(self.work.writes_ahead(tx))
            self.dirty.update(writes)


@final
class Front:
    """The side that takes transactions in block order. Used by one thread at a time."""

    work: Final[Lookahead]
    verdicts: Final[Verdicts]
    writer: Final[CopyOnWrite]
    phase: int  # ALONE, SHARED or MET
    state: Final[PlainState]
    where: Final[str]  # names a transaction in errors, with its index
    recovery: Final[SenderRecovery | None]  # senders still to recover, or None if all are known
    results: Final[list[TxResult]]
    receipts: Final[ReceiptsSoFar | None]  # built in batches for the results taken until the meeting
    batch: Final[int]  # results taken between two batches of receipts
    position: int  # the next transaction to take
    recovered: int  # transactions from the start whose senders are known
    gas_used: int
    executed: int  # transactions executed here (the others' results were taken from ahead)

    def __init__(
        self,
        state: PlainState,
        transactions: list[Transaction],
        env: BlockEnv,
        rules: ForkRules,
        block_id: str,
        recovery: SenderRecovery | None = None,
        receipts: ReceiptsSoFar | None = None,
    ) -> None:
        self.work = Lookahead(transactions, env, rules)
        self.verdicts = Verdicts(self.work)
        self.writer = CopyOnWrite(state)
        self.phase = ALONE
        self.state = state
        self.where = f"block {block_id}: transaction"
        self.recovery = recovery
        self.results = []
        self.receipts = receipts
        self.batch = max(1, min(RECEIPTS_BATCH, len(transactions) // RECEIPTS_BATCHES))
        self.position = 0
        self.recovered = len(transactions) if recovery is None else 0
        self.gas_used = 0
        self.executed = 0

    def take(self) -> None:
        """Take the next transaction: its result from ahead if that holds, else execute it."""
        self.take_judged(self.verdicts.holds(self.position))

    def take_judged(self, held: bool) -> None:
        """Take the next transaction, whose result ahead holds or not as `held` says."""
        work, tx = self.work, self.position
        env, rules, transaction = work.env, work.rules, work.transactions[tx]
        if held:
            result = sequential_verdict(transaction, work.outcomes[tx], env, rules, self.gas_used, self.where, tx)
        else:
            result = execute_transaction(Journal(self.state), env, transaction, rules, env.gas_limit - self.gas_used)
            self.executed += 1
            if work.digests[tx] is not None:  # digested ahead, from logs this result may not have
                work.digests[tx] = None
        self.verdicts.judged(tx, held, result.writes)
        phase = self.phase
        if phase == SHARED:
            self.writer.apply(result.writes)
        else:
            self.state.apply(result.writes)
        if phase != ALONE:
            work.written.update(result.writes)
        self.gas_used += result.gas_used
        self.results.append(result)
        self.position = tx + 1
        receipts = self.receipts
        if phase != MET and receipts is not None and len(self.results) - len(receipts.receipts) >= self.batch:
            receipts.catch_up(work.transactions, self.results)

    def share(self) -> None:
        """Share the state as it is now with the workers, as their snapshot (`Lookahead.share`)."""
        self.work.share(self.state, self.position)
        self.phase = SHARED

    def run_until_met(self) -> None:
        """The front's job while workers look ahead: alone until one asks for the snapshot
        or a transaction may take long (`SHARE_BEFORE_GAS`)."""
        work, recovery = self.work, self.recovery
        try:
            while self.position < len(work.transactions):
                if recovery is not None and self.position >= self.recovered:
                    self.recovered = recovery.ready(self.position)
                if self.phase == ALONE:
                    if work.wanted[0] or work.transactions[self.position].gas_limit >= SHARE_BEFORE_GAS:
                        self.share()
                    else:
                        self.take_judged(False)
                        continue
                if not work.claim_front(self.position):
                    break
                self.take()
            work.close()
        except BaseException as error:
            work.stop()
            first = None if recovery is None else recovery.finish()
            if first is not None and first is not error:  # sequentially, recovery fails first
                raise first from None
            raise

    def take_rest(self, held: list[bool] | None = None) -> None:
        """Take the transactions left, once no worker reads the snapshot: writes go to the
        state's accounts directly. `held`, what `judge_rest` said, spares judging them again up
        to its first failed result: until then the writes taken are the results' ahead, as
        `judge_rest` assumed. W4's ~1,000 results ahead took 2.8-4.4 ms, now 1.1-1.4 (serial).
        Meanwhile a pool thread builds the receipts of the results that `held` says hold
        (`build_receipts_ahead`), from the logs the workers digested; the front then builds the
        rest's. W6 from the meeting to the block's end: best 1.31-1.37 -> 0.92-0.99 ms."""
        start, given, exact = self.position, held or [], True
        self.phase = MET
        building = self.build_receipts_ahead(given)
        try:
            while self.position < len(self.work.transactions):
                if exact and self.position - start < len(given):
                    exact = given[self.position - start]
                    self.take_judged(exact)
                else:
                    self.take()
        finally:
            if building is not None:
                building.wait()
        if building is not None and building.errors:
            raise building.errors[0]
        if self.receipts is not None:
            self.receipts.catch_up(self.work.transactions, self.results, self.work.digests)

    def build_receipts_ahead(self, held: list[bool]) -> Batch | None:
        """Start building, on a pool thread, the receipts of the results taken so far and of
        those ahead that hold from the position on, up to the first that does not: the same
        receipts the front would build after taking them, while it takes them. None if the
        front would take fewer than `MIN_RECEIPTS_AHEAD` of them meanwhile. The receipts are the
        pool thread's until the batch ends."""
        receipts, outcomes = self.receipts, self.work.outcomes
        if receipts is None:
            return None
        ahead: list[TxResult] = []
        for tx in range(self.position, self.position + len(held)):
            outcome = outcomes[tx]
            if not held[tx - self.position] or not isinstance(outcome, TxResult):
                break
            ahead.append(outcome)
        if len(ahead) < MIN_RECEIPTS_AHEAD:
            return None
        return run_jobs([partial(receipts.catch_up, self.work.transactions, self.results + ahead, self.work.digests)])

    def judge_rest(self) -> list[bool]:
        """Whether each result from the position on would hold, judged ahead of taking them,
        with each transaction's writes taken as those of its result ahead."""
        work = self.work
        verdicts = self.verdicts.copy()
        held: list[bool] = []
        for tx in range(self.position, len(work.transactions)):
            holds = verdicts.holds(tx)
            writes = work.writes_ahead(tx)
            verdicts.judged(tx, holds, writes)
            verdicts.extra.update(writes)
            held.append(holds)
        return held


def look_ahead(front: Front, workers: int) -> None:
    """Run the front and `workers - 1` lookahead workers until they meet; the front then stands
    at the first transaction executed ahead. Both sides run on pool threads, which are pinned
    to distinct CPUs (the calling thread may share one with a pool thread). With the front's
    `recovery`, the senders are recovered on the way: the workers recover them first, the front
    those it reaches before they have, so its execution overlaps theirs."""
    ahead, recovery = front.work.execute_ahead, front.recovery
    jobs = [front.run_until_met] + [partial(ahead, recovery) for _ in range(max(1, workers - 1))]
    batch = run_jobs(jobs)
    batch.wait()
    if batch.errors:
        raise batch.errors[0]
