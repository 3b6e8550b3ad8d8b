"""Runs of plain transfers, executed as independent groups of accounts side by side.

A plain transfer (no calldata, to an account without code, no blobs or authorizations) runs no
contract: it reads and writes only its sender, its recipient and the accounts its access list
names, and it pays the beneficiary. Transfers that share none of those accounts cannot see
each other's effects, so a run of them splits into groups (connected components over those
accounts). Each group executes in block order on the block's state itself, groups on different
threads at once, with no multi-version memory: a transfer costs here what it costs sequentially,
where Block-STM's bookkeeping costs about as much again (BENCHMARKS.md, stop 16).

Threads share the state safely because they share no account: each `Account` object is read
and changed by the thread running its group only, and `state.accounts` (a builtin dict) takes
their inserts and removals of different keys. The beneficiary, which every transfer pays, is
the exception: its writes are held back and applied in block order after the run. That is exact
while no transfer's result depends on the beneficiary's current value, so a transfer joins a run
only if the beneficiary is not its sender, recipient or listed, and either the beneficiary was
non-empty (and so existed) when the run started, or EIP-161 applies and the transfer pays it a
non-zero fee: a zero fee makes EIP-161's touched-empty check read the beneficiary, and before
EIP-161 paying it checks that it exists; a non-empty one stays non-empty as fees only add.

Code cannot change inside a run (no contract runs, no authorizations), so the check "to an
account without code" made when the run starts holds for all of it. Everything else (contract
calls and creations, transfers that fail the checks above, runs too short or too lopsided to
gain) executes one transaction at a time, exactly as the sequential executor does.
"""

from __future__ import annotations

from typing import Final, final

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
from primitives.spread import Spread

# A run is handed to threads only if it is this long and its groups spread so that the
# busiest thread gets at most 1/MIN_GAIN of its transactions. Runs of n W5 transfers, 2 workers
# over sequential (medians of 40-60, development VM): n=32 0.58-0.75x, n=64 0.66-1.03x,
# n=128 0.63-1.23x, n=512 0.78-1.25x, n=2000 1.00-1.07x. Classifying, grouping and collecting
# stay serial (~2 us of a transfer's ~13 us), and the hand-off to a thread costs ~0.1-0.3 ms.
MIN_RUN: Final = 64
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


def groups_of(run: list[Transaction]) -> list[list[int]]:
    """The run's positions in groups of transfers linked by shared accounts, each in order.

    Union-find over small group numbers: each account costs one dict lookup (and one insert the
    first time), since hashing a 160-bit address is what grouping spends most on."""
    owner: dict[int, int] = {}  # account -> the group it first joined
    parent: list[int] = []  # group -> the group it was merged into (itself for a root)
    joined: list[int] = []  # position -> its group when it was seen
    for tx in run:
        group = _join(owner, parent, tx.sender, -1)
        if tx.to is not None:
            group = _join(owner, parent, tx.to, group)
        for address, _ in tx.access_list:
            group = _join(owner, parent, address, group)
        joined.append(group)
    members: list[list[int]] = [[] for _ in parent]
    for position, group in enumerate(joined):
        members[_root(parent, group)].append(position)
    return [group for group in members if group]


def _join(owner: dict[int, int], parent: list[int], address: int, group: int) -> int:
    """Put `address` in `group` (a root; -1 for a new one), merging the group it was already
    in; returns the root of the result."""
    found = owner.get(address)
    if found is None:
        if group < 0:
            group = len(parent)
            parent.append(group)
        owner[address] = group
        return group
    root = _root(parent, found)
    if group >= 0 and root != group:
        parent[root] = group
        return group
    return root


def _root(parent: list[int], group: int) -> int:
    while parent[group] != group:
        parent[group] = parent[parent[group]]  # path halving
        group = parent[group]
    return group


def deal(groups: list[list[int]], workers: int) -> list[list[int]]:
    """Groups dealt to at most `workers` threads, largest first to the least loaded; each
    thread's positions in order."""
    shares: list[list[int]] = [[] for _ in range(min(workers, len(groups)))]
    for group in sorted(groups, key=len, reverse=True):
        lightest = shares[0]
        for share in shares:
            if len(share) < len(lightest):
                lightest = share
        lightest.extend(group)
    for share in shares:
        share.sort()
    return shares


@final
class GroupRun:
    """One run's transfers, executed by share on threads; `outcomes[i]` is run[i]'s result
    (or the exception it raised), `fees[i]` what it credited the beneficiary without reading
    it, `held[i]` its other writes to the beneficiary (None if none). Shared by the threads, so
    only the builtin lists change, each slot by one thread."""

    state: Final[PlainState]
    run: Final[list[Transaction]]
    shares: Final[list[list[int]]]
    env: Final[BlockEnv]
    rules: Final[ForkRules]
    gas_available: Final[int]
    coinbase: Final[int]  # the beneficiary, whose writes are held back
    fee_location: Final[int]  # its balance
    outcomes: Final[list[object]]
    fees: Final[list[int]]
    held: Final[list[dict[int, object] | None]]

    def __init__(
        self, state: PlainState, run: list[Transaction], shares: list[list[int]], env: BlockEnv, rules: ForkRules, gas_available: int
    ) -> None:
        self.state = state
        self.run = run
        self.shares = shares
        self.env = env
        self.rules = rules
        self.gas_available = gas_available
        self.coinbase = env.coinbase
        self.fee_location = fields_base(env.coinbase) | BALANCE
        self.outcomes = [None] * len(run)
        self.fees = [0] * len(run)
        self.held = [None] * len(run)

    def execute_part(self, part: int, parts: int) -> None:
        """Execute shares part, part + parts, ...; a share stops at its first exception."""
        for share in self.shares[part::parts]:
            for position in share:
                try:
                    self.outcomes[position] = self.execute(position)
                except Exception as error:  # noqa: BLE001 - raised by the caller, in block order
                    self.outcomes[position] = error
                    break

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
    spread: Spread,
    min_run: int = MIN_RUN,
) -> list[TxResult]:
    """Execute `transactions` on `state` as the sequential executor would, running runs of at
    least `min_run` plain transfers as groups on up to `workers` threads (`spread`)."""
    results: list[TxResult] = []
    gas_used: i64 = 0
    start = 0
    while start < len(transactions):
        beneficiary_empty = _is_empty(state, env.coinbase)
        end = start
        while end < len(transactions) and _joins_run(transactions[end], state, env, rules, beneficiary_empty):
            end += 1
        run = transactions[start:end]
        shares = _shares_worth_threads(run, workers, min_run)
        if shares:
            gas_used = _execute_run(GroupRun(state, run, shares, env, rules, env.gas_limit - int(gas_used)), spread, gas_used, results)
        else:
            gas_used = execute_in_order(state, run, rules, env, gas_used, results)
        # The transaction that ended the run (if any) goes alone, in order.
        gas_used = execute_in_order(state, transactions[end : end + 1], rules, env, gas_used, results)
        start = end + 1
    return results


def _shares_worth_threads(run: list[Transaction], workers: int, min_run: int) -> list[list[int]]:
    """The run's groups dealt to threads; none when the run is too short, or its groups too
    lopsided, to gain."""
    if workers < 2 or len(run) < min_run:
        return []
    shares = deal(groups_of(run), workers)
    if len(run) < MIN_GAIN * max(len(share) for share in shares):
        return []
    return shares


def _execute_run(work: GroupRun, spread: Spread, gas_used: i64, results: list[TxResult]) -> i64:
    """Execute the run's shares on threads, then take the results in block order (raising the
    first error as the sequential executor would) and apply the beneficiary's held writes: fee
    credits summed, other writes in order after the credits before them."""
    spread(work.execute_part, len(work.shares))
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


def _credit(work: GroupRun, fees: int) -> None:
    """Apply the summed fee credits `fees` to the beneficiary."""
    if fees:
        work.state.apply({work.fee_location: BalanceDelta(fees)})
