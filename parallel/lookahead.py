"""Lookahead: the block's front runs in order while other workers execute its back ahead of
time on a snapshot of the state the block started from.

The front (one thread) takes transactions in block order and applies each one's writes to the
state, as the sequential executor does. Meanwhile the other workers take transactions from the
back of the block, one at a time, execute each on the snapshot and keep its read set. The two
meet where they would claim the same transaction. A result executed ahead holds exactly when
none of the locations it read was written by an earlier transaction: execution depends on
nothing but the values read, and those are then the values it would have read in order. Lazy
fee credits and transfers count as writes of their location.

What follows the meeting is the executor's choice (`parallel.executor`): the front takes the
rest in order (a result that holds as it is, any other executed again), or Block-STM runs the
rest with the results that hold as first incarnations (`Lookahead.seed`).

Why beside Block-STM: no multi-version memory, scheduler or validation, so a transaction
executed ahead costs what it costs sequentially; Block-STM's bookkeeping costs about as much as
a small transaction's execution (BENCHMARKS.md, stop 16).

Sharing: the snapshot is a second dict over the state's `Account` objects, which the front
never changes: before writing an account it replaces it by its own copy (`CopyOnWrite`). The
front alone writes the state and `written`; workers write only their transactions' slots of
builtin lists; the claim boundary changes under one lock.
"""

from __future__ import annotations

import threading
from typing import Final, final

from interp.block import sequential_verdict
from interp.env import BlockEnv
from interp.forks import ForkRules
from interp.journal import Journal
from interp.locations import loc_address
from interp.plain_state import PlainState
from interp.transaction import Transaction
from interp.tx import TxResult, execute_transaction
from parallel.pool import run_jobs

FRONT: Final = 0  # claims[FRONT]: the next transaction the front takes
BACK: Final = 1  # claims[BACK]: the next transaction a worker takes


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
    result (a TxResult or the exception raised) and read set."""

    transactions: Final[list[Transaction]]
    env: Final[BlockEnv]
    rules: Final[ForkRules]
    view: Final[PlainState]  # the snapshot the workers read
    lock: Final[threading.Lock]
    claims: Final[list[int]]  # [FRONT, BACK], changed under `lock`
    outcomes: Final[list[object]]  # None where not executed ahead
    reads: Final[list[dict[int, object]]]
    written: Final[set[int]]  # every location written by the transactions the front took

    def __init__(self, transactions: list[Transaction], env: BlockEnv, rules: ForkRules, view: PlainState) -> None:
        self.transactions = transactions
        self.env = env
        self.rules = rules
        self.view = view
        self.lock = threading.Lock()
        self.claims = [0, len(transactions) - 1]
        self.outcomes = [None] * len(transactions)
        self.reads = [{} for _ in transactions]
        self.written = set()

    def holds(self, tx: int) -> bool:
        """`tx` was executed ahead and read nothing the transactions taken so far wrote."""
        if self.outcomes[tx] is None:
            return False
        written = self.written
        for loc in self.reads[tx]:  # a loop: `set.isdisjoint(dict)` took 64 us here, this 1 us
            if loc in written:
                return False
        return True

    def executed_ahead(self) -> int:
        """How many transactions the workers executed."""
        return sum(1 for outcome in self.outcomes if outcome is not None)

    def stale(self, first: int) -> int:
        """How many transactions from `first` on need executing (again)."""
        return sum(1 for tx in range(first, len(self.transactions)) if not self.holds(tx))

    def seed(self, tx: int) -> tuple[object, dict[int, object], dict[int, object]]:
        """What a holding result gives Block-STM as `tx`'s first incarnation: its outcome, reads
        and writes (none for an exception: validation, not the writes, decides it)."""
        outcome = self.outcomes[tx]
        return outcome, self.reads[tx], outcome.writes if isinstance(outcome, TxResult) else {}

    def claim_front(self, tx: int) -> bool:
        """Claim `tx` for the front; False once a worker has it (the two have met)."""
        with self.lock:
            if tx > self.claims[BACK]:
                return False
            self.claims[FRONT] = tx + 1
            return True

    def claim_back(self) -> int:
        """The next transaction for a worker, or -1 once the two have met."""
        with self.lock:
            tx = self.claims[BACK]
            if tx < self.claims[FRONT]:
                return -1
            self.claims[BACK] = tx - 1
            return tx

    def stop(self) -> None:
        """No more claims from the back: the front failed and will raise."""
        with self.lock:
            self.claims[BACK] = -1

    def execute_ahead(self) -> None:
        """A worker's job: execute transactions from the back on the snapshot."""
        env = self.env
        while True:
            tx = self.claim_back()
            if tx < 0:
                return
            journal = Journal(self.view)
            outcome: object
            try:
                outcome = execute_transaction(journal, env, self.transactions[tx], self.rules, env.gas_limit)
            except Exception as error:  # noqa: BLE001 - raised in order if its reads hold
                outcome = error
            self.reads[tx] = journal.reads
            self.outcomes[tx] = outcome


@final
class Front:
    """The side that takes transactions in block order. Used by one thread at a time."""

    work: Final[Lookahead]
    writer: Final[CopyOnWrite]
    state: Final[PlainState]
    block_id: Final[str]
    results: Final[list[TxResult]]
    position: int  # the next transaction to take
    gas_used: int
    executed: int  # transactions executed here (the others' results were taken from ahead)

    def __init__(
        self, state: PlainState, transactions: list[Transaction], env: BlockEnv, rules: ForkRules, block_id: str
    ) -> None:
        self.work = Lookahead(transactions, env, rules, snapshot(state))
        self.writer = CopyOnWrite(state)
        self.state = state
        self.block_id = block_id
        self.results = []
        self.position = 0
        self.gas_used = 0
        self.executed = 0

    def take(self) -> None:
        """Take the next transaction: its result from ahead if that holds, else execute it."""
        work, tx = self.work, self.position
        env, rules, transaction = work.env, work.rules, work.transactions[tx]
        if work.holds(tx):
            what = f"block {self.block_id}: transaction {tx}"
            result = sequential_verdict(transaction, work.outcomes[tx], env, rules, self.gas_used, what)
        else:
            result = execute_transaction(Journal(self.state), env, transaction, rules, env.gas_limit - self.gas_used)
            self.executed += 1
        self.writer.apply(result.writes)
        work.written.update(result.writes)
        self.gas_used += result.gas_used
        self.results.append(result)
        self.position = tx + 1

    def run_until_met(self) -> None:
        """The front's job while workers look ahead."""
        work = self.work
        try:
            while self.position < len(work.transactions) and work.claim_front(self.position):
                self.take()
        except BaseException:
            work.stop()
            raise

    def take_rest(self) -> None:
        while self.position < len(self.work.transactions):
            self.take()


def look_ahead(
    state: PlainState, transactions: list[Transaction], env: BlockEnv, rules: ForkRules, workers: int, block_id: str
) -> Front:
    """Run the front and `workers - 1` lookahead workers until they meet; the front then stands
    at the first transaction executed ahead. Both sides run on pool threads, which are pinned
    to distinct CPUs (the calling thread may share one with a pool thread)."""
    front = Front(state, transactions, env, rules, block_id)
    jobs = [front.run_until_met] + [front.work.execute_ahead for _ in range(max(1, workers - 1))]
    batch = run_jobs(jobs)
    batch.wait()
    if batch.errors:
        raise batch.errors[0]
    return front
