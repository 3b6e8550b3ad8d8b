"""Executing a block: the phases around its transactions (EELS `apply_body`).

`pre_block` (DAO irregular change, EIP-4788 beacon root) and `post_block` (rewards before the
Merge, EIP-4895 withdrawals) run on the block's state directly; the transactions in between run
sequentially here (`execute_block`) or in parallel (`parallel.execute_block`), and both build
the same `BlockResult` with `finish_block`.

The cycle collector is paused while a block executes: on free-threaded 3.13 every collection
walks all heaps (there are no generations), and executing allocates enough to trigger one every
few dozen transactions, each scanning the whole pre-state. What a block allocates is acyclic
or freed when the block ends; the collector resumes afterwards.
"""

from __future__ import annotations

import gc
from bisect import bisect_right
from functools import partial
from typing import Final, final

from mypy_extensions import i64

from interp import call
from interp.chain import DAO_FORK_BLOCK
from interp.dao import apply_dao_fork
from interp.env import BlockEnv, TxEnv
from interp.forks import BYZANTIUM, CONSTANTINOPLE, HOMESTEAD, ForkRules
from interp.frame import Message, TxContext
from interp.header import Block, Header
from interp.errors import InvalidBlock
from interp.journal import Journal, Log
from interp.plain_state import PlainState
from interp.receipt import LogsDigest, Receipt, bloom_of, digest_logs, encode_log
from interp.requests import (
    CONSOLIDATION_REQUEST_ADDRESS,
    CONSOLIDATION_REQUEST_TYPE,
    DEPOSIT_REQUEST_TYPE,
    WITHDRAWAL_REQUEST_ADDRESS,
    WITHDRAWAL_REQUEST_TYPE,
    deposit_requests,
    requests_hash,
)
from interp.state_root import state_root
from interp.transaction import Transaction
from interp.tx import TxResult, blob_base_fee, execute_transaction, validate
from opcodes.forks import table
from precompiles.registry import precompiles_for
from primitives.bloom import bloom_or, blooms_union
from primitives.spread import Spread, serially
from primitives.trie import ordered_leaf, ordered_trie_root

SYSTEM_ADDRESS: Final = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFE
BEACON_ROOTS_ADDRESS: Final = 0x000F3DF6D732807EF1319FB7B8BB8522D0BEAC02
HISTORY_STORAGE_ADDRESS: Final = 0x0000F90827F1C53A10CB7A02335B175320002935
SYSTEM_CALL_GAS: Final[i64] = 30_000_000
SYSTEM_CONTRACT_EMPTY: Final = "BlockException.SYSTEM_CONTRACT_EMPTY"
SYSTEM_CONTRACT_FAILED: Final = "BlockException.SYSTEM_CONTRACT_CALL_FAILED"
ETHER: Final = 10**18
GWEI: Final = 10**9


@final
class BlockResult:
    """What executing a block's transactions produced; equal for every executor."""

    results: Final[list[TxResult]]
    receipts: Final[list[Receipt]]
    gas_used: Final[i64]
    blob_gas_used: Final[i64]
    logs_bloom: Final[bytes]
    receipts_root: Final[bytes | None]  # None: pre-Byzantium receipts need intermediate roots
    requests_hash: Final[bytes | None]  # EIP-7685, from Prague

    def __init__(
        self,
        results: list[TxResult],
        receipts: list[Receipt],
        gas_used: i64,
        blob_gas_used: i64,
        logs_bloom: bytes,
        receipts_root: bytes | None,
        requests_hash: bytes | None,
    ) -> None:
        self.results = results
        self.receipts = receipts
        self.gas_used = gas_used
        self.blob_gas_used = blob_gas_used
        self.logs_bloom = logs_bloom
        self.receipts_root = receipts_root
        self.requests_hash = requests_hash


def block_env(header: Header, rules: ForkRules, chain_id: int) -> BlockEnv:
    excess = header.excess_blob_gas if header.excess_blob_gas is not None else 0
    return BlockEnv(
        header.coinbase,
        header.number,
        header.timestamp,
        header.gas_limit,
        header.difficulty,
        int.from_bytes(header.mix_hash, "big"),
        header.base_fee if header.base_fee is not None else 0,
        excess,
        blob_base_fee(excess, rules),
        chain_id,
        header.parent_beacon_block_root,
    )


def system_call(state: PlainState, env: BlockEnv, rules: ForkRules, target: int, data: bytes, checked: bool = False) -> bytes:
    """Call a system contract as SYSTEM_ADDRESS, outside any transaction: no fee, no nonce.

    A checked call (EIP-7002/7251 request contracts) must find code and succeed, or the block is
    invalid."""
    journal = Journal(state)
    ctx = TxContext(rules, table(rules.fork), precompiles_for(rules.fork), env,
                    TxEnv(SYSTEM_ADDRESS, 0, (), SYSTEM_CALL_GAS), journal)  # fmt: skip
    code = journal.code(journal.account(target))
    if checked and code.size == 0:
        raise InvalidBlock(SYSTEM_CONTRACT_EMPTY, f"system contract 0x{target:040x} has no code")
    msg = Message(SYSTEM_ADDRESS, target, target, 0, data, SYSTEM_CALL_GAS, 0, False, False, code, False)
    frame = call.process_message(ctx, msg)
    if checked and (frame.halted or frame.reverted):
        raise InvalidBlock(SYSTEM_CONTRACT_FAILED, f"system contract 0x{target:040x} call failed")
    for account in list(journal.accounts.values()):
        if account.touched and journal.is_empty(account):
            journal.delete_account(account)
    state.apply(journal.write_set())
    return frame.output


def pre_block(state: PlainState, block: Block, rules: ForkRules, env: BlockEnv) -> None:
    """State changes before the first transaction."""
    if block.header.number == DAO_FORK_BLOCK and rules.fork >= HOMESTEAD:
        apply_dao_fork(state)
    root = block.header.parent_beacon_block_root
    if rules.eip4788_beacon_root and root is not None and state.code(BEACON_ROOTS_ADDRESS).size > 0:
        system_call(state, env, rules, BEACON_ROOTS_ADDRESS, root)
    if rules.eip2935_history and state.code(HISTORY_STORAGE_ADDRESS).size > 0:
        system_call(state, env, rules, HISTORY_STORAGE_ADDRESS, block.header.parent_hash)


def execute_transactions(
    state: PlainState, block: Block, rules: ForkRules, env: BlockEnv, roots: list[bytes] | None
) -> list[TxResult]:
    """Run the transactions in order, applying each one's writes before the next; with
    `roots`, also collect the state root after each (pre-Byzantium receipts)."""
    results: list[TxResult] = []
    execute_in_order(state, block.transactions, rules, env, 0, results, roots)
    return results


def execute_in_order(
    state: PlainState,
    transactions: list[Transaction],
    rules: ForkRules,
    env: BlockEnv,
    gas_used: i64,
    results: list[TxResult],
    roots: list[bytes] | None = None,
) -> i64:
    """Run `transactions` one after another after `gas_used` of the block's gas, appending
    their results; returns the block's gas used after them."""
    for tx in transactions:
        result = execute_transaction(Journal(state), env, tx, rules, env.gas_limit - int(gas_used))
        state.apply(result.writes)
        gas_used += result.gas_used
        results.append(result)
        if roots is not None:
            roots.append(state_root(state))
    return gas_used


def sequential_verdict(
    tx: Transaction, outcome: object, env: BlockEnv, rules: ForkRules, gas_used: int, where: str, index: int
) -> TxResult:
    """The outcome of `tx` executed ahead of order with the whole block's gas available (a
    result or the exception it raised), as sequential execution after `gas_used` of the block's
    gas would have it: a gas limit above what is left fails the stateless checks first, then
    the transaction's own error is raised. "`where` `index`" names the transaction if it never
    executed (formatted only then: a block of 10,000 transfers spent ~1 ms formatting names)."""
    if tx.gas_limit > env.gas_limit - gas_used:
        validate(tx, env, rules, env.gas_limit - gas_used)
    if isinstance(outcome, BaseException):
        raise outcome
    assert isinstance(outcome, TxResult), f"{where} {index} never executed"
    return outcome


# Receipts (bloom and encoding, ~5-12 us each) of a few dozen transactions are worth handing
# to another thread; so are a few dozen logs (one receipt of 15537394 has 10,001).
MIN_RECEIPTS_PER_PART: Final = 64
MIN_LOGS_PER_PART: Final = 64

ReceiptsPart = tuple[list[Receipt], list[bytes], bytes]
EMPTY_BLOOM: Final = bytes(256)


@final
class LogsWork:
    """A block's logs in one flat list, encoded and bloomed in parts that may split a receipt.

    `starts[i]` is the position of receipt i's first log (`starts[-1]` is the total). Each part
    fills its positions of `encoded` and the blooms of the receipts it holds whole; the bloom of
    a receipt's piece goes to `pieces[part]`, ORed into `blooms` once all parts are done.
    """

    logs: Final[list[Log]]
    starts: Final[list[int]]
    encoded: Final[list[bytes]]
    blooms: Final[list[bytes]]
    pieces: Final[list[list[tuple[int, bytes]]]]

    def __init__(self, results: list[TxResult]) -> None:
        self.logs = []
        self.starts = []
        for result in results:
            self.starts.append(len(self.logs))
            self.logs.extend(result.logs)
        self.starts.append(len(self.logs))
        self.encoded = [b""] * len(self.logs)
        self.blooms = [EMPTY_BLOOM] * len(results)
        self.pieces = [[] for _ in range(max(1, len(self.logs) // MIN_LOGS_PER_PART))]

    def part(self, part: int, count: int) -> None:
        """Encode and bloom this part's share of the logs."""
        first = len(self.logs) * part // count
        end = len(self.logs) * (part + 1) // count
        receipt = bisect_right(self.starts, first) - 1  # the receipt holding log `first`
        known: dict[bytes, bytes] = {}
        position = first
        while position < end:
            stop = min(end, self.starts[receipt + 1])
            logs = self.logs[position:stop]
            for offset in range(len(logs)):
                self.encoded[position + offset] = encode_log(logs[offset])
            bloom = bloom_of(logs, known)
            if position == self.starts[receipt] and stop == self.starts[receipt + 1]:
                self.blooms[receipt] = bloom
            else:
                self.pieces[part].append((receipt, bloom))
            position = stop
            receipt += 1
            while receipt < len(self.blooms) and self.starts[receipt + 1] <= position:
                receipt += 1  # receipts without logs keep the empty bloom

    def join_pieces(self) -> None:
        """The blooms of receipts split between parts (at most two pieces a part)."""
        for pieces in self.pieces:
            for receipt, bloom in pieces:
                self.blooms[receipt] = bloom_or(self.blooms[receipt], bloom)


@final
class ReceiptsSoFar:
    """The receipts of a block's first transactions and their receipts-trie leaves, built by the
    thread taking their results in order, a batch at a time, so that `finish_block` builds only
    the rest and the trie's branches. The lookahead's front (`parallel.lookahead`) builds them
    while workers recover senders or execute ahead, where its share of the block's work is
    balanced against theirs; `finish_block` spreads what is left over threads that each run
    slower beside the other (W4's logs and receipts: ~9.6 ms on one thread, ~6.4 ms spread over
    two; BENCHMARKS.md, stop 34). A receipt of more logs than a part of `finish_block` takes,
    not digested already, is left to it, which splits them over threads (15537394 has 10,001
    logs in one receipt: 24 ms on the front), and so is every receipt after it. Used by one
    thread at a time."""

    eip658: Final[bool]  # receipts carry a status, not an (unknown here) intermediate root
    receipts: Final[list[Receipt]]
    encodings: Final[list[bytes]]
    leaves: Final[list[bytes]]  # their trie leaves, hashed (`ordered_leaf`); eip658 receipts only
    known: Final[dict[bytes, bytes]]  # bloom entries' hash prefixes (`logs_bloom`)
    bloom: int  # the union of the receipts' blooms
    closed: bool  # no more receipts are built here

    def __init__(self, rules: ForkRules) -> None:
        self.eip658 = rules.eip658_receipt_status
        self.receipts = []
        self.encodings = []
        self.leaves = []
        self.known = {}
        self.bloom = 0
        self.closed = False

    def catch_up(
        self, transactions: list[Transaction], results: list[TxResult], digests: list[LogsDigest | None] | None = None
    ) -> None:
        """The receipts of `results` (the first transactions' results) not built yet. Called
        for a batch at a time: built one by one between executions, W4's receipts took twice
        as long as in a loop of their own (17 against 9 ms). `digests`, by transaction index:
        the logs of those results digested already (`digest_logs`), however many they are."""
        receipts = self.receipts
        gas_used: i64 = receipts[-1].cumulative_gas_used if receipts else 0
        for index in range(len(receipts), len(results)):
            result = results[index]
            logs = result.logs
            digest = None if digests is None or not logs else digests[index]
            if self.closed or (digest is None and len(logs) > MIN_LOGS_PER_PART):
                self.closed = True
                return
            if digest is None:
                digest = digest_logs(logs, self.known)
            gas_used += result.gas_used
            receipt = Receipt(transactions[index].tx_type, result.success, gas_used, logs,
                              None if self.eip658 else b"", digest[1])  # fmt: skip
            if logs:
                self.bloom |= int.from_bytes(receipt.bloom, "big")
            receipts.append(receipt)
            encoding = receipt.encode_with_logs(digest[0])
            self.encodings.append(encoding)
            if self.eip658:
                self.leaves.append(ordered_leaf(index, len(transactions), encoding))


def finish_block(
    block: Block,
    rules: ForkRules,
    results: list[TxResult],
    intermediate_roots: list[bytes] | None,
    requests: list[bytes] | None,
    spread: Spread = serially,
    so_far: ReceiptsSoFar | None = None,
) -> BlockResult:
    """Receipts, bloom and receipts root from the transactions' results.

    Before Byzantium a receipt needs the state root after its transaction
    (`intermediate_roots`); without them the receipts root is None (not verifiable). Given a
    `spread`, logs, receipts and the receipts trie are built in parts (blocks of many
    transactions spent a fifth of their sequential time here). `so_far`: the receipts of the
    first transactions, already built (without intermediate roots).
    """
    cumulative: list[int] = []
    gas_used: i64 = 0
    blob_gas: i64 = 0
    for result in results:
        gas_used += result.gas_used
        blob_gas += result.blob_gas_used
        cumulative.append(gas_used)
    receipts: list[Receipt] = []
    encodings: list[bytes] = []
    blooms: list[bytes] = []
    start = 0
    if so_far is not None:
        assert intermediate_roots is None, "receipts built so far carry no intermediate roots"
        start = len(so_far.receipts)
        receipts.extend(so_far.receipts)
        encodings.extend(so_far.encodings)
        blooms.append(so_far.bloom.to_bytes(len(EMPTY_BLOOM), "big"))
    logs = LogsWork(results[start:] if start else results)
    spread(logs.part, len(logs.pieces))
    logs.join_pieces()
    most = max(1, (len(results) - start) // MIN_RECEIPTS_PER_PART)
    parts: list[ReceiptsPart | None] = [None] * most
    spread(partial(_receipts_part, block, rules, results, start, cumulative, intermediate_roots, logs, parts), most)
    for done in parts:
        if done is not None:
            receipts.extend(done[0])
            encodings.extend(done[1])
            blooms.append(done[2])
    bloom = blooms_union(blooms)
    root: bytes | None = ordered_trie_root(encodings, spread, None if so_far is None else so_far.leaves)
    if not rules.eip658_receipt_status and intermediate_roots is None:
        root = None
    return BlockResult(results, receipts, gas_used, blob_gas, bloom, root,
                       None if requests is None else requests_hash(requests))  # fmt: skip


def _receipts_part(
    block: Block,
    rules: ForkRules,
    results: list[TxResult],
    start: int,
    cumulative: list[int],
    intermediate_roots: list[bytes] | None,
    logs: LogsWork,
    parts: list[ReceiptsPart | None],
    part: int,
    count: int,
) -> None:
    """Receipts, their encodings and their joint bloom for one contiguous share of the block
    from transaction `start` on (`logs` holds the logs from there)."""
    receipts: list[Receipt] = []
    encodings: list[bytes] = []
    size = len(results) - start
    for local in range(size * part // count, size * (part + 1) // count):
        index = start + local
        result = results[index]
        post_state: bytes | None = None
        if not rules.eip658_receipt_status:
            post_state = intermediate_roots[index] if intermediate_roots is not None else b""
        receipt = Receipt(block.transactions[index].tx_type, result.success, cumulative[index], result.logs,
                          post_state, logs.blooms[local])  # fmt: skip
        receipts.append(receipt)
        encodings.append(receipt.encode_with_logs(b"".join(logs.encoded[logs.starts[local]:logs.starts[local + 1]])))
    parts[part] = (receipts, encodings, blooms_union([receipt.bloom for receipt in receipts]))


def post_block(state: PlainState, block: Block, rules: ForkRules, env: BlockEnv, results: list[TxResult]) -> list[bytes] | None:
    """Rewards, withdrawals and (from Prague) requests after the transactions; returns the
    requests. Ommer rewards need the ommer headers: a block file that lists only their hashes
    (`block.ommers is None`) gets none, and its post state lacks them."""
    journal = Journal(state)
    if not rules.proof_of_stake:
        reward = block_reward(rules)
        miner = journal.account(block.header.coinbase)
        journal.mark_exists(miner)
        ommers = block.ommers if block.ommers is not None else []
        journal.credit(miner, reward + reward // 32 * len(ommers))
        for ommer in ommers:
            ommer_miner = journal.account(ommer.coinbase)
            journal.mark_exists(ommer_miner)
            journal.credit(ommer_miner, (8 + ommer.number - block.header.number) * reward // 8)
    if rules.eip4895_withdrawals and block.withdrawals is not None:
        for withdrawal in block.withdrawals:
            account = journal.account(withdrawal.address)
            journal.credit(account, withdrawal.amount * GWEI)
            journal.touch(account)
        for account in list(journal.accounts.values()):
            if account.touched and journal.is_empty(account):
                journal.delete_account(account)
    state.apply(journal.write_set())
    if not rules.eip7685_requests:
        return None
    return general_purpose_requests(state, rules, env, results)


def general_purpose_requests(state: PlainState, rules: ForkRules, env: BlockEnv, results: list[TxResult]) -> list[bytes]:
    """EIP-7685: deposits from logs, then withdrawal and consolidation requests dequeued from
    their system contracts; each type is listed only when it has requests."""
    requests: list[bytes] = []
    logs: list[Log] = []
    for result in results:
        logs.extend(result.logs)
    deposits = deposit_requests(logs)
    if deposits:
        requests.append(DEPOSIT_REQUEST_TYPE + deposits)
    for address, request_type in ((WITHDRAWAL_REQUEST_ADDRESS, WITHDRAWAL_REQUEST_TYPE),
                                  (CONSOLIDATION_REQUEST_ADDRESS, CONSOLIDATION_REQUEST_TYPE)):  # fmt: skip
        output = system_call(state, env, rules, address, b"", True)
        if output:
            requests.append(request_type + output)
    return requests


def block_reward(rules: ForkRules) -> int:
    if rules.fork >= CONSTANTINOPLE:  # EIP-1234
        return 2 * ETHER
    if rules.fork >= BYZANTIUM:  # EIP-649
        return 3 * ETHER
    return 5 * ETHER


@final
class CollectorPaused:
    """`with CollectorPaused():` runs its body with the cycle collector off (module docstring)."""

    resume: bool

    def __init__(self) -> None:
        self.resume = False

    def __enter__(self) -> None:
        self.resume = gc.isenabled()
        gc.disable()

    def __exit__(self, *exc: object) -> None:
        if self.resume:
            gc.enable()


def execute_block(
    state: PlainState,
    block: Block,
    rules: ForkRules,
    chain_id: int,
    intermediate_roots: bool = False,
    spread: Spread = serially,
) -> BlockResult:
    """Execute a whole block sequentially on `state` (mutated to the post state); `spread`
    builds the receipts (`finish_block`)."""
    with CollectorPaused():
        return _execute_block(state, block, rules, chain_id, intermediate_roots, spread)


def _execute_block(
    state: PlainState, block: Block, rules: ForkRules, chain_id: int, intermediate_roots: bool, spread: Spread
) -> BlockResult:
    env = block_env(block.header, rules, chain_id)
    pre_block(state, block, rules, env)
    roots: list[bytes] | None = [] if intermediate_roots and not rules.eip658_receipt_status else None
    results = execute_transactions(state, block, rules, env, roots)
    requests = post_block(state, block, rules, env, results)
    return finish_block(block, rules, results, roots, requests, spread)
