"""Run state tests through EELS (`ethereum-execution`), one JSON request per stdin line.

This file runs under the executable specification's own Python (EELS does not install on
free-threaded 3.13), started once per campaign by `pevm.fuzz.oracles.Eels`; it imports nothing
from pevm. Request: `{"test": {name: GeneralStateTest}}` with one Cancun post. Reply, one line:
`{"stateRoot", "logsHash", "gasUsed", "output", "error", "rejected"}` (`error`: the EELS class
of the top frame's halt or None; `rejected`: the exception that rejected the transaction or
None), or `{"crash": traceback}`.
"""

from __future__ import annotations

import json
import re
import sys
import threading
import traceback
from typing import Any

# The specification's packages exist only in its own environment.
from ethereum import trace  # type: ignore[import-not-found]
from ethereum.trace import TransactionEnd  # type: ignore[import-not-found]
from ethereum_spec_tools.evm_tools.statetest import TestCase, run_test_case  # type: ignore[import-not-found]
from ethereum_spec_tools.evm_tools.t8n import ForkCache  # type: ignore[import-not-found]

FORK = "Cancun"
STACK_BYTES = 512 * 1024 * 1024  # call depth 1024 recurses deeply in the specification


class TopFrame:
    """An EVM tracer that keeps only how the transaction's top frame ended."""

    def __init__(self) -> None:
        self.output = b""
        self.error: str | None = None

    def reset(self) -> None:
        self.output = b""
        self.error = None

    def __call__(self, evm: Any, event: Any) -> None:
        if isinstance(event, TransactionEnd):
            self.output = bytes(event.output)
            self.error = type(event.error).__name__ if event.error is not None else None


def rejection(message: str) -> str:
    """`Failed transaction: NonceMismatchError('nonce too high')` -> `NonceMismatchError`."""
    found = re.match(r"Failed transaction: (\w+)", message)
    return found.group(1) if found else "Malformed"


def run(request: dict[str, Any], cache: ForkCache, top: TopFrame) -> dict[str, Any]:
    name, test = next(iter(request["test"].items()))
    case = TestCase(
        path="fuzz", key=name, index=0, fork_name=FORK, post=test["post"][FORK][0], pre=test["pre"],
        env=test["env"], transaction=test["transaction"],
    )  # fmt: skip
    top.reset()
    result = run_test_case(case, cache)
    rejected = result.rejected.get(0) if result.rejected else None
    return {
        "stateRoot": "0x" + bytes(result.state_root).hex(),
        "logsHash": "0x" + bytes(result.logs_hash).hex(),
        "gasUsed": int(result.gas_used),
        "output": "0x" + top.output.hex(),
        "error": top.error,
        "rejected": rejection(rejected) if rejected is not None else None,
    }


def serve() -> None:
    top = TopFrame()
    trace.set_evm_trace(top)
    with ForkCache() as cache:
        for line in sys.stdin:
            try:
                reply = run(json.loads(line), cache, top)
            except Exception:  # noqa: BLE001 - reported to the oracle as a crash of the specification
                reply = {"crash": traceback.format_exc()}
            sys.stdout.write(json.dumps(reply) + "\n")
            sys.stdout.flush()


def main() -> None:
    sys.setrecursionlimit(200_000)
    threading.stack_size(STACK_BYTES)
    worker = threading.Thread(target=serve)
    worker.start()
    worker.join()


if __name__ == "__main__":
    main()
