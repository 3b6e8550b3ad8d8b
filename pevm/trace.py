"""`pevm statetest --trace`: EIP-3155 traces of state tests, for diffing against other clients.

For each selected case, in file order, the traced interpreter writes one JSON line per opcode,
then `{"output": ..., "gasUsed": ...}` and the case's `{"stateRoot": "0x..."}` line, to `out`
(stderr, where geth, evmone and EELS write theirs and where goevmlab reads them). The lines
match `ethereum-spec-evm statetest --json --noreturndata --nomemory`. Cases run one at a time
so their lines do not interleave.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Final, TextIO

from ethtests import statetest
from ethtests.fixtures import PostCase, StateTest, fixture_files, load_state_tests
from interp.errors import InvalidTransaction
from interp.journal import Journal
from interp.receipt import logs_hash
from interp.state_root import state_root
from interp.trace import Tracer
from interp.tx import execute_transaction

STACK_BYTES: Final = 512 * 1024 * 1024  # call depth 1024 recurses deeply


def trace_case(test: StateTest, case: PostCase, out: TextIO) -> bool:
    """Trace one case to `out`; True when its state root and logs hash are the expected ones."""
    rules = statetest.fork_rules(test, case.fork)
    env = statetest.block_env(test, rules)
    state = statetest.state_from_accounts(test.pre)
    logs: list[object] = []
    try:
        tx = statetest.build_transaction(test, case, statetest.sender_of(test))
        result = execute_transaction(Journal(state), env, tx, rules, env.gas_limit, Tracer(out))
        state.apply(result.writes)
        logs = list(result.logs)
    except InvalidTransaction:
        pass
    root = state_root(state)
    out.write(json.dumps({"stateRoot": "0x" + root.hex()}) + "\n")
    return root == case.hash and logs_hash(logs) == case.logs  # type: ignore[arg-type]


def trace_files(paths: list[Path], fork: str | None, pattern: str | None, out: TextIO = sys.stderr) -> int:
    """Trace every selected case; prints `N passed, M failed` and returns the exit code."""
    statetest.check_fork(fork)
    counts = [0, 0]

    def trace_all() -> None:
        for path in fixture_files(paths):
            for test in load_state_tests(path):
                for case in test.posts:
                    if fork is not None and case.fork != fork:
                        continue
                    if pattern is not None and pattern not in case.case_id(path.name, test.name):
                        continue
                    counts[0 if trace_case(test, case, out) else 1] += 1
                    out.flush()

    statetest.in_deep_thread(trace_all, STACK_BYTES)
    print(f"{counts[0]} passed, {counts[1]} failed")
    return 1 if counts[1] else 0
