"""Writing divergences down so they can be replayed and kept as regression tests.

A pevm-vs-EELS divergence becomes a GeneralStateTests fixture whose post is EELS's result:
`pevm statetest FILE` fails on it until pevm is fixed. A parallel-vs-sequential divergence is a
whole block, which the state-test format cannot hold: it becomes a small JSON block (pre-state,
transactions, fork, worker count) that `pevm fuzz --replay FILE` runs through the parallel
oracle again. `replay` runs either kind.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

from interp.forks import FORK_NAMES, fork_id, rules
from interp.plain_state import PlainState
from interp.transaction import Transaction
from pevm import workloads
from pevm.fuzz.case import Case, hex_address, hex_bytes, hex_int, hex_word
from pevm.fuzz.oracles import REJECTIONS, Eels, check_parallel, run_pevm

BLOCK_KIND = "pevm-fuzz-parallel-block"


def _name(prefix: str, diff: str, payload: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", diff.lower()).strip("-")[:48]
    return f"{prefix}-{slug}-{hashlib.sha256(payload.encode()).hexdigest()[:10]}.json"


def expected_exception(eels_rejection: str, pevm_rejection: str | None) -> str:
    """The execution-spec-tests name of an EELS rejection (what `expectException` holds);
    pevm's own kind when it means the same (EELS has one class for nonces too high and low)."""
    if pevm_rejection is not None and eels_rejection in REJECTIONS.get(pevm_rejection, frozenset()):
        return pevm_rejection
    for kind, names in REJECTIONS.items():
        if eels_rejection in names:
            return kind
    return f"TransactionException.{eels_rejection}"


def post_from_eels(reply: dict[str, Any], pevm_rejection: str | None) -> dict[str, Any]:
    post: dict[str, Any] = {"hash": reply["stateRoot"], "logs": reply["logsHash"]}
    if reply["rejected"] is not None:
        post["expectException"] = expected_exception(reply["rejected"], pevm_rejection)
    return post


def write_state_test(case: Case, diff: str, out: Path, eels: Eels | None) -> Path:
    """The case as a state test whose expected post is EELS's (zeros if EELS gave none)."""
    reply = eels.run(case.state_test("case")) if eels is not None else None
    name = _name("eels", diff, repr(case))
    post = post_from_eels(reply, run_pevm(case).rejected) if reply is not None else None
    test = case.state_test(name.removesuffix(".json"), post)
    test[name.removesuffix(".json")]["_info"] = {"comment": f"pevm fuzz: {diff}", "reference": "EELS (ethereum-execution)"}
    out.mkdir(parents=True, exist_ok=True)
    path = out / name
    path.write_text(json.dumps(test, indent=1) + "\n")
    return path


def write_block(workload: workloads.Workload, workers: int, diff: str, out: Path) -> Path:
    accounts = {
        hex_address(address): {
            "balance": hex_int(account.balance), "nonce": hex_int(account.nonce), "code": hex_bytes(account.code.code),
            "storage": {hex_word(k): hex_word(v) for k, v in account.storage.items()},
        }
        for address, account in workload.state.accounts.items()
    }  # fmt: skip
    transactions = [
        {
            "type": tx.tx_type, "chainId": tx.chain_id, "nonce": hex_int(tx.nonce), "gasLimit": hex_int(tx.gas_limit),
            "to": hex_address(tx.to) if tx.to is not None else None, "value": hex_int(tx.value),
            "data": hex_bytes(tx.data), "gasPrice": hex_int(tx.gas_price), "maxFeePerGas": hex_int(tx.max_fee_per_gas),
            "maxPriorityFeePerGas": hex_int(tx.max_priority_fee_per_gas), "sender": hex_address(tx.sender),
        }
        for tx in workload.block.transactions
    ]  # fmt: skip
    block = {"kind": BLOCK_KIND, "comment": f"pevm fuzz: {diff}", "fork": FORK_NAMES[workload.rules.fork],
             "workers": workers, "pre": accounts, "transactions": transactions}  # fmt: skip
    text = json.dumps(block, indent=1) + "\n"
    out.mkdir(parents=True, exist_ok=True)
    path = out / _name("parallel", diff, text)
    path.write_text(text)
    return path


class ReproducerError(ValueError):
    """A file that is not a well-formed reproducer."""


def load_block(path: Path) -> tuple[workloads.Workload, int]:
    """A parallel-block reproducer's workload and worker count; ReproducerError if malformed."""
    try:
        data = json.loads(path.read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ReproducerError(f"{path}: cannot read a reproducer ({error})") from None
    if not isinstance(data, dict) or data.get("kind") != BLOCK_KIND:
        raise ReproducerError(f"{path}: not a parallel-block reproducer")
    try:
        return _parse_block(path, data)
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise ReproducerError(f"{path}: malformed parallel-block reproducer ({type(error).__name__}: {error})") from None


def _parse_block(path: Path, data: dict[str, Any]) -> tuple[workloads.Workload, int]:
    state = PlainState()
    for address, account in data["pre"].items():
        state.set_account(int(address, 16), int(account["balance"], 16), int(account["nonce"], 16),
                          bytes.fromhex(account["code"][2:]),
                          {int(k, 16): int(v, 16) for k, v in account["storage"].items()})  # fmt: skip
    transactions = [
        Transaction(
            tx["type"], tx["chainId"], int(tx["nonce"], 16), int(tx["gasLimit"], 16),
            int(tx["to"], 16) if tx["to"] is not None else None, int(tx["value"], 16), bytes.fromhex(tx["data"][2:]),
            int(tx["gasPrice"], 16), int(tx["maxFeePerGas"], 16), int(tx["maxPriorityFeePerGas"], 16), (), 0, (), (),
            0, 0, 0, int(tx["sender"], 16),
        )
        for tx in data["transactions"]
    ]  # fmt: skip
    workload = workloads._block(state, transactions, path.stem)
    workload.rules = rules(fork_id(data["fork"]))
    return workload, int(data["workers"])


def replay_block(path: Path, repeats: int = 20) -> str | None:
    """Run a parallel-block reproducer `repeats` times (divergences can depend on timing)."""
    for _ in range(repeats):
        workload, workers = load_block(path)
        diff = check_parallel(workload, workers)
        if diff is not None:
            return diff
    return None

