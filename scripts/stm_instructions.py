"""Block-STM's cost over sequential execution in instructions, which a shared machine cannot blur.

    .venv/bin/python scripts/stm_instructions.py TARGET [...]

TARGET as `pevm analyze` names it: a block file (`<N>.json.gz`) or `workload:NAME[:COUNT]`
(erc20, uniswap, transfers, ...). For each: the instructions sequential execution takes (`execute_transactions`, each
transaction's writes applied as it ends) against one worker's Block-STM run (the worker's task
loop: executing, recording, validating, scheduling; plus applying the write sets at the end),
counted by valgrind's callgrind in a child process per run. Sender recovery and the block's
loading are outside both counts. On this development machine wall-clock times of identical
runs moved 20-40% apart; these counts repeat exactly. Needs valgrind (Debian: apt install
valgrind), the compiled build, and ~10 s per run.
"""

from __future__ import annotations

import gc
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

# Collected only inside these compiled functions (mypyc's C names; a count of 0 means a rename).
SEQUENTIAL = ["CPyDef_interp___block___execute_transactions"]
BLOCK_STM = ["CPyDef_worker___Worker___run", "CPyDef_plain_state___PlainState___apply"]


def child(mode: str, spec: str) -> None:
    """Execute the block once in `mode`; callgrind counts the parts named above."""
    from interp.block import block_env, execute_transactions, pre_block
    from parallel.executor import execute_transaction_list
    from parallel.senders import recover_senders
    from pevm.analyze.targets import WORKLOAD_PREFIX, load_target

    target = load_target(spec)
    block, rules = target.block, target.rules
    if not spec.startswith(WORKLOAD_PREFIX):  # workloads are built with their senders
        recover_senders(block.transactions, rules, target.chain_id, 1)
    env = block_env(block.header, rules, target.chain_id)
    state = target.state
    pre_block(state, block, rules, env)
    gc.disable()
    if mode == "sequential":
        execute_transactions(state, block, rules, env, None)
    else:
        execute_transaction_list(state, block.transactions, env, rules, 1, spec)


def count(mode: str, spec: str) -> int:
    toggles = [f"--toggle-collect={name}" for name in (SEQUENTIAL if mode == "sequential" else BLOCK_STM)]
    command = ["valgrind", "--tool=callgrind", "--collect-atstart=no", *toggles, "--callgrind-out-file=/dev/null",
               sys.executable, "-P", __file__, "--child", mode, spec]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, check=False, env=dict(os.environ, PYTHON_GIL="0"))
    found = re.search(r"Collected : (\d+)", done.stderr)
    if done.returncode != 0 or found is None or int(found.group(1)) == 0:
        raise SystemExit(f"{spec} {mode}: callgrind counted nothing\n{done.stderr[-2000:]}")
    return int(found.group(1))


def main(specs: list[str]) -> int:
    if not specs:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    if shutil.which("valgrind") is None:
        print("valgrind not found: it counts the instructions", file=sys.stderr)
        return 2
    print(f"{'block':<24} {'sequential':>14} {'Block-STM, 1 worker':>20} {'ratio':>6}")
    for spec in specs:
        sequential, block_stm = count("sequential", spec), count("block-stm", spec)
        name = spec if spec.startswith("workload:") else Path(spec).name.split(".")[0]
        print(f"{name:<24} {sequential:>14,} {block_stm:>20,} {block_stm / sequential:>6.3f}")
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3])
    else:
        sys.exit(main(sys.argv[1:]))
