"""GeneralStateTests: one transaction against a pre-state; check the post state root, the
logs hash and, for invalid transactions, the exception kind.

Each (test, fork, data/gas/value index) is a case. Cases of one file run in order; files run in
parallel worker threads on the free-threaded build (`run_files`).
"""

from __future__ import annotations

import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Callable

from ethtests.exceptions import matches
from ethtests.fixtures import FixtureError, fixture_files, load_json, parse_bytes, parse_int, require
from ethtests.report import FAILED, PASSED, CaseResult, Reporter
from interp.env import BlockEnv
from interp.errors import TX_MALFORMED, InvalidTransaction
from interp.forks import FORK_NAMES, BlobSchedule, ForkRules, UnknownFork, fork_id, rules
from interp.journal import Journal
from interp.plain_state import PlainState
from interp.receipt import logs_hash
from interp.state_root import state_root
from interp.transaction import Authorization, Transaction
from interp.tx import blob_base_fee, execute_transaction
from primitives.secp256k1 import private_key_to_address

WORD = 1 << 256
THREAD_STACK_BYTES = 512 * 1024 * 1024  # call depth 1024 recurses deeply in C


def build_state(pre: dict[str, Any], where: str) -> PlainState:
    state = PlainState()
    for address, account in pre.items():
        here = f"{where}.pre[{address}]"
        storage = {parse_int(k, here): parse_int(v, here) for k, v in (account.get("storage") or {}).items()}
        state.set_account(
            parse_int(address, here),
            parse_int(require(account, "balance", here), here),
            parse_int(require(account, "nonce", here), here),
            parse_bytes(account.get("code", "0x"), here),
            storage,
        )
    return state


def fork_rules(fork: str, test: dict[str, Any]) -> ForkRules:
    """The fork's rules, with the fixture's blob schedule when it gives one (EIP-7691)."""
    identifier = fork_id(fork)
    schedule = (test.get("config") or {}).get("blobSchedule") or {}
    entry = schedule.get(fork)
    if entry is None:
        return rules(identifier)
    blobs = BlobSchedule(
        parse_int(entry["target"], "blobSchedule.target"),
        parse_int(entry["max"], "blobSchedule.max"),
        parse_int(entry["baseFeeUpdateFraction"], "blobSchedule.baseFeeUpdateFraction"),
    )
    return ForkRules(identifier, blobs)


def build_env(test: dict[str, Any], fork_rules_: ForkRules, where: str) -> BlockEnv:
    env = require(test, "env", where)
    here = f"{where}.env"

    def field(name: str, default: int = 0) -> int:
        return parse_int(env[name], f"{here}.{name}") if env.get(name) is not None else default

    excess = field("currentExcessBlobGas")
    chain_id = parse_int((test.get("config") or {}).get("chainid", 1), "config.chainid")
    root = env.get("parentBeaconBlockRoot")
    return BlockEnv(
        field("currentCoinbase"),
        field("currentNumber"),
        field("currentTimestamp"),
        field("currentGasLimit"),
        field("currentDifficulty"),
        field("currentRandom"),
        field("currentBaseFee"),
        excess,
        blob_base_fee(excess, fork_rules_),
        chain_id,
        parse_bytes(root, f"{here}.parentBeaconBlockRoot") if root else None,
    )


def build_transaction(test: dict[str, Any], indexes: dict[str, Any], chain_id: int, where: str) -> Transaction:
    """The case's transaction; raises InvalidTransaction for values no encoding can carry."""
    tx = require(test, "transaction", where)
    here = f"{where}.transaction"
    data_index = parse_int(require(indexes, "data", where), "indexes.data")
    gas_index = parse_int(require(indexes, "gas", where), "indexes.gas")
    value_index = parse_int(require(indexes, "value", where), "indexes.value")
    try:
        data = parse_bytes(tx["data"][data_index], f"{here}.data")
        gas_limit = parse_int(tx["gasLimit"][gas_index], f"{here}.gasLimit")
        value = parse_int(tx["value"][value_index], f"{here}.value")
    except (IndexError, KeyError, TypeError) as error:
        raise FixtureError(f"{here}: bad data/gas/value index ({error})") from None
    access_lists = tx.get("accessLists")
    access_list = None
    if access_lists is not None and data_index < len(access_lists) and access_lists[data_index] is not None:
        access_list = tuple(
            (parse_int(entry["address"], here), tuple(parse_int(key, here) for key in entry["storageKeys"]))
            for entry in access_lists[data_index]
        )
    authorizations: tuple[Authorization, ...] = ()
    if tx.get("authorizationList") is not None:
        authorizations = tuple(
            Authorization(
                parse_int(auth["chainId"], here), parse_int(auth["address"], here), parse_int(auth["nonce"], here),
                parse_int(auth.get("yParity", auth.get("v", "0x0")), here), parse_int(auth["r"], here),
                parse_int(auth["s"], here),
            )
            for auth in tx["authorizationList"]
        )  # fmt: skip
        tx_type = 4
    elif tx.get("blobVersionedHashes") is not None:
        tx_type = 3
    elif tx.get("maxFeePerGas") is not None:
        tx_type = 2
    elif access_list is not None:
        tx_type = 1
    else:
        tx_type = 0
    secret = tx.get("secretKey")
    if secret is not None:
        sender = private_key_to_address(parse_bytes(secret, f"{here}.secretKey"))
        if tx.get("sender") and parse_int(tx["sender"], f"{here}.sender") != sender:
            raise FixtureError(f"{here}: sender does not match secretKey")
    else:
        sender = parse_int(require(tx, "sender", here), f"{here}.sender")
    to = parse_int(tx["to"], f"{here}.to") if tx.get("to") else None
    nonce = parse_int(require(tx, "nonce", here), f"{here}.nonce")
    gas_price = parse_int(tx.get("gasPrice", 0), f"{here}.gasPrice")
    max_fee = parse_int(tx.get("maxFeePerGas", 0), f"{here}.maxFeePerGas")
    priority = parse_int(tx.get("maxPriorityFeePerGas", 0), f"{here}.maxPriorityFeePerGas")
    blob_fee = parse_int(tx.get("maxFeePerBlobGas", 0), f"{here}.maxFeePerBlobGas")
    for name, number in (("value", value), ("gasLimit", gas_limit), ("nonce", nonce), ("gasPrice", gas_price),
                         ("maxFeePerGas", max_fee), ("maxPriorityFeePerGas", priority)):  # fmt: skip
        if number >= WORD:
            raise InvalidTransaction(TX_MALFORMED, f"{name} does not fit 256 bits")
    return Transaction(
        tx_type, chain_id if tx_type != 0 else None, nonce, gas_limit, to, value, data, gas_price, max_fee, priority,
        access_list or (), blob_fee,
        tuple(parse_bytes(h, f"{here}.blobVersionedHashes") for h in tx.get("blobVersionedHashes") or []),
        authorizations, 0, 0, 0, sender,
    )  # fmt: skip


def first_difference(state: PlainState, expected: dict[str, Any]) -> str:
    """The first account or slot where the post state differs from the fixture's."""
    wanted = {parse_int(address, "post.state"): account for address, account in expected.items()}
    for address in sorted(set(wanted) | set(state.accounts)):
        ours = state.accounts.get(address)
        theirs = wanted.get(address)
        name = f"0x{address:040x}"
        if ours is None or theirs is None:
            return f"account {name} {'missing' if ours is None else 'unexpected'}"
        for label, mine, want in (
            ("balance", ours.balance, parse_int(theirs.get("balance", 0), name)),
            ("nonce", ours.nonce, parse_int(theirs.get("nonce", 0), name)),
        ):
            if mine != want:
                return f"{name} {label} {mine} != expected {want}"
        if ours.code.code != parse_bytes(theirs.get("code", "0x"), name):
            return f"{name} code differs"
        slots = {parse_int(k, name): parse_int(v, name) for k, v in (theirs.get("storage") or {}).items()}
        for slot in sorted(set(slots) | set(ours.storage)):
            if ours.storage.get(slot, 0) != slots.get(slot, 0):
                return f"{name} slot 0x{slot:x} = {ours.storage.get(slot, 0):#x}, expected {slots.get(slot, 0):#x}"
    return "state root differs (accounts agree: check the trie encoding)"


def run_case(test: dict[str, Any], fork: str, post: dict[str, Any], case_id: str, where: str) -> CaseResult:
    fork_rules_ = fork_rules(fork, test)
    state = build_state(require(test, "pre", where), where)
    env = build_env(test, fork_rules_, where)
    expected_exception = post.get("expectException")
    logs: list[Any] = []
    try:
        tx = build_transaction(test, require(post, "indexes", where), env.chain_id, where)
        result = execute_transaction(Journal(state), env, tx, fork_rules_, env.gas_limit)
        state.apply(result.writes)
        logs = result.logs
        if expected_exception:
            return CaseResult(case_id, FAILED, f"expected {expected_exception}, but the transaction was valid")
    except InvalidTransaction as invalid:
        if not expected_exception:
            return CaseResult(case_id, FAILED, f"unexpected invalid transaction: {invalid}")
        if not matches(expected_exception, invalid.kind):
            return CaseResult(case_id, FAILED, f"expected {expected_exception}, got {invalid.kind}")
    root = "0x" + state_root(state).hex()
    if root != require(post, "hash", where):
        reason = f"state root {root} != {post['hash']}"
        if isinstance(post.get("state"), dict):
            reason += f": {first_difference(state, post['state'])}"
        return CaseResult(case_id, FAILED, reason)
    if "0x" + logs_hash(logs).hex() != require(post, "logs", where):
        return CaseResult(case_id, FAILED, f"logs hash {logs_hash(logs).hex()} != {post['logs']}")
    return CaseResult(case_id, PASSED)


def run_file(path: Path, fork: str | None, pattern: str | None) -> list[CaseResult]:
    results: list[CaseResult] = []
    fixture = load_json(path)
    for name, test in fixture.items():
        where = f"{path}:{name}"
        for post_fork, posts in require(test, "post", where).items():
            if fork is not None and post_fork != fork:
                continue
            for post in posts:
                indexes = require(post, "indexes", where)
                case_id = f"{path.name}::{name}[{post_fork}-d{indexes.get('data')}g{indexes.get('gas')}v{indexes.get('value')}]"
                if pattern is not None and pattern not in case_id:
                    continue
                try:
                    fork_id(post_fork)
                except UnknownFork:
                    results.append(CaseResult(case_id, FAILED, f"unknown fork {post_fork!r}"))
                    continue
                try:
                    results.append(run_case(test, post_fork, post, case_id, where))
                except FixtureError:
                    raise
                except RecursionError:
                    results.append(CaseResult(case_id, FAILED, "recursion limit hit (raise the stack size)"))
                except Exception as error:  # noqa: BLE001 - a crash is reported as this case's failure
                    results.append(CaseResult(case_id, FAILED, f"crashed: {type(error).__name__}: {error}"))
    return results


def check_fork(fork: str | None) -> None:
    if fork is not None:
        fork_id(fork)  # raises UnknownFork with the list of known forks


def run_files(
    paths: list[Path],
    reporter_factory: Callable[[int], Reporter],
    runner: Callable[[Path, str | None, str | None], list[CaseResult]],
    fork: str | None,
    pattern: str | None,
    jobs: int,
    json_out: Path | None,
) -> int:
    """Run every fixture file (in `jobs` threads) and report; returns the exit code."""
    check_fork(fork)
    files = fixture_files(paths)
    reporter = reporter_factory(len(files))

    def one(path: Path) -> None:
        reporter.add_file(runner(path, fork, pattern))

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 100_000))
    previous = threading.stack_size(THREAD_STACK_BYTES)
    try:
        with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
            for future in [pool.submit(one, path) for path in files]:
                future.result()
    finally:
        threading.stack_size(previous)
    return reporter.finish(json_out)


KNOWN_FORKS = ", ".join(FORK_NAMES)
