"""Benchmark driver for EELS (`ethereum-execution`, Cancun): `python eels_driver.py REQUEST.json`.

Runs under the specification's own GIL Python (`.venv-peers/eels`) and imports nothing from
pevm. msg mode builds each message the way `prepare_message` does (caller, target and the
precompiles warm) and runs `process_message`; tx mode decodes each signed transaction and runs
`process_transaction`, whose `check_transaction` recovers the sender: both are timed.
"""

from __future__ import annotations

import sys
from typing import Any

import bench_io
from bench_io import Outcome, hexint, unhex

import ethereum  # type: ignore[import-not-found]
from ethereum_rlp import rlp  # type: ignore[import-not-found]
from ethereum_types.bytes import Bytes, Bytes32  # type: ignore[import-not-found]
from ethereum_types.numeric import U64, U256, Uint  # type: ignore[import-not-found]
from ethereum.forks.cancun import vm  # type: ignore[import-not-found]
from ethereum.forks.cancun.fork import process_transaction  # type: ignore[import-not-found]
from ethereum.forks.cancun.fork_types import Account  # type: ignore[import-not-found]
from ethereum.forks.cancun.state import (  # type: ignore[import-not-found]
    State, TransientStorage, get_account, get_storage, set_account, set_storage,
)  # fmt: skip
from ethereum.forks.cancun.transactions import LegacyTransaction, decode_transaction  # type: ignore[import-not-found]
from ethereum.forks.cancun.vm.interpreter import process_message  # type: ignore[import-not-found]
from ethereum.forks.cancun.vm.precompiled_contracts.mapping import PRE_COMPILED_CONTRACTS  # type: ignore[import-not-found]


def address(value: str) -> Any:
    return ethereum.forks.cancun.fork_types.Address(unhex(value).rjust(20, b"\0"))


def build_state(request: dict[str, Any]) -> Any:
    state = State()
    for key, account in request["accounts"].items():
        where = address(key)
        set_account(state, where, Account(nonce=Uint(hexint(account["nonce"])), balance=U256(hexint(account["balance"])),
                                          code=Bytes(unhex(account["code"]))))  # fmt: skip
        for slot, value in account["storage"].items():
            set_storage(state, where, Bytes32(hexint(slot).to_bytes(32, "big")), U256(hexint(value)))
    return state


def block_environment(request: dict[str, Any], state: Any) -> Any:
    env = request["env"]
    return vm.BlockEnvironment(
        chain_id=U64(request["chain_id"]), state=state, block_gas_limit=Uint(env["gas_limit"]), block_hashes=[],
        coinbase=address(env["coinbase"]), number=Uint(env["number"]), base_fee_per_gas=Uint(env["base_fee"]),
        time=U256(env["timestamp"]), prev_randao=Bytes32(unhex(env["prev_randao"])), excess_blob_gas=U64(0),
        parent_beacon_block_root=Bytes32(bytes(32)),
    )  # fmt: skip


def probe(request: dict[str, Any], block_env: Any, outcome: Outcome) -> None:
    state = block_env.state
    outcome.balances = [int(get_account(state, address(key)).balance) for key in request["probe_balances"]]
    outcome.storage = [int(get_storage(state, address(key), Bytes32(hexint(slot).to_bytes(32, "big"))))
                       for key, slot in request["probe_storage"]]  # fmt: skip


def run_messages(request: dict[str, Any], block_env: Any) -> Outcome:
    outcome = Outcome()
    for item in request["messages"]:
        caller, target, gas = address(item["caller"]), address(item["to"]), Uint(item["gas"])
        tx_env = vm.TransactionEnvironment(
            origin=caller, gas_price=Uint(0), gas=gas, access_list_addresses=set(), access_list_storage_keys=set(),
            transient_storage=TransientStorage(), blob_versioned_hashes=(), index_in_block=Uint(0), tx_hash=None,
        )  # fmt: skip
        message = vm.Message(
            block_env=block_env, tx_env=tx_env, caller=caller, target=target, current_target=target, gas=gas,
            value=U256(hexint(item["value"])), data=Bytes(unhex(item["data"])), code_address=target,
            code=get_account(block_env.state, target).code, depth=Uint(0), should_transfer_value=True,
            is_static=False, accessed_addresses={caller, target, *PRE_COMPILED_CONTRACTS.keys()},
            accessed_storage_keys=set(), parent_evm=None,
        )  # fmt: skip
        evm = process_message(message)
        outcome.gas += int(gas) - int(evm.gas_left)
        outcome.successes += evm.error is None
        outcome.outputs.update(bytes(evm.output))
    return outcome


def run_transactions(raw: list[bytes], block_env: Any) -> Outcome:
    output = vm.BlockOutput()
    for index, item in enumerate(raw):
        tx = decode_transaction(rlp.decode_to(LegacyTransaction, item) if item[0] >= 0xC0 else Bytes(item))
        process_transaction(block_env, output, tx, Uint(index))
    outcome = Outcome()
    outcome.gas = int(output.block_gas_used)
    outcome.successes = sum(1 for key in output.receipt_keys if _succeeded(output, key))
    return outcome


def _succeeded(output: Any, key: Any) -> bool:
    receipt = output.receipts_trie._data[key]
    if isinstance(receipt, bytes):  # typed receipts are stored encoded: type byte + RLP
        receipt = rlp.decode(receipt[1:] if receipt[0] < 0xC0 else receipt)
        return bool(receipt[0])
    return bool(receipt.succeeded)


def run(request: dict[str, Any]) -> dict[str, Any]:
    if request.get("kind") != "synthetic":
        raise ValueError("EELS runs only the synthetic workloads")
    raw = [unhex(item) for item in request.get("transactions", [])]

    def execute(block_env: Any) -> Outcome:
        return run_messages(request, block_env) if request["mode"] == "msg" else run_transactions(raw, block_env)

    return bench_io.best_of(request, lambda: block_environment(request, build_state(request)), execute,
                            lambda block_env, outcome: probe(request, block_env, outcome))  # fmt: skip


def info() -> dict[str, Any]:
    from importlib.metadata import version

    return {"version": version("ethereum-execution"), "python": sys.version.split()[0]}


if __name__ == "__main__":
    sys.setrecursionlimit(200_000)
    bench_io.main("eels", run, info)
