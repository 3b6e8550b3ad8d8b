"""Transfer groups (parallel.transfer_groups): runs of plain transfers dealt to threads, each
after those it shares an account with, give exactly what sequential execution gives, errors
included."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
import time

import pytest
from hypothesis import given, settings, strategies as st

from interp.block import block_env, execute_block
from interp.errors import InvalidTransaction
from interp.forks import CANCUN, HOMESTEAD, rules
from interp.header import Block
from interp.plain_state import PlainState
from interp.transaction import Transaction
import parallel
from parallel import paths
import parallel.transfer_groups as transfer_groups
from parallel.transfer_groups import LEAD, MIN_RUN, Dealer, _spreads, execute_with_groups
from parallel.types import SchedulerStuck
from pevm import workloads
from pevm.blockfile import load_block_file
from pevm.compare import difference
from pevm.fuzz.oracles import execute_groups

pytestmark = pytest.mark.pure


def assert_same(build: Callable[[], workloads.Workload], workers: int) -> None:
    reference = build()
    expected = execute_block(reference.state, reference.block, reference.rules, reference.chain_id)
    for _ in range(3):
        candidate = build()
        result = execute_groups(candidate, workers)
        diff = difference(expected, reference.state, result, candidate.state)
        assert diff is None, f"{candidate.name} with {workers} workers: {diff}"


def assert_same_error(build: Callable[[], workloads.Workload], workers: int) -> None:
    reference = build()
    with pytest.raises(InvalidTransaction) as expected:
        execute_block(reference.state, reference.block, reference.rules, reference.chain_id)
    with pytest.raises(InvalidTransaction) as raised:
        execute_groups(build(), workers)
    assert (raised.value.kind, str(raised.value)) == (expected.value.kind, str(expected.value))


BUILDERS: dict[str, object] = {
    "transfers-between": workloads.transfers_between,
    "raw-transfers": workloads.raw_transfers,
    **workloads.CONFLICT_WORKLOADS,
}


@pytest.mark.parametrize("name", sorted(BUILDERS))
@pytest.mark.parametrize("workers", [2, 3, 8])
def test_workloads_equal_sequential(name: str, workers: int) -> None:
    build = BUILDERS[name]
    assert callable(build)
    assert_same(lambda: build(120), workers)


def _transfer(sender: int, nonce: int, to: int, value: int, gas_price: int = workloads.GAS_PRICE,
              access: tuple[tuple[int, tuple[int, ...]], ...] = (), spare_gas: int = 0) -> Transaction:  # fmt: skip
    kind = 1 if access else 0
    gas = 21_000 + 2_400 * len(access) + spare_gas
    return Transaction(kind, 1, nonce, gas, to, value, b"", gas_price, 0, 0, access, 0, (), (), 0, 0, 0, sender)


def _block_of(transactions: list[Transaction], fork: int = CANCUN, coinbase_balance: int | None = 0,
              gas_limit: int = 0) -> workloads.Workload:  # fmt: skip
    """Transfers between small addresses: 100..199 are funded, the beneficiary is 0 (absent
    when its balance is None)."""
    workload = workloads._block(PlainState(), transactions, "transfers")
    for address in range(100, 200):
        workload.state.set_account(address, workloads.RICH, 0, b"", {})
    if coinbase_balance is None:
        del workload.state.accounts[0]
    else:
        workload.state.set_account(0, coinbase_balance, 0, b"", {})
    header = workloads.synthetic_header(gas_limit or workload.block.header.gas_limit)
    return workloads.Workload("transfers", workload.state, Block(header, transactions, [], []), rules(fork))


def test_transfers_follow_the_last_to_touch_their_accounts() -> None:
    dealer = Dealer(2, 0)
    places = [dealer.place(tx) for tx in [
        _transfer(100, 0, 300, 1),  # nothing seen: a worker's queue (1) before the dealer's
        _transfer(101, 0, 301, 1),  # queue 1 has more waiting now
        _transfer(102, 0, 300, 1),  # 300 was last touched on queue 1
        _transfer(103, 0, 103, 1, access=((101, ()),)),  # 101 on queue 0
        _transfer(104, 0, 300, 1, access=((103, ()),)),  # 300 on queue 1 (its 2nd), 103 on 0 (its 2nd)
    ]]  # fmt: skip
    assert places == [(1, 0, ()), (0, 0, ()), (1, 1, ()), (0, 1, ()), (0, 2, (1 + 2 * 2,))]


def test_a_run_mostly_sharing_one_account_stays_on_the_calling_thread() -> None:
    """Dealt, its transfers would nearly all land on one queue: one thread would do the run."""
    independent = [_transfer(100 + index, 0, 150 + index, 1) for index in range(40)]
    to_one = [_transfer(100 + index, 0, 199, 1) for index in range(40)]  # an exchange's deposit address
    assert _spreads(independent, 2)
    assert not _spreads(to_one, 2)
    assert not _spreads(to_one[:35] + independent[35:], 2)  # 35 of 40 on one queue, over 1/MIN_GAIN
    assert _spreads(to_one[:30] + independent[30:], 2)  # 30 against the 10 others


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.lists(st.tuples(st.integers(0, 12), st.integers(0, 12), st.lists(st.integers(0, 12), max_size=2)), max_size=30),
       st.integers(2, 4))  # fmt: skip
def test_transfers_sharing_an_account_run_in_block_order(shape: list[tuple[int, int, list[int]]], threads: int) -> None:
    """Of two transfers sharing an account, the later starts only once the earlier is done: it is
    later on the same queue, or waits for the earlier's queue to get past it, or comes after
    one that does (on its queue, or on one it waits for)."""
    run = [_transfer(100 + sender, 0, 100 + to, 1, access=tuple((100 + a, ()) for a in listed)) for sender, to, listed in shape]
    touched = [{tx.sender, tx.to, *(address for address, _ in tx.access_list)} for tx in run]
    dealer = Dealer(threads, 0)
    at: dict[tuple[int, int], int] = {}  # (queue, index in it) -> position
    done_before: list[dict[int, int]] = []  # position -> queue -> how many of it are done when it starts
    for position, tx in enumerate(run):
        queue, index, waits = dealer.place(tx)
        at[queue, index] = position
        known = {queue: index}
        for wait in ((queue, index), *((wait % threads, wait // threads) for wait in waits)):
            if wait[1] > 0:  # what was done before the last one waited for started
                for other, count in done_before[at[wait[0], wait[1] - 1]].items():
                    known[other] = max(known.get(other, 0), count)
                known[wait[0]] = max(known.get(wait[0], 0), wait[1])
        done_before.append(known)
        assert queue not in {wait % threads for wait in waits}
    for later in range(len(run)):
        for earlier in range(later):
            if touched[earlier] & touched[later]:
                queue, index = next(key for key, position in at.items() if position == earlier)
                assert done_before[later].get(queue, 0) > index, (earlier, later)


def test_a_zero_fee_to_an_empty_beneficiary_is_not_held_back() -> None:
    """EIP-161's check reads the beneficiary when a transfer pays it nothing: the earlier
    transfers' fees (held back during a run) must have reached it by then, or it is deleted."""
    def build() -> workloads.Workload:
        transactions = [_transfer(100 + index, 0, 300 + index, 1) for index in range(40)]
        transactions[20] = _transfer(120, 0, 320, 1, gas_price=0)
        return _block_of(transactions)

    assert_same(build, 2)


def test_a_run_whose_gas_limits_exceed_the_block_gas_left_still_fits() -> None:
    """Limits of 100,000 and 21,000 used each: the limits add up past the block's gas, the gas
    used does not, so every transfer passes the block's gas check when its turn comes."""
    def build() -> workloads.Workload:
        transactions = [_transfer(100 + index, 0, 300 + index, 1, spare_gas=79_000) for index in range(60)]
        return _block_of(transactions, gas_limit=21_000 * 60 + 79_000)

    assert_same(build, 2)


def test_the_beneficiary_as_sender_or_recipient_ends_a_run() -> None:
    def build() -> workloads.Workload:
        transactions = [_transfer(100 + index, 0, 300 + index, 1) for index in range(60)]
        transactions[10] = _transfer(110, 0, 0, 5)  # pays the beneficiary directly
        transactions[30] = _transfer(0, 0, 330, 5)  # the beneficiary spends what it got
        transactions[50] = _transfer(150, 0, 350, 1, access=((0, ()),))
        return _block_of(transactions, coinbase_balance=10**18)

    assert_same(build, 2)


def test_before_eip161_only_an_existing_beneficiary_allows_runs() -> None:
    for balance in (None, 0, 10**18):
        assert_same(lambda: _block_of([_transfer(100 + i, 0, 300 + i, 1) for i in range(40)], HOMESTEAD, balance), 2)


def test_an_invalid_transfer_raises_what_sequential_raises() -> None:
    def bad_nonce() -> workloads.Workload:
        transactions = [_transfer(100 + index, 0, 300 + index, 1) for index in range(60)]
        transactions[45] = _transfer(145, 7, 345, 1)  # nonce too high
        transactions[20] = _transfer(250, 0, 320, 1)  # 250 is not funded: the first error in block order is the one raised
        return _block_of(transactions)

    def over_the_block_limit() -> workloads.Workload:
        return _block_of([_transfer(100 + index, 0, 300 + index, 1) for index in range(60)], gas_limit=21_000 * 50)

    assert_same_error(bad_nonce, 2)
    assert_same_error(over_the_block_limit, 3)


class LostJobs:
    """A pool that loses the jobs it is given: a broken worker, which never executes its queue."""

    errors: list[BaseException] = []

    def __init__(self, jobs: object) -> None:
        pass

    def wait(self, timeout: float | None = None) -> bool:
        time.sleep(min(timeout or 0.0, 0.1))
        return False


@pytest.mark.parametrize("waits", [False, True])
def test_a_run_that_never_finishes_raises_with_the_block_number(monkeypatch: pytest.MonkeyPatch, waits: bool) -> None:
    """With the worker's queue never executed, the dealer finishes its own and the run's
    watchdog raises; or, when one of the dealer's transfers waits for one of the worker's (it
    touches accounts on both queues), that wait raises."""
    transactions = [_transfer(100 + index, 0, 150 + index, 1) for index in range(LEAD + 2)]
    if waits:  # the first went to the worker, the last to the dealer
        transactions.append(_transfer(100, 1, 100 + LEAD + 1, 1))
    workload = _block_of(transactions)
    env = block_env(workload.block.header, workload.rules, workload.chain_id)
    monkeypatch.setattr(transfer_groups, "run_jobs", LostJobs)
    with pytest.raises(SchedulerStuck, match="block 1: a transfer waited" if waits else "block 1: a run of"):
        execute_with_groups(workload.state, transactions, env, workload.rules, 2, "1", 1, 0.5)


def test_mainnet_transfer_block(shared_dir: Path) -> None:
    def build() -> workloads.Workload:
        block_file = load_block_file(shared_dir / "mainnet" / "14396881.json.gz")  # 98% plain transfers
        return workloads.Workload("14396881", block_file.state, block_file.block, block_file.rules)

    reference = build()
    expected = execute_block(reference.state, reference.block, reference.rules, reference.chain_id)
    candidate = build()
    stats = paths.ParallelStats()
    result = parallel.execute_block(candidate.state, candidate.block, candidate.rules, candidate.chain_id, 2, stats)
    assert stats.path == paths.TRANSFER_GROUPS
    assert difference(expected, reference.state, result, candidate.state) is None
    assert len(candidate.block.transactions) > MIN_RUN


@pytest.mark.slow
@pytest.mark.parametrize("workers", [2, 4, 8])
def test_all_mainnet_blocks_as_groups_repeated(shared_dir: Path, workers: int) -> None:
    """Every shared block with every run of plain transfers in groups, however short."""
    for path in sorted((shared_dir / "mainnet").glob("*.json.gz")):
        block_file = load_block_file(path)
        reference = workloads.Workload(path.name, block_file.state.copy(), block_file.block, block_file.rules)
        expected = execute_block(reference.state, reference.block, reference.rules, reference.chain_id)
        for _ in range(20):
            candidate = workloads.Workload(path.name, block_file.state.copy(), block_file.block, block_file.rules)
            result = execute_groups(candidate, workers)
            diff = difference(expected, reference.state, result, candidate.state)
            assert diff is None, f"{path.name} with {workers} workers: {diff}"
