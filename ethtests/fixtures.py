"""Loading fixture files (`.json` or `.json.gz`) into typed objects.

A malformed fixture raises `FixtureError` naming the file and the field (`<file>: <test>.transaction.
gasLimit[2]: not a number: 'zz'`), never a traceback. Values are parsed once per file; runners
build interpreter inputs from the typed objects.
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any


class FixtureError(Exception):
    """The fixture is malformed: bad JSON, a missing field or a bad value."""


def load_json(path: Path) -> dict[str, Any]:
    """A fixture file's top-level object of tests; `.gz` files are gunzipped."""
    try:
        if path.name.endswith(".gz"):
            with gzip.open(path, "rt", encoding="utf-8") as handle:
                data = json.load(handle)
        else:
            with path.open(encoding="utf-8") as handle:
                data = json.load(handle)
    except FileNotFoundError:
        raise FixtureError(f"{path}: no such file") from None
    except (OSError, EOFError, json.JSONDecodeError, UnicodeDecodeError) as error:
        raise FixtureError(f"{path}: not a JSON fixture ({error})") from None
    if not isinstance(data, dict):
        raise FixtureError(f"{path}: expected a JSON object of tests")
    return data


def fixture_files(paths: list[Path]) -> list[Path]:
    """Fixture files named by `paths` (files, or folders searched recursively), sorted per folder."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = [p for p in path.rglob("*") if p.name.endswith((".json", ".json.gz")) and p.is_file()]
            files.extend(sorted(found))
        elif path.is_file():
            files.append(path)
        else:
            raise FixtureError(f"{path}: no such file or directory")
    return files


# --- values -------------------------------------------------------------------------------------
BIGINT_PREFIXES = ("0x:bigint ", ":bigint ")  # retesteth's spelling of values past 2**256


def parse_int(value: Any, field: str) -> int:
    """A quantity: 0x-hex, decimal, or retesteth's `0x:bigint 0x...` for values past 2**256."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if not isinstance(value, str):
        raise FixtureError(f"{field}: expected a number, got {value!r}")
    text = value.strip()
    for prefix in BIGINT_PREFIXES:
        if text.startswith(prefix):
            text = text[len(prefix) :].strip()
    try:
        if text.startswith(("0x", "0X")):
            return int(text, 16) if len(text) > 2 else 0
        return int(text, 10)
    except ValueError:
        raise FixtureError(f"{field}: not a number: {value!r}") from None


def parse_bytes(value: Any, field: str) -> bytes:
    if not isinstance(value, str):
        raise FixtureError(f"{field}: expected hex data, got {value!r}")
    text = value[2:] if value.startswith(("0x", "0X")) else value
    try:
        return bytes.fromhex(text)
    except ValueError:
        raise FixtureError(f"{field}: not hex data: {value[:40]!r}") from None


def parse_hash(value: Any, field: str) -> bytes:
    data = parse_bytes(value, field)
    if len(data) != 32:
        raise FixtureError(f"{field}: expected 32 bytes, got {len(data)}")
    return data


def require(mapping: Any, key: str, where: str) -> Any:
    """`mapping[key]`, or a FixtureError naming `where.key`."""
    if not isinstance(mapping, dict):
        raise FixtureError(f"{where}: expected an object")
    if key not in mapping:
        raise FixtureError(f"{where}: missing field '{key}'")
    return mapping[key]


def require_list(mapping: Any, key: str, where: str) -> list[Any]:
    value = require(mapping, key, where)
    if not isinstance(value, list):
        raise FixtureError(f"{where}.{key}: expected a list")
    return value


def optional_int(mapping: dict[str, Any], key: str, where: str) -> int | None:
    value = mapping.get(key)
    return None if value is None else parse_int(value, f"{where}.{key}")


# --- typed fixture objects -------------------------------------------------------------------------
@dataclass(frozen=True)
class AccountState:
    balance: int
    nonce: int
    code: bytes
    storage: dict[int, int]


@dataclass(frozen=True)
class Env:
    coinbase: int
    number: int
    timestamp: int
    gas_limit: int
    difficulty: int
    random: int  # prev_randao after the Merge
    base_fee: int  # 0 before London
    excess_blob_gas: int
    parent_beacon_block_root: bytes | None


@dataclass(frozen=True)
class AuthorizationFields:
    """One EIP-7702 authorization tuple as the fixture gives it (the authority is recovered later)."""

    chain_id: int
    address: int
    nonce: int
    y_parity: int
    r: int
    s: int


AccessList = tuple[tuple[int, tuple[int, ...]], ...]


@dataclass(frozen=True)
class TransactionTemplate:
    """A state test's transaction: one field set, with data/gasLimit/value alternatives picked by index."""

    data: tuple[bytes, ...]
    access_lists: tuple[AccessList | None, ...]  # aligned with `data`; empty when absent
    gas_limits: tuple[int, ...]
    values: tuple[int, ...]
    nonce: int
    to: int | None  # None: contract creation
    gas_price: int | None
    max_fee_per_gas: int | None
    max_priority_fee_per_gas: int | None
    max_fee_per_blob_gas: int | None
    blob_versioned_hashes: tuple[bytes, ...] | None
    authorizations: tuple[AuthorizationFields, ...] | None
    secret_key: bytes | None
    sender: int | None

    def access_list(self, data_index: int) -> AccessList | None:
        return self.access_lists[data_index] if data_index < len(self.access_lists) else None

    def tx_type(self, data_index: int) -> int:
        """4 with an authorization list, 3 with blob hashes, 2 with a fee cap, 1 with an access list."""
        if self.authorizations is not None:
            return 4
        if self.blob_versioned_hashes is not None:
            return 3
        if self.max_fee_per_gas is not None:
            return 2
        return 1 if self.access_list(data_index) is not None else 0


@dataclass(frozen=True)
class PostCase:
    """One expectation: (fork, data, gas, value) indexes and the post state root, logs hash, exception."""

    fork: str
    data: int
    gas: int
    value: int
    hash: bytes
    logs: bytes
    expect_exception: str | None
    state: dict[int, AccountState] | None  # execution-spec-tests give the full post state

    def case_id(self, file_name: str, test_name: str) -> str:
        return f"{file_name}::{test_name}[{self.fork}-d{self.data}g{self.gas}v{self.value}]"


@dataclass(frozen=True)
class BlobScheduleEntry:
    target: int
    max: int
    base_fee_update_fraction: int


@dataclass(frozen=True)
class StateTest:
    name: str
    pre: dict[int, AccountState]
    env: Env
    transaction: TransactionTemplate
    posts: tuple[PostCase, ...]
    chain_id: int  # config.chainid, 1 when the fixture has no config
    blob_schedule: dict[str, BlobScheduleEntry]  # fork name -> the fixture's EIP-7691 parameters


def parse_accounts(accounts: Any, where: str) -> dict[int, AccountState]:
    """A `pre` or post `state` object: address -> balance, nonce, code, storage."""
    if not isinstance(accounts, dict):
        raise FixtureError(f"{where}: expected an object of accounts")
    parsed: dict[int, AccountState] = {}
    for address, account in accounts.items():
        here = f"{where}[{address}]"
        storage = account.get("storage") if isinstance(account, dict) else None
        if storage is not None and not isinstance(storage, dict):
            raise FixtureError(f"{here}.storage: expected an object")
        parsed[parse_int(address, here)] = AccountState(
            parse_int(require(account, "balance", here), f"{here}.balance"),
            parse_int(require(account, "nonce", here), f"{here}.nonce"),
            parse_bytes(account.get("code", "0x"), f"{here}.code"),
            {parse_int(k, f"{here}.storage"): parse_int(v, f"{here}.storage[{k}]") for k, v in (storage or {}).items()},
        )
    return parsed


def parse_env(env: Any, where: str) -> Env:
    if not isinstance(env, dict):
        raise FixtureError(f"{where}: expected an object")
    root = env.get("parentBeaconBlockRoot")
    return Env(
        parse_int(require(env, "currentCoinbase", where), f"{where}.currentCoinbase"),
        parse_int(require(env, "currentNumber", where), f"{where}.currentNumber"),
        parse_int(require(env, "currentTimestamp", where), f"{where}.currentTimestamp"),
        parse_int(require(env, "currentGasLimit", where), f"{where}.currentGasLimit"),
        optional_int(env, "currentDifficulty", where) or 0,
        optional_int(env, "currentRandom", where) or 0,
        optional_int(env, "currentBaseFee", where) or 0,
        optional_int(env, "currentExcessBlobGas", where) or 0,
        None if root is None else parse_hash(root, f"{where}.parentBeaconBlockRoot"),
    )


def parse_access_list(entries: Any, where: str) -> AccessList:
    if not isinstance(entries, list):
        raise FixtureError(f"{where}: expected a list")
    return tuple(
        (
            parse_int(require(entry, "address", f"{where}[{i}]"), f"{where}[{i}].address"),
            tuple(parse_int(key, f"{where}[{i}].storageKeys") for key in require_list(entry, "storageKeys", f"{where}[{i}]")),
        )
        for i, entry in enumerate(entries)
    )


def parse_authorization(auth: Any, where: str) -> AuthorizationFields:
    parity = auth.get("yParity", auth.get("v")) if isinstance(auth, dict) else None
    if parity is None:
        raise FixtureError(f"{where}: missing field 'yParity'")
    return AuthorizationFields(
        parse_int(require(auth, "chainId", where), f"{where}.chainId"),
        parse_int(require(auth, "address", where), f"{where}.address"),
        parse_int(require(auth, "nonce", where), f"{where}.nonce"),
        parse_int(parity, f"{where}.yParity"),
        parse_int(require(auth, "r", where), f"{where}.r"),
        parse_int(require(auth, "s", where), f"{where}.s"),
    )


def parse_transaction(tx: Any, where: str) -> TransactionTemplate:
    if not isinstance(tx, dict):
        raise FixtureError(f"{where}: expected an object")
    access_lists = tx.get("accessLists")
    if access_lists is not None and not isinstance(access_lists, list):
        raise FixtureError(f"{where}.accessLists: expected a list")
    hashes = tx.get("blobVersionedHashes")
    if hashes is not None and not isinstance(hashes, list):
        raise FixtureError(f"{where}.blobVersionedHashes: expected a list")
    authorizations = tx.get("authorizationList")
    if authorizations is not None and not isinstance(authorizations, list):
        raise FixtureError(f"{where}.authorizationList: expected a list")
    secret = tx.get("secretKey")
    sender = tx.get("sender")
    if secret is None and not sender:
        raise FixtureError(f"{where}: missing field 'secretKey'")
    to = tx.get("to")
    return TransactionTemplate(
        tuple(parse_bytes(d, f"{where}.data[{i}]") for i, d in enumerate(require_list(tx, "data", where))),
        tuple(
            None if entries is None else parse_access_list(entries, f"{where}.accessLists[{i}]")
            for i, entries in enumerate(access_lists or [])
        ),
        tuple(parse_int(g, f"{where}.gasLimit[{i}]") for i, g in enumerate(require_list(tx, "gasLimit", where))),
        tuple(parse_int(v, f"{where}.value[{i}]") for i, v in enumerate(require_list(tx, "value", where))),
        parse_int(require(tx, "nonce", where), f"{where}.nonce"),
        parse_int(to, f"{where}.to") if to else None,
        optional_int(tx, "gasPrice", where),
        optional_int(tx, "maxFeePerGas", where),
        optional_int(tx, "maxPriorityFeePerGas", where),
        optional_int(tx, "maxFeePerBlobGas", where),
        None if hashes is None else tuple(parse_bytes(h, f"{where}.blobVersionedHashes[{i}]") for i, h in enumerate(hashes)),
        None if authorizations is None else tuple(
            parse_authorization(a, f"{where}.authorizationList[{i}]") for i, a in enumerate(authorizations)
        ),
        None if secret is None else parse_bytes(secret, f"{where}.secretKey"),
        parse_int(sender, f"{where}.sender") if sender else None,
    )  # fmt: skip


def parse_post(fork: str, post: Any, tx: TransactionTemplate, where: str) -> PostCase:
    indexes = require(post, "indexes", where)
    data = parse_int(require(indexes, "data", f"{where}.indexes"), f"{where}.indexes.data")
    gas = parse_int(require(indexes, "gas", f"{where}.indexes"), f"{where}.indexes.gas")
    value = parse_int(require(indexes, "value", f"{where}.indexes"), f"{where}.indexes.value")
    for name, index, count in (("data", data, len(tx.data)), ("gas", gas, len(tx.gas_limits)),
                               ("value", value, len(tx.values))):  # fmt: skip
        if not 0 <= index < count:
            raise FixtureError(f"{where}.indexes.{name}: {index} is out of range (the transaction has {count})")
    exception = post.get("expectException")
    if exception is not None and not isinstance(exception, str):
        raise FixtureError(f"{where}.expectException: expected a string")
    state = post.get("state")
    return PostCase(
        fork, data, gas, value,
        parse_hash(require(post, "hash", where), f"{where}.hash"),
        parse_hash(require(post, "logs", where), f"{where}.logs"),
        exception or None,
        None if state is None else parse_accounts(state, f"{where}.state"),
    )  # fmt: skip


def parse_blob_schedule(config: dict[str, Any], where: str) -> dict[str, BlobScheduleEntry]:
    schedule = config.get("blobSchedule") or {}
    if not isinstance(schedule, dict):
        raise FixtureError(f"{where}.blobSchedule: expected an object")
    return {
        fork: BlobScheduleEntry(
            parse_int(require(entry, "target", f"{where}.blobSchedule.{fork}"), f"{where}.blobSchedule.{fork}.target"),
            parse_int(require(entry, "max", f"{where}.blobSchedule.{fork}"), f"{where}.blobSchedule.{fork}.max"),
            parse_int(require(entry, "baseFeeUpdateFraction", f"{where}.blobSchedule.{fork}"),
                      f"{where}.blobSchedule.{fork}.baseFeeUpdateFraction"),
        )
        for fork, entry in schedule.items()
    }  # fmt: skip


def parse_state_test(name: str, test: Any, where: str) -> StateTest:
    """One GeneralStateTests test; `where` names the file and the test in error messages."""
    if not isinstance(test, dict):
        raise FixtureError(f"{where}: expected an object")
    config = test.get("config") or {}
    if not isinstance(config, dict):
        raise FixtureError(f"{where}.config: expected an object")
    tx = parse_transaction(require(test, "transaction", where), f"{where}.transaction")
    posts = require(test, "post", where)
    if not isinstance(posts, dict):
        raise FixtureError(f"{where}.post: expected an object of forks")
    cases: list[PostCase] = []
    for fork, fork_posts in posts.items():
        if not isinstance(fork_posts, list):
            raise FixtureError(f"{where}.post.{fork}: expected a list")
        cases.extend(parse_post(fork, post, tx, f"{where}.post.{fork}[{i}]") for i, post in enumerate(fork_posts))
    return StateTest(
        name,
        parse_accounts(require(test, "pre", where), f"{where}.pre"),
        parse_env(require(test, "env", where), f"{where}.env"),
        tx,
        tuple(cases),
        parse_int(config.get("chainid", 1), f"{where}.config.chainid"),
        parse_blob_schedule(config, f"{where}.config"),
    )


def load_state_tests(path: Path) -> list[StateTest]:
    """Every test of a GeneralStateTests / execution-spec-tests state_test file, in file order."""
    return [parse_state_test(name, test, f"{path}: {name}") for name, test in load_json(path).items()]

