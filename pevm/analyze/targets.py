"""What `pevm analyze` can analyse: mainnet block files and the benchmark workloads.

A target is named by a path (`<N>.json.gz`, or a directory of them) or by `workload:NAME[:COUNT]`
with NAME one of `WORKLOADS` (pevm.workloads builds them, seeded, so a name is always the same
block).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Final, cast

from interp.forks import ForkRules
from interp.header import Block
from interp.plain_state import PlainState
from pevm import workloads
from pevm.blockfile import BlockFileError, load_block_file
from pevm.errors import UserError

WORKLOAD_PREFIX: Final = "workload:"
DEFAULT_COUNT: Final = 500


class Target:
    """A block with its pre-state and rules, under the name reports use."""

    def __init__(self, name: str, state: PlainState, block: Block, rules: ForkRules, chain_id: int) -> None:
        self.name = name
        self.state = state
        self.block = block
        self.rules = rules
        self.chain_id = chain_id

    @property
    def txs(self) -> int:
        return len(self.block.transactions)


def shared_dir() -> Path:
    """`$PEVM_SHARED`, default ../shared next to the repository (as the tests resolve it)."""
    default = Path(__file__).resolve().parents[2].parent / "shared"
    return Path(os.environ.get("PEVM_SHARED", default))


def _erc20(count: int) -> workloads.Workload:
    return workloads.erc20_transfers(count, shared_dir() / "contracts")


WORKLOADS: Final[dict[str, Callable[[int], workloads.Workload]]] = {
    "raw": workloads.raw_transfers,
    "transfers": workloads.transfers_between,
    "erc20": _erc20,
    **cast(dict[str, Callable[[int], workloads.Workload]], workloads.CONFLICT_WORKLOADS),
}


def _workload(spec: str) -> Target:
    name, _, count_text = spec[len(WORKLOAD_PREFIX) :].partition(":")
    build = WORKLOADS.get(name)
    if build is None:
        raise UserError(f"{spec}: unknown workload {name!r} (known: {', '.join(sorted(WORKLOADS))})")
    count = DEFAULT_COUNT
    if count_text:
        if not count_text.isdigit() or int(count_text) < 1:
            raise UserError(f"{spec}: the transaction count must be a positive integer")
        count = int(count_text)
    workload = build(count)
    label = f"{name}-{count}"
    return Target(label, workload.state, workload.block, workload.rules, workload.chain_id)


def expand(specs: list[str]) -> list[str]:
    """Directories become their `*.json.gz` files, in block-number order."""
    expanded: list[str] = []
    for spec in specs:
        path = Path(spec)
        if not spec.startswith(WORKLOAD_PREFIX) and path.is_dir():
            files = sorted(path.glob("*.json.gz"), key=lambda item: (len(item.name), item.name))
            if not files:
                raise UserError(f"{spec}: no *.json.gz block files in this directory")
            expanded.extend(str(item) for item in files)
        else:
            expanded.append(spec)
    return expanded


def load_target(spec: str) -> Target:
    """A target from its command-line name; UserError when it cannot be loaded."""
    if spec.startswith(WORKLOAD_PREFIX):
        return _workload(spec)
    try:
        block_file = load_block_file(spec)
    except BlockFileError as error:
        raise UserError(str(error)) from None
    return Target(str(block_file.number), block_file.state, block_file.block, block_file.rules, block_file.chain_id)
