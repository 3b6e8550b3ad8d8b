"""Benchmark driver for pevm itself: `python pevm_driver.py REQUEST.json`.

Run by path, so this directory, not the source tree, is first on `sys.path`: the engine is
whatever `interp` the interpreter imports. For "pevm" that is the installed, mypyc-compiled
build; for "pevm-pure" the runner puts the source tree on PYTHONPATH. The reply says which
(`interp.loop.__file__`), so a table never labels pure Python as compiled.

msg mode runs each message as the first frame of a transaction without the transaction around
it (no intrinsic gas, nonce, fees or refunds): gas is what the frame consumed. tx mode decodes
the signed transactions, recovers their senders and executes the block, sequentially (a block
file's senders one after another, `interp.transaction`) or with `workers` threads
(`parallel.senders`, then `parallel.execute_block`); both parts are timed.
"""

from __future__ import annotations

import sys
import sysconfig
from typing import Any, Callable

import bench_io
from bench_io import Outcome, hexint, unhex

from interp import call, loop
from interp.block import block_env, execute_block as execute_sequential
from interp.env import TxEnv
from interp.forks import rules_by_name
from interp.frame import Message, TxContext
from interp.header import Block
from interp.journal import Journal
from interp.plain_state import PlainState
from interp.transaction import recover_senders_in_order
from opcodes.forks import table
from parallel.block import execute_block as execute_parallel
from parallel.paths import ParallelStats
from parallel.senders import decode_transactions
from pevm.blockfile import load_block_file, parse_state
from pevm.workloads import synthetic_header
from precompiles.registry import precompiles_for


def info() -> dict[str, Any]:
    gil = getattr(sys, "_is_gil_enabled", lambda: True)()
    return {"interp": loop.__file__, "compiled": not loop.__file__.endswith(".py"), "gil": gil,
            "python": sys.version.split()[0], "free_threaded": sysconfig.get_config_var("Py_GIL_DISABLED") == 1}  # fmt: skip


def probe(state: PlainState, request: dict[str, Any], outcome: Outcome) -> None:
    outcome.balances = [state.balance(hexint(address)) for address in request.get("probe_balances", [])]
    outcome.storage = [state.storage(hexint(address), hexint(slot)) for address, slot in request.get("probe_storage", [])]


def run_messages(request: dict[str, Any]) -> dict[str, Any]:
    fork_rules = rules_by_name(request["fork"])
    env = request["env"]
    header = synthetic_header(env["gas_limit"], hexint(env["coinbase"]), env["number"])
    block = block_env(header, fork_rules, request["chain_id"])
    opcodes = table(fork_rules.fork)
    precompiles = precompiles_for(fork_rules.fork)
    base = parse_state(request["accounts"], {})
    messages = [(hexint(m["caller"]), hexint(m["to"]), hexint(m["value"]), unhex(m["data"]), int(m["gas"]))
                for m in request["messages"]]  # fmt: skip

    def execute(state: PlainState) -> Outcome:
        outcome = Outcome()
        for caller, to, value, data, gas in messages:
            journal = Journal(state)
            ctx = TxContext(fork_rules, opcodes, precompiles, block, TxEnv(caller, 0, (), gas), journal)
            journal.warm_account(journal.account(caller))
            target = journal.account(to)
            journal.warm_account(target)
            msg = Message(caller, to, to, value, data, gas, 0, False, True, journal.code(target), False)
            frame = call.process_message(ctx, msg)
            state.apply(journal.write_set())
            outcome.gas += gas - frame.gas
            outcome.successes += not (frame.halted or frame.reverted)
            outcome.outputs.update(frame.output)
        return outcome

    return bench_io.best_of(request, base.copy, execute, lambda state, outcome: probe(state, request, outcome))


def run_block(request: dict[str, Any], state: PlainState, block: Block, raw: list[bytes] | None, chain_id: int,
              fork_name: str) -> dict[str, Any]:  # fmt: skip
    """Time sender recovery (and decoding, given `raw`) plus block execution. With
    `"interleave": [1, N, ...]` the worker counts take turns in one process (`bench_io.interleaved`)
    and the reply's `"interleaved"` holds one result per count."""
    fork_rules = rules_by_name(fork_name)
    counts = [int(workers) for workers in request.get("interleave", [request.get("workers", 1)])]
    stats = [ParallelStats() for _ in counts]

    def executor(workers: int, stats: ParallelStats) -> Callable[[PlainState], Outcome]:
        def execute(post: PlainState) -> Outcome:
            sequential = workers == 1
            if raw is not None:
                transactions = decode_transactions(raw, fork_rules, chain_id, workers, recover=sequential)
            else:
                transactions = block.transactions
                if sequential:
                    recover_senders_in_order(transactions, fork_rules, chain_id)
            current = Block(block.header, transactions, block.ommers, block.withdrawals)
            if sequential:
                result = execute_sequential(post, current, fork_rules, chain_id)
            else:  # recovers the senders on its workers, overlapping execution where it can
                result = execute_parallel(post, current, fork_rules, chain_id, workers, stats, recover=True)
            outcome = Outcome()
            outcome.gas = result.gas_used
            outcome.successes = sum(1 for tx_result in result.results if tx_result.success)
            return outcome

        return execute

    executes = [executor(workers, used) for workers, used in zip(counts, stats)]
    replies = bench_io.interleaved(request, state.copy, executes, lambda post, outcome: probe(post, request, outcome))
    for reply, workers, used in zip(replies, counts, stats):
        reply.update(workers=workers, path=used.path, reexecutions=used.reexecutions)
    if "interleave" in request:
        return {"interleaved": replies}
    return replies[0]


def run(request: dict[str, Any]) -> dict[str, Any]:
    if request["kind"] == "block-file":
        block_file = load_block_file(request["path"])
        reply = run_block(request, block_file.state, block_file.block, None, block_file.chain_id, block_file.rules.name)
        reply.update(header_gas=block_file.block.header.gas_used, txs=len(block_file.block.transactions))
        return reply
    if request["mode"] == "msg":
        return run_messages(request)
    env = request["env"]
    header = synthetic_header(env["gas_limit"], hexint(env["coinbase"]), env["number"])
    empty = Block(header, [], [], [])
    raw = [unhex(item) for item in request["transactions"]]
    return run_block(request, parse_state(request["accounts"], {}), empty, raw, request["chain_id"], request["fork"])


if __name__ == "__main__":
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 100_000))
    bench_io.main(sys.argv[2] if len(sys.argv) > 2 else "pevm", run, info)
