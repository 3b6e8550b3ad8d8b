"""Benchmark driver for pyrevm 0.3.7 (revm from Python): `python pyrevm_driver.py REQUEST.json`.

msg mode only: pyrevm does message calls, not signed transactions. `message_call` charges a
whole transaction (intrinsic gas, refunds), so gas is converted back to what the frame
consumed: used + refunded - intrinsic. pyrevm 0.3.7 keeps one journaled state across calls, so
accounts and slots a call loaded stay warm for later calls (and inserted slots look accessed):
multi-call workloads (W4, W6) use less gas than in the other engines, and the runner flags
those rows instead of comparing their Mgas/s (writing the storage with a setter contract did
not help; committing the journal between calls breaks its call depth).
"""

from __future__ import annotations

import sys
from typing import Any

import bench_io
from bench_io import Outcome, hexint, unhex

from pyrevm import EVM, AccountInfo, BlockEnv, Env  # type: ignore[import-not-found]

def address(value: str) -> str:
    return "0x" + unhex(value).rjust(20, b"\0").hex()


def intrinsic(data: bytes) -> int:
    zeros = data.count(0)
    return 21_000 + 4 * zeros + 16 * (len(data) - zeros)


def build_evm(request: dict[str, Any]) -> Any:
    env = request["env"]
    block = BlockEnv(number=env["number"], coinbase=address(env["coinbase"]), timestamp=env["timestamp"],
                     prevrandao=unhex(env["prev_randao"]), basefee=env["base_fee"], gas_limit=env["gas_limit"])  # fmt: skip
    evm = EVM(env=Env(block=block), spec_id="CANCUN", gas_limit=env["gas_limit"])
    for key, account in request["accounts"].items():
        where = address(key)
        evm.insert_account_info(where, AccountInfo(balance=hexint(account["balance"]), nonce=hexint(account["nonce"]),
                                                   code=unhex(account["code"])))  # fmt: skip
        for slot, value in account["storage"].items():
            evm.insert_account_storage(where, hexint(slot), hexint(value))
    return evm


def probe(request: dict[str, Any], evm: Any, outcome: Outcome) -> None:
    outcome.balances = [evm.get_balance(address(key)) for key in request["probe_balances"]]
    outcome.storage = [evm.storage(address(key), hexint(slot)) for key, slot in request["probe_storage"]]


def run_messages(request: dict[str, Any], evm: Any) -> Outcome:
    messages = [(address(m["caller"]), address(m["to"]), unhex(m["data"]), hexint(m["value"]), int(m["gas"]))
                for m in request["messages"]]  # fmt: skip
    outcome = Outcome()
    for caller, to, data, value, gas in messages:
        output = evm.message_call(caller, to, data, value, gas + intrinsic(data))
        result = evm.result
        outcome.gas += result.gas_used + result.gas_refunded - intrinsic(data)
        outcome.successes += result.is_success
        outcome.outputs.update(bytes(output))
    return outcome


def run(request: dict[str, Any]) -> dict[str, Any]:
    if request.get("kind") != "synthetic" or request["mode"] != "msg":
        raise ValueError("pyrevm runs only message calls")
    return bench_io.best_of(request, lambda: build_evm(request), lambda evm: run_messages(request, evm),
                            lambda evm, outcome: probe(request, evm, outcome))  # fmt: skip


def info() -> dict[str, Any]:
    from importlib.metadata import version

    return {"version": version("pyrevm"), "python": sys.version.split()[0]}


if __name__ == "__main__":
    bench_io.main("pyrevm", run, info)
