"""Benchmark driver for py-evm (Cancun): `python pyevm_driver.py REQUEST.json`.

Runs under `.venv-peers/py-evm` (a GIL Python with coincurve, so signature recovery is not
pure Python). Building the genesis state trie takes seconds for big pre-states: it is setup,
not timed. msg mode warms caller and target as a transaction would (Berlin's executor does)
and runs `apply_message`; tx mode decodes the signed transactions and runs
`apply_all_transactions`, which recovers senders: both are timed.
"""

from __future__ import annotations

import sys
from typing import Any

import bench_io
from bench_io import Outcome, hexint, unhex

from eth.chains.base import MiningChain  # type: ignore[import-not-found]
from eth.db.atomic import AtomicDB  # type: ignore[import-not-found]
from eth.vm.forks.cancun import CancunVM  # type: ignore[import-not-found]
from eth.vm.message import Message  # type: ignore[import-not-found]

Chain = MiningChain.configure(__name__="BenchChain", vm_configuration=((0, CancunVM),), chain_id=1)


def address(value: str) -> bytes:
    return unhex(value).rjust(20, b"\0")


def build_vm(request: dict[str, Any]) -> Any:
    env = request["env"]
    genesis_state = {
        address(key): {"balance": hexint(account["balance"]), "nonce": hexint(account["nonce"]),
                       "code": unhex(account["code"]),
                       "storage": {hexint(slot): hexint(value) for slot, value in account["storage"].items()}}
        for key, account in request["accounts"].items()
    }  # fmt: skip
    params = {"difficulty": 0, "gas_limit": 2 * env["gas_limit"], "timestamp": env["timestamp"] - 12,
              "coinbase": address(env["coinbase"]), "mix_hash": unhex(env["prev_randao"]), "base_fee_per_gas": 0,
              "extra_data": b"", "nonce": bytes(8)}  # fmt: skip
    chain = Chain.from_genesis(AtomicDB(), params, genesis_state)
    return chain.get_vm()


def probe(request: dict[str, Any], vm: Any, outcome: Outcome) -> None:
    state = vm.state
    outcome.balances = [state.get_balance(address(key)) for key in request["probe_balances"]]
    outcome.storage = [state.get_storage(address(key), hexint(slot)) for key, slot in request["probe_storage"]]


def run_messages(request: dict[str, Any], vm: Any) -> Outcome:
    state = vm.state
    context_class = state.get_transaction_context_class()
    outcome = Outcome()
    for item in request["messages"]:
        caller, target, gas = address(item["caller"]), address(item["to"]), int(item["gas"])
        state.mark_address_warm(caller)
        state.mark_address_warm(target)
        message = Message(gas=gas, to=target, sender=caller, value=hexint(item["value"]), data=unhex(item["data"]),
                          code=state.get_code(target))  # fmt: skip
        computation = state.computation_class.apply_message(state, message, context_class(gas_price=0, origin=caller))
        outcome.gas += gas - computation.get_gas_remaining()
        outcome.successes += computation.is_success
        outcome.outputs.update(computation.output)
        state.lock_changes()  # the end of a transaction: commit and reset warm accounts
        state.clear_transient_storage()
    return outcome


def run_transactions(raw: list[bytes], vm: Any) -> Outcome:
    builder = vm.get_transaction_builder()
    transactions = [builder.decode(item) for item in raw]
    header = vm.get_header()
    new_header, _, computations = vm.apply_all_transactions(transactions, header)
    outcome = Outcome()
    outcome.gas = new_header.gas_used - header.gas_used
    outcome.successes = sum(1 for computation in computations if computation.is_success)
    return outcome


def run(request: dict[str, Any]) -> dict[str, Any]:
    if request.get("kind") != "synthetic":
        raise ValueError("py-evm runs only the synthetic workloads")
    raw = [unhex(item) for item in request.get("transactions", [])]

    def execute(vm: Any) -> Outcome:
        return run_messages(request, vm) if request["mode"] == "msg" else run_transactions(raw, vm)

    return bench_io.best_of(request, lambda: build_vm(request), execute,
                            lambda vm, outcome: probe(request, vm, outcome))  # fmt: skip


def info() -> dict[str, Any]:
    from importlib.metadata import version

    from eth_keys.backends import get_backend  # type: ignore[import-not-found]

    return {"version": version("py-evm"), "keys_backend": type(get_backend()).__name__, "python": sys.version.split()[0]}


if __name__ == "__main__":
    sys.setrecursionlimit(200_000)
    bench_io.main("py-evm", run, info)
