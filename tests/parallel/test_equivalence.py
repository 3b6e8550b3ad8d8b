"""Parallel execution equals sequential execution, exactly, for any worker count.

The parallel paths are forced (Block-STM; lookahead, then Block-STM for what it got wrong) so
even small blocks go through them. The default run repeats each case a few times; the `slow`
variants repeat 20 times with 1, 2, 4 and 8 workers (8 threads on 2 cores still interleave).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from interp.block import execute_block
from interp.forks import CANCUN, rules
from interp.header import Block
from interp.plain_state import PlainState
from pevm import workloads
from pevm.blockfile import load_block_file
from pevm.compare import difference
from parallel.block import execute_block as execute_parallel
from parallel.paths import MIN_TXS_FOR_SENDER_THREADS, SEQUENTIAL, ParallelStats
from pevm.fuzz.oracles import PARALLEL_PATHS, without_sender
from pevm.fuzz.strategies import conflict_blocks

WORKERS = [1, 2, 4, 8]
PATHS = ["Block-STM", "lookahead", "all ahead", "senders on the way"]


def assert_equivalent(build: object, workers: int, repeats: int, path: str) -> None:
    assert callable(build)
    reference = build()
    expected = execute_block(reference.state, reference.block, reference.rules, reference.chain_id)
    for _ in range(repeats):
        candidate = build()
        result = PARALLEL_PATHS[path](candidate, workers)
        diff = difference(expected, reference.state, result, candidate.state)
        assert diff is None, f"{candidate.name} with {workers} workers ({path}): {diff}"


CONFLICTS = sorted(workloads.CONFLICT_WORKLOADS)


@pytest.mark.pure
@pytest.mark.parametrize("name", CONFLICTS)
@pytest.mark.parametrize("workers", [2, 4])
@pytest.mark.parametrize("path", PATHS)
def test_conflict_workloads(name: str, workers: int, path: str) -> None:
    build = workloads.CONFLICT_WORKLOADS[name]
    assert_equivalent(lambda: build(120), workers, 3, path)


@pytest.mark.slow
@pytest.mark.parametrize("name", CONFLICTS)
@pytest.mark.parametrize("workers", WORKERS)
@pytest.mark.parametrize("path", PATHS)
def test_conflict_workloads_repeated(name: str, workers: int, path: str) -> None:
    build = workloads.CONFLICT_WORKLOADS[name]
    assert_equivalent(lambda: build(300), workers, 20, path)


def test_selfdestruct_redeploy_reads_wiped_storage() -> None:
    """The redeployed child reads 0 from the slot its destroyed predecessor wrote."""
    workload = workloads.selfdestruct_redeploy(12)
    result = execute_block(workload.state, workload.block, workload.rules, workload.chain_id)
    logged = [int.from_bytes(log.data, "big") for tx in result.results for log in tx.logs]
    assert logged == [42, 0, 42, 0], logged  # each cycle: read after store, read after redeploy


MAINNET_SAMPLE = ["4864590", "7279999", "12244000", "15537394", "19933612"]


@pytest.mark.parametrize("number", MAINNET_SAMPLE)
@pytest.mark.parametrize("path", PATHS)
def test_mainnet_blocks(shared_dir: Path, number: str, path: str) -> None:
    block_path = shared_dir / "mainnet" / f"{number}.json.gz"
    assert_equivalent(lambda: _as_workload(load_block_file(block_path)), 2, 2, path)


RECOVERING = [(number, 2, "lookahead") for number in MAINNET_SAMPLE] + [
    ("4370000", 2, "lookahead"),  # mostly one sender's chain: the front runs alone
    ("14396881", 2, "lookahead"),  # mostly plain transfers
    ("14396881", 3, "transfer groups"),  # senders recovered first
    ("4864590", 4, "Block-STM"),  # senders recovered first
]


def paths_recovering_senders(workload: workloads.Workload, workers: int, runs: int) -> list[str]:
    """`execute_block(..., recover=True)` on the block without its senders, `runs` times: each
    run recovers the senders and gives the result sequential execution gives; the paths taken."""
    block = workload.block
    expected_state = workload.state.copy()
    expected = execute_block(expected_state, block, workload.rules, workload.chain_id)
    paths = []
    for _ in range(runs):
        unsent = Block(block.header, [without_sender(tx) for tx in block.transactions], block.ommers, block.withdrawals)
        state, stats = workload.state.copy(), ParallelStats()
        result = execute_parallel(state, unsent, workload.rules, workload.chain_id, workers, stats, recover=True)
        assert [tx.sender for tx in unsent.transactions] == [tx.sender for tx in block.transactions]
        assert difference(expected, expected_state, result, state) is None, workload.name
        paths.append(stats.path)
    return paths


@pytest.mark.parametrize(("number", "workers", "path"), RECOVERING)
def test_mainnet_blocks_recovering_their_senders(shared_dir: Path, number: str, workers: int, path: str) -> None:
    """From signatures alone: on the lookahead path during execution, on the others first."""
    block_file = load_block_file(shared_dir / "mainnet" / f"{number}.json.gz")
    assert paths_recovering_senders(_as_workload(block_file), workers, 2) == [path, path]


def test_the_door_recovers_a_small_blocks_senders_itself() -> None:
    """Below MIN_TXS_FOR_SENDER_THREADS, in order and in compiled code."""
    workload = workloads.transfers_between(MIN_TXS_FOR_SENDER_THREADS - 1, signed=True)
    assert paths_recovering_senders(workload, 2, 1) == [SEQUENTIAL]


def test_a_small_nonce_chain_found_by_recovery_runs_sequentially() -> None:
    """Enough gas for threads, and all plain transfers, so the rule picks transfer groups before
    the senders are known; recovered, they are one sender's chain."""
    accounts = workloads.Accounts(10, signed=True)
    sender = accounts.new()
    state = PlainState()
    state.set_account(sender, workloads.RICH, 0, b"", {})
    state.set_account(0, 0, 0, b"", {})
    transactions = [accounts.transaction(sender, nonce, accounts.new(), 1, b"", 2_000_000) for nonce in range(8)]
    block = Block(workloads.synthetic_header(30_000_000), transactions, [], [])
    workload = workloads.Workload("small-chain", state, block, rules(CANCUN))
    assert paths_recovering_senders(workload, 2, 1) == [SEQUENTIAL]


@pytest.mark.slow
@pytest.mark.parametrize("workers", WORKERS)
@pytest.mark.parametrize("path", PATHS)
def test_all_mainnet_blocks_repeated(shared_dir: Path, workers: int, path: str) -> None:
    for block_path in sorted((shared_dir / "mainnet").glob("*.json.gz")):
        assert_equivalent(lambda: _as_workload(load_block_file(block_path)), workers, 20, path)


def _as_workload(block_file: object) -> workloads.Workload:
    workload = workloads.Workload(str(block_file.number), block_file.state, block_file.block, block_file.rules)  # type: ignore[attr-defined]
    return workload


# --- generated conflict blocks --------------------------------------------------------------
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True)
@given(conflict_blocks(), st.sampled_from([2, 3, 4, 8]), st.sampled_from(sorted(PARALLEL_PATHS)))
def test_generated_conflict_blocks(workload: workloads.Workload, workers: int, path: str) -> None:
    """Through Block-STM, with lookahead, or with every run of plain transfers as transfer groups."""
    reference = Block(workload.block.header, list(workload.block.transactions), [], [])
    sequential_state = workload.state.copy()
    expected = execute_block(sequential_state, reference, workload.rules, workload.chain_id)
    result = PARALLEL_PATHS[path](workload, workers)
    assert difference(expected, sequential_state, result, workload.state) is None
