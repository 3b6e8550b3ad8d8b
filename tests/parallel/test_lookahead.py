"""Lookahead (parallel.lookahead): the front in order, workers ahead on a snapshot, Block-STM for
what failed; exactly what sequential execution gives, errors included."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from interp.block import BlockResult, ReceiptsSoFar, block_env, execute_block
from interp.env import BlockEnv
from interp.errors import InvalidTransaction
from interp.forks import ForkRules
from interp.header import Block
from interp.locations import BALANCE, account_loc, storage_loc
from interp.plain_state import PlainState
from interp.tx import TxResult
from parallel import executor, paths
from parallel.lookahead import FRONT, MIN_RECEIPTS_AHEAD, SHARE_BEFORE_GAS, CopyOnWrite, Front, snapshot
from parallel.scheduler import EXECUTED, EXECUTION_IDX, READY_TO_EXECUTE, Scheduler
from parallel.types import VALIDATIONS
from pevm import workloads
from pevm.asm import assemble
from pevm.compare import difference
from pevm.fuzz.oracles import execute_forced, execute_lookahead

pytestmark = pytest.mark.pure


def test_independent_transfers_take_every_result_from_ahead() -> None:
    reference = workloads.transfers_between(400)
    expected = execute_block(reference.state, reference.block, reference.rules, reference.chain_id)
    for workers in (2, 3):
        candidate = workloads.transfers_between(400)
        stats = paths.ParallelStats()
        result = execute_forced(candidate, lambda state, block, env, rules: executor.execute_with_lookahead(
            state, block.transactions, env, rules, workers, "t", stats))  # fmt: skip
        assert (stats.path, stats.reexecutions) == (paths.LOOKAHEAD, 0)  # no transfer reads another's writes
        assert difference(expected, reference.state, result, candidate.state) is None


def _unfunded(*positions: int) -> Callable[[], workloads.Workload]:
    """Transfers whose senders at `positions` cannot pay."""

    def build() -> workloads.Workload:
        workload = workloads.transfers_between(200)
        for position in positions:
            workload.state.accounts[workload.block.transactions[position].sender].balance = 0
        return workload

    return build


@pytest.mark.parametrize("positions", [(5,), (190,), (150, 30)])
@pytest.mark.parametrize("workers", [2, 4])
def test_an_invalid_transaction_raises_what_sequential_raises(positions: tuple[int, ...], workers: int) -> None:
    """Taken by the front, executed ahead, or both (the first in block order is raised)."""
    build = _unfunded(*positions)
    reference = build()
    with pytest.raises(InvalidTransaction) as expected:
        execute_block(reference.state, reference.block, reference.rules, reference.chain_id)
    for _ in range(3):
        with pytest.raises(InvalidTransaction) as raised:
            execute_lookahead(build(), workers)
        assert (raised.value.kind, str(raised.value)) == (expected.value.kind, str(expected.value))


# Storage of its own, by calldata: 1 sets slot 0; 2 copies slot 1 to slot 2 and logs it; 3 sets
# slot 1 to 2 if slot 0 is set; 4 sets slot 1 to 1; anything else sets slot 1 to 1 if slot 0 is
# unset. Writes (and a log) that depend on what an earlier transaction wrote.
BRANCHING = assemble([
    "PUSH1", 0, "CALLDATALOAD",
    "DUP1", "PUSH1", 1, "EQ", ("@", "set"), "JUMPI",
    "DUP1", "PUSH1", 2, "EQ", ("@", "copy"), "JUMPI",
    "DUP1", "PUSH1", 3, "EQ", ("@", "if_set"), "JUMPI",
    "DUP1", "PUSH1", 4, "EQ", ("@", "one"), "JUMPI",
    "PUSH1", 0, "SLOAD", ("@", "end"), "JUMPI", "one:", "PUSH1", 1, "PUSH1", 1, "SSTORE", "end:", "STOP",
    "set:", "PUSH1", 1, "PUSH1", 0, "SSTORE", "STOP",
    "copy:", "PUSH1", 1, "SLOAD", "DUP1", "PUSH1", 2, "SSTORE", "PUSH1", 0, "MSTORE", "PUSH1", 32, "PUSH1", 0, "LOG0",
    "STOP",
    "if_set:", "PUSH1", 0, "SLOAD", "ISZERO", ("@", "end"), "JUMPI", "PUSH1", 2, "PUSH1", 1, "SSTORE", "STOP",
])  # fmt: skip
CONTRACT = 0xC0DE


def _word(value: int) -> bytes:
    return value.to_bytes(32, "big")


def _transfers(replaced: dict[int, tuple[int, int, bytes]], count: int = 8) -> workloads.Workload:
    """`count` transfers, transaction i (a key) replaced by one from transaction j's sender with
    nonce n, calling BRANCHING with `data` when given ((j, n, data))."""
    workload = workloads.transfers_between(count)
    workload.state.set_account(CONTRACT, 0, 0, BRANCHING, {})
    transactions = workload.block.transactions
    for position, (source, nonce, data) in replaced.items():
        tx = transactions[position]
        to = CONTRACT if data else tx.to
        transactions[position] = workloads.Accounts(0, False).transaction(
            transactions[source].sender, nonce, to, 0 if data else tx.value, data, 100_000)  # fmt: skip
    return workload


def _all_ahead_then_in_order(
    workload: workloads.Workload, segment: tuple[int, int], judged_ahead: bool
) -> tuple[BlockResult, int]:
    """A worker executes the whole block ahead (`segment` as one segment, every other
    transaction alone) before the front takes it in order, given the verdicts of
    `judge_rest` if `judged_ahead`; the result and how many transactions the front executed
    again. The front builds the receipts from the logs digested ahead, as in the executor."""
    fronts: list[Front] = []
    receipts = ReceiptsSoFar(workload.rules)

    def run(state: PlainState, block: Block, env: BlockEnv, rules: ForkRules) -> list[TxResult]:
        front = Front(state, block.transactions, env, rules, "t", None, receipts)
        front.share()
        first, last = segment
        front.work.execute_segment(first, last)
        for tx in [tx for tx in range(len(block.transactions)) if not first <= tx <= last]:
            front.work.execute_segment(tx, tx)
        front.take_rest(front.judge_rest() if judged_ahead else None)
        fronts.append(front)
        return front.results

    result = execute_forced(workload, run, receipts)
    assert len(receipts.receipts) == len(workload.block.transactions)
    return result, fronts[0].executed


@pytest.mark.parametrize(
    ("replaced", "segment", "executed"),
    [
        # 7 continues 6's sender's chain: it read 6's writes in the segment, and they hold.
        ({7: (6, 1, b"")}, (6, 7), 0),
        # 6 and 7 continue 0's chain: 6 read the snapshot's stale nonce, so 7 read a wrong one.
        ({6: (0, 1, b""), 7: (0, 2, b"")}, (6, 7), 2),
        # 0 sets slot 0, so 6 (executed again) no longer writes slot 1, which 7 read from 6's
        # result ahead: its read is stale though no transaction taken wrote slot 1 (and its log
        # digested ahead, too).
        ({0: (0, 0, _word(1)), 6: (6, 0, b"\0"), 7: (7, 0, _word(2))}, (6, 7), 2),
        # 5 sets slot 1 to 1 and holds; 6, executed again after 0 set slot 0, sets it to 2; 7
        # read 5's 1 in the segment, stale though the last result that held wrote it.
        ({0: (0, 0, _word(1)), 5: (5, 0, _word(4)), 6: (6, 0, _word(3)), 7: (7, 0, _word(2))}, (5, 7), 2),
    ],
)
@pytest.mark.parametrize("judged_ahead", [False, True])
def test_a_segment_keeps_what_holds_of_its_chain(
    replaced: dict[int, tuple[int, int, bytes]], segment: tuple[int, int], executed: int, judged_ahead: bool
) -> None:
    reference = _transfers(replaced)
    expected = execute_block(reference.state, reference.block, reference.rules, reference.chain_id)
    candidate = _transfers(replaced)
    result, again = _all_ahead_then_in_order(candidate, segment, judged_ahead)
    assert again == executed
    assert difference(expected, reference.state, result, candidate.state) is None


def test_receipts_built_beside_the_take_stop_at_the_first_stale_result() -> None:
    """A pool thread builds the receipts of the results that hold up to the first that does not
    (25: slot 0 is set in order, not ahead), the front the rest after taking them: 30 logs slot 1
    as 25 set it in order, not as the digest of its result ahead had it; 10 logs it as it was."""
    assert MIN_RECEIPTS_AHEAD <= 25
    replaced = {0: (0, 0, _word(1)), 10: (10, 0, _word(2)), 25: (25, 0, _word(3)), 30: (30, 0, _word(2))}
    reference = _transfers(replaced, 40)
    expected = execute_block(reference.state, reference.block, reference.rules, reference.chain_id)
    for judged_ahead in (False, True):
        candidate = _transfers(replaced, 40)
        result, again = _all_ahead_then_in_order(candidate, (0, 0), judged_ahead)
        assert again == 2  # 25, and 30 which read slot 1
        assert difference(expected, reference.state, result, candidate.state) is None


def _front(workload: workloads.Workload) -> Front:
    """A front over the workload's block and state, driven by hand."""
    block = workload.block
    return Front(workload.state, block.transactions, block_env(block.header, workload.rules, workload.chain_id),
                 workload.rules, "t")  # fmt: skip


def test_results_ahead_read_the_state_the_front_shared() -> None:
    """The front shares its state when a worker asks, not as the block started: 6 continues the
    chain of 0's sender, taken before the snapshot, so its result ahead reads the right nonce."""
    reference = _transfers({6: (0, 1, b"")})
    expected = execute_block(reference.state, reference.block, reference.rules, reference.chain_id)
    fronts: list[Front] = []

    def run(state: PlainState, block: Block, env: BlockEnv, rules: ForkRules) -> list[TxResult]:
        front = Front(state, block.transactions, env, rules, "t")
        for _ in range(3):
            front.take()
        front.share()
        front.work.execute_ahead()
        front.take_rest(front.judge_rest())
        fronts.append(front)
        return front.results

    candidate = _transfers({6: (0, 1, b"")})
    result = execute_forced(candidate, run)
    assert (fronts[0].executed, fronts[0].work.executed_ahead()) == (3, 5)  # every result ahead held
    assert difference(expected, reference.state, result, candidate.state) is None


def test_a_worker_stops_when_the_front_is_done_without_sharing() -> None:
    """A worker that asks for the snapshot after the front took the whole block alone gets
    none and executes nothing (it would wait forever for one otherwise)."""
    front = _front(_transfers({}))
    front.run_until_met()
    front.work.execute_ahead()
    assert (front.executed, front.work.executed_ahead()) == (8, 0)


def test_the_front_shares_before_a_transaction_that_may_take_long() -> None:
    """A worker asking while the front executes a long transaction would wait for all of it, so
    the front shares its state before one allowed SHARE_BEFORE_GAS, asked or not."""
    workload = workloads.transfers_between(8)
    transactions = workload.block.transactions
    big = transactions[5]
    transactions[5] = workloads.Accounts(0, False).transaction(big.sender, 0, big.to, big.value, b"", SHARE_BEFORE_GAS)
    front = _front(workload)
    front.run_until_met()
    view = front.work.views[0]
    assert view is not None  # taken after transaction 4, before 5
    assert [view.accounts[tx.sender].nonce for tx in transactions[4:6]] == [1, 0]
    assert front.executed == 8


def _claims(count: int, chain: range, front_at: int | None = None) -> list[tuple[int, int]]:
    """A worker's claims on `count` transfers where those in `chain` continue the sender's
    chain of the one before them; with `front_at`, the front claims up to there first."""
    work = _front(_transfers({tx: (chain.start - 1, tx - chain.start + 1, b"") for tx in chain}, count)).work
    if front_at is not None:
        work.claims[FRONT] = front_at
    claims = []
    while (claim := work.claim_segment()) != (-1, -1):
        claims.append(claim)
    return claims


def test_a_worker_claims_a_chain_as_one_segment() -> None:
    alone = [(tx, tx) for tx in range(39, -1, -1)]
    assert _claims(40, range(32, 36)) == alone[:4] + [(31, 35)] + alone[9:]
    # At most a quarter of what is left: the front never waits long for a segment in progress.
    assert _claims(8, range(4, 8)) == [(6, 7), (5, 5), (4, 4), (3, 3), (2, 2), (1, 1), (0, 0)]
    assert _claims(8, range(0), front_at=5) == [(7, 7), (6, 6), (5, 5)]  # none past the front


def test_the_front_never_changes_an_account_the_snapshot_holds() -> None:
    state = workloads.transfers_between(4).state
    address = next(iter(state.accounts))
    shared = state.accounts[address]
    balance, storage = shared.balance, dict(shared.storage)
    view = snapshot(state)
    writer = CopyOnWrite(state)
    writer.apply({account_loc(BALANCE, address): balance + 5, storage_loc(address, 1): 7})
    writer.apply({account_loc(BALANCE, address): balance + 6})  # copied once, then its own
    assert view.accounts[address] is shared and (shared.balance, shared.storage) == (balance, storage)
    assert state.accounts[address] is not shared
    assert (state.accounts[address].balance, state.accounts[address].storage.get(1)) == (balance + 6, 7)


def test_seeded_transactions_start_executed_and_wait_for_validation() -> None:
    scheduler = Scheduler(4)
    scheduler.seed([True, False, True, True])
    assert scheduler.status == [EXECUTED, READY_TO_EXECUTE, EXECUTED, EXECUTED]
    assert scheduler.counters[EXECUTION_IDX] == 1
    assert scheduler.next_task() == (VALIDATIONS, 0, 1)


COUNTER = assemble(["PUSH1", 0, "SLOAD", "PUSH1", 1, "ADD", "PUSH1", 0, "SSTORE", "STOP"])


def _counting(count: int, callers: range) -> workloads.Workload:
    """`count` transfers, those in `callers` replaced by calls to COUNTER from their senders:
    each call reads the slot the call before it wrote."""
    workload = workloads.transfers_between(count)
    workload.state.set_account(CONTRACT, 0, 0, COUNTER, {})
    transactions = workload.block.transactions
    for position in callers:
        sender = transactions[position].sender
        transactions[position] = workloads.Accounts(0, False).transaction(sender, 0, CONTRACT, 0, b"", 100_000)
    return workload


def test_calls_to_a_contract_seen_conflicting_ahead_are_claimed_as_one_segment() -> None:
    """The worker executes 39 and 38 alone, sees 39 read what 38 wrote, and from then on claims
    consecutive calls to the counter together (at most a quarter of what is left)."""
    front = _front(_counting(40, range(20, 40)))
    front.share()
    work = front.work
    claims = []
    while (claim := work.claim_segment()) != (-1, -1):
        work.execute_segment(*claim)
        claims.append(claim)
    assert work.hot == {CONTRACT}
    assert claims[:5] == [(39, 39), (38, 38), (29, 37), (22, 28), (20, 21)]
    assert claims[5:] == [(tx, tx) for tx in range(19, -1, -1)]


def test_a_hot_contract_block_gives_the_sequential_result() -> None:
    reference = _counting(120, range(40, 120))
    expected = execute_block(reference.state, reference.block, reference.rules, reference.chain_id)
    for _ in range(3):
        candidate = _counting(120, range(40, 120))
        result = execute_lookahead(candidate, 2)
        assert difference(expected, reference.state, result, candidate.state) is None


READS_BENEFICIARY = assemble(["COINBASE", "BALANCE", "PUSH1", 0, "SSTORE", "STOP"])


def _reading_beneficiary() -> workloads.Workload:
    """8 transfers, the last replaced by the seventh's sender storing the beneficiary's balance."""
    workload = workloads.transfers_between(8)
    workload.state.set_account(CONTRACT, 0, 0, READS_BENEFICIARY, {})
    transactions = workload.block.transactions
    transactions[7] = workloads.Accounts(0, False).transaction(transactions[6].sender, 1, CONTRACT, 0, b"", 100_000)
    return workload


@pytest.mark.parametrize("judged_ahead", [False, True])
def test_a_credit_in_a_segment_leaves_the_earlier_credits_stale(judged_ahead: bool) -> None:
    """6 and 7 are one sender's segment, and 7 read the beneficiary's balance from its overlay:
    the snapshot's balance plus 6's fee, without the fees of 0-5. Found by `pevm fuzz`: the
    credit counted as a write that gave 7 the value in order."""
    reference = _reading_beneficiary()
    expected = execute_block(reference.state, reference.block, reference.rules, reference.chain_id)
    candidate = _reading_beneficiary()
    result, again = _all_ahead_then_in_order(candidate, (6, 7), judged_ahead)
    assert difference(expected, reference.state, result, candidate.state) is None
    assert again == 1
