"""BlockchainTests: import a chain of blocks onto a genesis state, rejecting the invalid ones.

Each test is one case, `<file>::<test>`. The genesis header (from `genesisRLP`) must hash to
the fixture's and commit to the `pre` state. Then every block, in file order, is imported onto
the block its header names as parent, which may be any block imported so far (side chains):
decode (`parse_block`, `decode_body`), validate against the parent (`validate_header`,
`validate_body`), execute on a copy of the parent's state and compare the results with the
header (`validate_result`). A block failing any of it is rejected and changes nothing; an
accepted block becomes the chain head. A block marked `expectException` must be rejected, any
other accepted. At the end the head must be `lastblockhash` and its state `postState` (or hash
to `postStateHash`).

A rejection whose kind differs from the fixture's is still a pass (clients name the same fault
differently), reported as a `NOTE` line so kind mapping gaps stay visible.

With `--parallel` every test runs once per parallel way (`<file>::<test>[<way>]`): by each
parallel path, its blocks' transactions on `--workers` threads (PARALLEL_WORKERS by default)
whatever the executor's rule would pick (most of these blocks are too small for it to pick any),
and with lookahead, the senders left unrecovered by decoding and recovered during execution
(`SENDERS_ON_THE_WAY`); `--repeat R` runs each R times, and a test passes only if every run
does. So the fixtures check the parallel executor as they check the sequential one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from ethtests.exceptions import mismatch
from ethtests.fixtures import (
    AccountState, BlobScheduleEntry, FixtureError, load_json, parse_accounts, parse_blob_schedule, parse_bytes,
    parse_hash, parse_int, require, require_list,
)  # fmt: skip
from ethtests.report import FAILED, PASSED, CaseResult, Reporter, repeated
from ethtests.statetest import PARALLEL_WORKERS, first_difference, run_files, state_from_accounts
from interp.block import execute_block
from interp.block_decoding import decode_body, parse_block
from interp.block_validation import UNKNOWN_PARENT, UNKNOWN_PARENT_ZERO, validate_body, validate_header, validate_result
from interp.errors import InvalidBlock, InvalidTransaction
from interp.forks import BlobSchedule, ForkRules, UnknownFork, fork_id
from interp.header import Header
from interp.plain_state import PlainState
from interp.state_root import state_root
from parallel.executor import execute_in_parallel
from parallel.paths import LOOKAHEAD, PARALLEL_PATHS
from parallel.senders import SenderRecovery

ZERO_HASH = bytes(32)
# `ShanghaiToCancunAtTime15k` (by timestamp) or `BerlinToLondonAt5` (by block number).
TRANSITION = re.compile(r"(?P<old>[A-Za-z0-9]+?)To(?P<new>[A-Za-z0-9]+)At(?P<time>Time)?(?P<at>\d+)(?P<k>k?)")

# The parallel ways every test runs with `--parallel`: each parallel path, and lookahead with the
# senders recovered during execution (`parallel.senders.SenderRecovery`).
SENDERS_ON_THE_WAY = "lookahead, senders on the way"
PARALLEL_WAYS = (*PARALLEL_PATHS, SENDERS_ON_THE_WAY)


# --- fixtures ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class FixtureBlock:
    rlp: bytes
    expect_exception: str | None
    header_hash: bytes | None  # a valid block's `blockHeader.hash`, cross-checking our decoding


@dataclass(frozen=True)
class BlockchainTest:
    name: str
    network: str
    chain_id: int
    blob_schedule: dict[str, BlobScheduleEntry]
    pre: dict[int, AccountState]
    genesis_rlp: bytes
    genesis_hash: bytes
    blocks: tuple[FixtureBlock, ...]
    post_state: dict[int, AccountState] | None
    post_state_hash: bytes | None
    last_block_hash: bytes


def parse_fixture_block(block: Any, where: str) -> FixtureBlock:
    exception = block.get("expectException") if isinstance(block, dict) else None
    if exception is not None and not isinstance(exception, str):
        raise FixtureError(f"{where}.expectException: expected a string")
    header = block.get("blockHeader") if isinstance(block, dict) else None
    header_hash = None
    if exception is None and isinstance(header, dict) and "hash" in header:
        header_hash = parse_hash(header["hash"], f"{where}.blockHeader.hash")
    return FixtureBlock(parse_bytes(require(block, "rlp", where), f"{where}.rlp"), exception or None, header_hash)


def parse_blockchain_test(name: str, test: Any, where: str) -> BlockchainTest:
    """One BlockchainTests test; `where` names the file and the test in error messages."""
    if not isinstance(test, dict):
        raise FixtureError(f"{where}: expected an object")
    config = test.get("config") or {}
    if not isinstance(config, dict):
        raise FixtureError(f"{where}.config: expected an object")
    network = require(test, "network", where)
    if not isinstance(network, str):
        raise FixtureError(f"{where}.network: expected a string")
    post = test.get("postState")
    post_hash = test.get("postStateHash")
    if post is None and post_hash is None:
        raise FixtureError(f"{where}: missing field 'postState'")
    genesis = require(test, "genesisBlockHeader", where)
    return BlockchainTest(
        name,
        network,
        parse_int(config.get("chainid", 1), f"{where}.config.chainid"),
        parse_blob_schedule(config, f"{where}.config"),
        parse_accounts(require(test, "pre", where), f"{where}.pre"),
        parse_bytes(require(test, "genesisRLP", where), f"{where}.genesisRLP"),
        parse_hash(require(genesis, "hash", f"{where}.genesisBlockHeader"), f"{where}.genesisBlockHeader.hash"),
        tuple(parse_fixture_block(block, f"{where}.blocks[{i}]")
              for i, block in enumerate(require_list(test, "blocks", where))),
        None if post is None else parse_accounts(post, f"{where}.postState"),
        None if post_hash is None else parse_hash(post_hash, f"{where}.postStateHash"),
        parse_hash(require(test, "lastblockhash", where), f"{where}.lastblockhash"),
    )  # fmt: skip


def load_blockchain_tests(path: Path) -> list[BlockchainTest]:
    return [parse_blockchain_test(name, test, f"{path}: {name}") for name, test in load_json(path).items()]


# --- forks ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ForkSchedule:
    """The rules a network runs: one fork, or a transition at a block number or timestamp."""

    before: ForkRules
    after: ForkRules
    activation: int  # `after` applies from this block number or timestamp on
    by_timestamp: bool

    def rules_at(self, header: Header) -> ForkRules:
        value = header.timestamp if self.by_timestamp else header.number
        return self.after if value >= self.activation else self.before


def fork_rules(name: str, schedule: dict[str, BlobScheduleEntry]) -> ForkRules:
    """A fork's rules, with the fixture's blob parameters when it gives them (EIP-7691)."""
    fork = fork_id(name)
    entry = schedule.get(name)
    if entry is None:
        return ForkRules(fork)
    return ForkRules(fork, BlobSchedule(entry.target, entry.max, entry.base_fee_update_fraction))


def fork_schedule(test: BlockchainTest) -> ForkSchedule:
    """The test's `network`: a fork name, or a transition such as `ShanghaiToCancunAtTime15k`;
    raises UnknownFork for names pevm does not know."""
    match = TRANSITION.fullmatch(test.network)
    if match is None:
        rules = fork_rules(test.network, test.blob_schedule)
        return ForkSchedule(rules, rules, 0, False)
    activation = int(match["at"]) * (1000 if match["k"] else 1)
    old = fork_rules(match["old"], test.blob_schedule)
    new = fork_rules(match["new"], test.blob_schedule)
    return ForkSchedule(old, new, activation, match["time"] is not None)


# --- importing blocks ------------------------------------------------------------------------------
@dataclass(frozen=True)
class ChainBlock:
    """An imported block: its header and the state after it (never mutated once stored)."""

    header: Header
    state: PlainState


def import_block(
    chain: dict[bytes, ChainBlock],
    raw: bytes,
    forks: ForkSchedule,
    chain_id: int,
    path: str | None = None,
    workers: int = PARALLEL_WORKERS,
) -> bytes:
    """Decode, validate and execute `raw` on its parent's state (sequentially, or by the parallel
    `path` on `workers` threads); on success store it in `chain` and return its hash. Raises
    InvalidBlock or InvalidTransaction when the block is invalid."""
    raw_block = parse_block(raw)
    header = raw_block.header
    rules = forks.rules_at(header)
    on_the_way = path == SENDERS_ON_THE_WAY
    block = decode_body(raw_block, rules, chain_id, recover=not on_the_way)
    if header.parent_hash == ZERO_HASH:
        raise InvalidBlock(UNKNOWN_PARENT_ZERO, "parent hash is zero")
    parent = chain.get(header.parent_hash)
    if parent is None:
        raise InvalidBlock(UNKNOWN_PARENT, f"unknown parent 0x{header.parent_hash.hex()}")
    validate_header(header, parent.header, rules)
    validate_body(block, rules)
    state = parent.state.copy()
    state.block_hashes[parent.header.number] = header.parent_hash
    if path is None:
        result = execute_block(state, block, rules, chain_id)
    elif on_the_way:
        recovery = SenderRecovery(block.transactions, rules, chain_id)
        result = execute_in_parallel(state, block, rules, chain_id, workers, LOOKAHEAD, None, recovery)
    else:
        result = execute_in_parallel(state, block, rules, chain_id, workers, path, None)
    validate_result(block, result, state_root(state), rules)
    block_hash = header.hash()
    chain[block_hash] = ChainBlock(header, state)
    return block_hash


def run_test(
    test: BlockchainTest, case_id: str, path: str | None = None, workers: int = PARALLEL_WORKERS
) -> CaseResult:
    """Import every block (by the parallel `path` on `workers` threads, if given) and compare the
    head and its state; the first wrong verdict fails."""
    forks = fork_schedule(test)
    if not forks.before.proof_of_stake:
        return CaseResult(case_id, FAILED, f"network {test.network}: pre-Merge chains are not supported")
    genesis = parse_block(test.genesis_rlp).header
    if genesis.hash() != test.genesis_hash:
        return CaseResult(case_id, FAILED, f"genesis RLP hashes to 0x{genesis.hash().hex()}, not the fixture's hash")
    state = state_from_accounts(test.pre)
    if state_root(state) != genesis.state_root:
        return CaseResult(case_id, FAILED, f"pre state root 0x{state_root(state).hex()} is not the genesis state root")
    chain = {test.genesis_hash: ChainBlock(genesis, state)}
    head = test.genesis_hash
    notes: list[str] = []
    for index, block in enumerate(test.blocks):
        try:
            block_hash = import_block(chain, block.rlp, forks, test.chain_id, path, workers)
        except (InvalidBlock, InvalidTransaction) as invalid:
            if block.expect_exception is None:
                return CaseResult(case_id, FAILED, f"block {index} rejected: {invalid}")
            if mismatch(block.expect_exception, invalid.kind) is not None:
                notes.append(f"block {index} rejected as {invalid.kind}, fixture expects {block.expect_exception}")
            continue
        if block.expect_exception is not None:
            return CaseResult(case_id, FAILED, f"block {index} accepted, expected {block.expect_exception}")
        if block.header_hash is not None and block_hash != block.header_hash:
            return CaseResult(case_id, FAILED, f"block {index} hashes to 0x{block_hash.hex()}, blockHeader.hash differs")
        head = block_hash
    if head != test.last_block_hash:
        return CaseResult(case_id, FAILED, f"head 0x{head.hex()} != lastblockhash 0x{test.last_block_hash.hex()}")
    reason = post_state_difference(chain[head], test)
    if reason is not None:
        return CaseResult(case_id, FAILED, reason)
    return CaseResult(case_id, PASSED, "; ".join(notes))


def post_state_difference(head: ChainBlock, test: BlockchainTest) -> str | None:
    """Why the head's state is not the expected one, or None. Its root is its header's (checked
    when it was imported), so only the expected state's root needs computing."""
    root = head.header.state_root
    if test.post_state is not None:
        if root != state_root(state_from_accounts(test.post_state)):
            return f"post state: {first_difference(head.state, test.post_state)}"
    elif root != test.post_state_hash:
        return f"post state root 0x{root.hex()} != postStateHash"
    return None


def guarded_test(
    test: BlockchainTest, case_id: str, path: str | None = None, workers: int = PARALLEL_WORKERS
) -> CaseResult:
    """`run_test`, with an unknown fork or a crash reported as the test's failure."""
    try:
        return run_test(test, case_id, path, workers)
    except UnknownFork as error:
        return CaseResult(case_id, FAILED, f"network {test.network!r}: {error}")
    except RecursionError:
        return CaseResult(case_id, FAILED, "crashed: RecursionError (call depth needs a deeper stack)")
    except Exception as error:  # noqa: BLE001 - a crash fails this test, not the run
        return CaseResult(case_id, FAILED, f"crashed: {type(error).__name__}: {error}")


def run_file(path: Path, fork: str | None, pattern: str | None, parallel: bool = False,
             workers: int = PARALLEL_WORKERS) -> list[CaseResult]:  # fmt: skip
    """Every test of one fixture file whose id contains `pattern` (`fork` is unused: a chain's
    network fixes its forks), once per parallel way on `workers` threads if `parallel`. A
    malformed file raises FixtureError."""
    results: list[CaseResult] = []
    for test in load_blockchain_tests(path):
        case_id = f"{path.name}::{test.name}"
        if pattern is None or pattern in case_id:
            if parallel:
                results.extend(guarded_test(test, f"{case_id}[{way}]", way, workers) for way in PARALLEL_WAYS)
            else:
                results.append(guarded_test(test, case_id))
    return results


def run_file_parallel(path: Path, fork: str | None, pattern: str | None, workers: int = PARALLEL_WORKERS,
                      repeats: int = 1) -> list[CaseResult]:  # fmt: skip
    """`run_file` through every parallel way on `workers` threads (`blocktest --parallel`),
    `repeats` times: a test passes only if every run passes it (`repeated`)."""
    return repeated(partial(run_file, path, fork, pattern, True, workers), repeats)


# --- reporting -----------------------------------------------------------------------------------
class NotingReporter(Reporter):
    """The standard reporter, plus a `NOTE <id>: ...` line for passes that carry a remark."""

    def add_file(self, results: list[CaseResult], path: Path | None = None, seconds: float | None = None) -> None:
        notes = [result for result in results if result.status == PASSED and result.reason]
        if notes:
            with self._lock:
                self._clear_progress()
                for note in notes:
                    self.out.write(f"NOTE {note.id}: {note.reason}\n")
                self.out.flush()
        super().add_file(results, path, seconds)


def run_paths(paths: list[Path], pattern: str | None, jobs: int, json_out: Path | None, parallel: bool = False,
              workers: int = PARALLEL_WORKERS, repeats: int = 1) -> int:  # fmt: skip
    """`pevm blocktest`: blockchain tests under `paths` (with `parallel`, through every parallel
    way on `workers` threads, each `repeats` times); returns the exit code."""
    runner = partial(run_file_parallel, workers=workers, repeats=repeats) if parallel else run_file
    return run_files(paths, NotingReporter, runner, None, pattern, jobs, json_out)
