"""Loading a real block with its pre-state: the `<N>.json.gz` format of `$PEVM_SHARED/mainnet`
(an eth_getBlockByNumber result, the accounts and slots the block reads, and ancestor hashes).

Senders are recovered from the signatures and cross-checked against the file's `from`;
anything malformed raises `BlockFileError` naming the field.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

from interp.chain import MAINNET_CHAIN_ID, mainnet_fork
from interp.errors import InvalidTransaction
from interp.forks import ForkRules, rules
from interp.header import Block, Header, Withdrawal
from interp.plain_state import PlainState
from interp.transaction import Authorization, Transaction, recover_sender


class BlockFileError(ValueError):
    """The block file is malformed or inconsistent."""


def _int(value: Any, field: str) -> int:
    if isinstance(value, int):
        return value
    if not isinstance(value, str) or not value.startswith("0x"):
        raise BlockFileError(f"{field}: expected a 0x-hex quantity, got {value!r}")
    try:
        return int(value, 16) if value != "0x" else 0
    except ValueError:
        raise BlockFileError(f"{field}: bad hex {value!r}") from None


def _bytes(value: Any, field: str) -> bytes:
    if not isinstance(value, str) or not value.startswith("0x"):
        raise BlockFileError(f"{field}: expected 0x-hex data, got {value!r}")
    try:
        return bytes.fromhex(value[2:])
    except ValueError:
        raise BlockFileError(f"{field}: bad hex {value!r}") from None


def _opt_int(data: dict[str, Any], key: str) -> int | None:
    return _int(data[key], key) if data.get(key) is not None else None


def _opt_bytes(data: dict[str, Any], key: str) -> bytes | None:
    return _bytes(data[key], key) if data.get(key) is not None else None


def parse_header(data: dict[str, Any]) -> Header:
    try:
        return Header(
            _bytes(data["parentHash"], "parentHash"),
            _bytes(data["sha3Uncles"], "sha3Uncles"),
            _int(data["miner"], "miner"),
            _bytes(data["stateRoot"], "stateRoot"),
            _bytes(data["transactionsRoot"], "transactionsRoot"),
            _bytes(data["receiptsRoot"], "receiptsRoot"),
            _bytes(data["logsBloom"], "logsBloom"),
            _int(data["difficulty"], "difficulty"),
            _int(data["number"], "number"),
            _int(data["gasLimit"], "gasLimit"),
            _int(data["gasUsed"], "gasUsed"),
            _int(data["timestamp"], "timestamp"),
            _bytes(data["extraData"], "extraData"),
            _bytes(data.get("mixHash", "0x" + "00" * 32), "mixHash"),
            _bytes(data.get("nonce", "0x" + "00" * 8), "nonce"),
            _opt_int(data, "baseFeePerGas"),
            _opt_bytes(data, "withdrawalsRoot"),
            _opt_int(data, "blobGasUsed"),
            _opt_int(data, "excessBlobGas"),
            _opt_bytes(data, "parentBeaconBlockRoot"),
            _opt_bytes(data, "requestsHash"),
        )
    except KeyError as missing:
        raise BlockFileError(f"block header: missing field {missing}") from None


def parse_transaction(data: dict[str, Any], fork_rules: ForkRules, chain_id: int, index: int) -> Transaction:
    where = f"transaction {index}"
    try:
        tx_type = _int(data.get("type", "0x0"), f"{where}.type")
        to = _int(data["to"], f"{where}.to") if data.get("to") else None
        access_list = tuple(
            (_int(entry["address"], f"{where}.accessList"),
             tuple(_int(key, f"{where}.accessList") for key in entry["storageKeys"]))
            for entry in data.get("accessList") or []
        )  # fmt: skip
        authorizations = tuple(
            Authorization(
                _int(auth["chainId"], where), _int(auth["address"], where), _int(auth["nonce"], where),
                _int(auth.get("yParity", auth.get("v", "0x0")), where), _int(auth["r"], where),
                _int(auth["s"], where),
            )
            for auth in data.get("authorizationList") or []
        )  # fmt: skip
        v = _int(data.get("v", data.get("yParity", "0x0")), f"{where}.v")
        if tx_type != 0 and "yParity" in data:
            v = _int(data["yParity"], f"{where}.yParity")
        tx_chain_id = _opt_int(data, "chainId")
        if tx_type == 0:
            tx_chain_id = (v - 35) // 2 if v >= 35 else None
        tx = Transaction(
            tx_type,
            tx_chain_id,
            _int(data["nonce"], f"{where}.nonce"),
            _int(data["gas"], f"{where}.gas"),
            to,
            _int(data["value"], f"{where}.value"),
            _bytes(data["input"], f"{where}.input"),
            _int(data.get("gasPrice", "0x0"), f"{where}.gasPrice"),
            _int(data.get("maxFeePerGas", "0x0"), f"{where}.maxFeePerGas"),
            _int(data.get("maxPriorityFeePerGas", "0x0"), f"{where}.maxPriorityFeePerGas"),
            access_list,
            _int(data.get("maxFeePerBlobGas", "0x0"), f"{where}.maxFeePerBlobGas"),
            tuple(_bytes(h, f"{where}.blobVersionedHashes") for h in data.get("blobVersionedHashes") or []),
            authorizations,
            v,
            _int(data["r"], f"{where}.r"),
            _int(data["s"], f"{where}.s"),
            0,
        )
    except KeyError as missing:
        raise BlockFileError(f"{where}: missing field {missing}") from None
    try:
        tx.sender = recover_sender(tx, fork_rules, chain_id)
    except InvalidTransaction as error:
        raise BlockFileError(f"{where}: {error}") from None
    if "from" in data and _int(data["from"], f"{where}.from") != tx.sender:
        raise BlockFileError(f"{where}: recovered sender 0x{tx.sender:040x} is not the file's 'from' {data['from']}")
    if "hash" in data and _bytes(data["hash"], f"{where}.hash") != tx.hash():
        raise BlockFileError(f"{where}: encoding does not reproduce the transaction hash {data['hash']}")
    return tx


class BlockFile:
    """A block ready to execute: its pre-state, the block and the rules it runs under."""

    def __init__(self, path: Path, state: PlainState, block: Block, rules: ForkRules, chain_id: int) -> None:
        self.path = path
        self.state = state
        self.block = block
        self.rules = rules
        self.chain_id = chain_id

    @property
    def number(self) -> int:
        return self.block.header.number


def parse_state(pre: dict[str, Any], hashes: dict[str, Any]) -> PlainState:
    state = PlainState()
    for address, account in pre.items():
        where = f"pre_state[{address}]"
        state.set_account(
            _int(address, where),
            _int(account.get("balance", "0x0"), f"{where}.balance"),
            _int(account.get("nonce", 0), f"{where}.nonce"),
            _bytes(account.get("code", "0x"), f"{where}.code"),
            {_int(slot, f"{where}.storage"): _int(value, f"{where}.storage")
             for slot, value in (account.get("storage") or {}).items()},
        )  # fmt: skip
    for number, block_hash in hashes.items():
        state.block_hashes[int(number)] = _bytes(block_hash, f"block_hashes[{number}]")
    return state


def load_block_file(path: Path | str) -> BlockFile:
    """Read a `<N>.json.gz` (or plain .json) block file."""
    path = Path(path)
    try:
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rt") as handle:
            data = json.load(handle)
    except FileNotFoundError:
        raise BlockFileError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise BlockFileError(f"{path}: a directory; expected one block file (<N>.json.gz)") from None
    except (OSError, EOFError, json.JSONDecodeError, UnicodeDecodeError) as error:  # EOFError: a cut .gz
        raise BlockFileError(f"{path}: not a JSON block file ({error})") from None
    if not isinstance(data, dict) or "block" not in data or "pre_state" not in data:
        raise BlockFileError(f"{path}: expected an object with 'block' and 'pre_state'")
    try:
        return _parse_block_file(path, data)
    except BlockFileError as error:
        raise BlockFileError(f"{path}: {error}") from None
    except KeyError as missing:
        raise BlockFileError(f"{path}: missing field {missing}") from None
    except (AttributeError, TypeError, ValueError) as error:  # a list or null where an object belongs
        raise BlockFileError(f"{path}: malformed block file ({type(error).__name__}: {error})") from None


def _parse_block_file(path: Path, data: dict[str, Any]) -> BlockFile:
    block_data = data["block"]
    header = parse_header(block_data)
    fork_rules = rules(mainnet_fork(header.number, header.timestamp))
    chain_id = MAINNET_CHAIN_ID
    transactions = [
        parse_transaction(tx, fork_rules, chain_id, index)
        for index, tx in enumerate(block_data.get("transactions") or [])
    ]
    withdrawals = None
    if block_data.get("withdrawals") is not None:
        withdrawals = [
            Withdrawal(_int(w["index"], "withdrawal.index"), _int(w["validatorIndex"], "withdrawal.validatorIndex"),
                       _int(w["address"], "withdrawal.address"), _int(w["amount"], "withdrawal.amount"))
            for w in block_data["withdrawals"]
        ]  # fmt: skip
    # The RPC format lists ommers by hash only: their rewards cannot be computed (None).
    ommers: list[Header] | None = [] if not block_data.get("uncles") else None
    state = parse_state(data["pre_state"], data.get("block_hashes") or {})
    return BlockFile(path, state, Block(header, transactions, ommers, withdrawals), fork_rules, chain_id)
