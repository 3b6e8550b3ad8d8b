"""What `pevm analyze` can analyse: mainnet block files and the benchmark workloads.

A target (a `pevm.workloads.Workload`: block, pre-state, rules, chain id) is named by a path
(`<N>.json.gz`, or a directory of them) or by `workload:NAME[:COUNT]` with NAME one of
`WORKLOADS` (pevm.workloads and pevm.bench.uniswap build them, seeded, so a name is always the same block).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Final, cast

from pevm import workloads
from pevm.bench.uniswap import uniswap_swaps
from pevm.blockfile import BlockFileError, load_block_file
from pevm.errors import UserError

WORKLOAD_PREFIX: Final = "workload:"
DEFAULT_COUNT: Final = 500


Target = workloads.Workload  # a block with its pre-state, rules and chain id, under a name


def shared_dir() -> Path:
    """`$PEVM_SHARED`, default ../shared."""
    return Path(os.environ.get("PEVM_SHARED", "../shared"))


def _contracts(relative: str) -> Path:
    contracts = shared_dir() / "contracts"
    if not (contracts / relative).is_file():
        raise UserError(f"{relative} is not in {contracts} (set PEVM_SHARED)")
    return contracts


def _erc20(count: int) -> workloads.Workload:
    return workloads.erc20_transfers(count, _contracts("erc20/ERC20Token.hex"))


def _uniswap(count: int) -> workloads.Workload:
    return uniswap_swaps(count, _contracts("uniswap/UniswapV3Pool.hex"))


WORKLOADS: Final[dict[str, Callable[[int], workloads.Workload]]] = {
    "raw": workloads.raw_transfers,
    "transfers": workloads.transfers_between,
    "erc20": _erc20,
    "uniswap": _uniswap,
    **cast(dict[str, Callable[[int], workloads.Workload]], workloads.CONFLICT_WORKLOADS),
}


def _parse_workload(spec: str) -> tuple[str, int]:
    """`workload:NAME[:COUNT]` as (NAME, COUNT); UserError on an unknown name or a bad count."""
    name, _, count_text = spec[len(WORKLOAD_PREFIX) :].partition(":")
    if name not in WORKLOADS:
        raise UserError(f"{spec}: unknown workload {name!r} (known: {', '.join(sorted(WORKLOADS))})")
    if not count_text:
        return name, DEFAULT_COUNT
    if not count_text.isdigit() or int(count_text) < 1:
        raise UserError(f"{spec}: the transaction count must be a positive integer")
    return name, int(count_text)


def _workload(spec: str) -> Target:
    name, count = _parse_workload(spec)
    workload = WORKLOADS[name](count)
    workload.name = f"{name}-{count}"
    return workload


def check_targets(specs: list[str]) -> None:
    """Refuse a missing file or a malformed workload name before any work (and any output)."""
    for spec in specs:
        if spec.startswith(WORKLOAD_PREFIX):
            _parse_workload(spec)
        elif not Path(spec).is_file():
            raise UserError(f"{spec}: no such file")


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
    target = Target(str(block_file.number), block_file.state, block_file.block, block_file.rules)
    target.chain_id = block_file.chain_id
    return target
