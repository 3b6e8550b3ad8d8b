"""The benchmark workloads (issue 6), as engine-neutral requests every driver can run.

W1-W3 are one call into a small contract whose loop count is its calldata; W4 and W5 come
from `pevm.workloads` (ERC-20 transfers, ETH transfers), W6 from `pevm.bench.uniswap`; the
mainnet blocks are the shared `<N>.json.gz` files (tx mode, pevm only). A request carries the
pre-state (in the block files' `pre_state` format), the block environment, and either message
calls (msg mode) or signed raw transactions (tx mode), plus the balances and slots every engine
reports afterwards so their results can be compared, not just their gas.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Final

from interp.forks import CANCUN, rules
from interp.header import Block
from interp.plain_state import PlainState

from pevm.asm import assemble
from pevm.bench.uniswap import uniswap_swaps
from pevm.workloads import RICH, Accounts, Workload, erc20_transfers, mapping_slot, synthetic_header, transfers_between

MODES: Final = ("msg", "tx")
# A prime modulus for MULMOD, so the accumulator never collapses to a fixed point.
MODULUS: Final = (1 << 255) - 19


def _finish(result: list[object]) -> list[object]:
    """Store the word on top of the stack in slot 0 and return it (results every engine shows)."""
    return result + ["DUP1", "PUSH1", 0, "SSTORE", "PUSH1", 0, "MSTORE", "PUSH1", 32, "PUSH1", 0, "RETURN"]


# W1: 100k iterations of ADD, MUL, SUB, DIV and MULMOD on an accumulator. Stack: [n, acc].
ARITHMETIC: Final = assemble(_finish([
    "PUSH1", 0, "CALLDATALOAD", "PUSH1", 7,
    "loop:", "PUSH1", 3, "ADD", "PUSH1", 5, "MUL", "PUSH1", 1, "SWAP1", "SUB", "PUSH1", 3, "SWAP1", "DIV",
    "PUSH32", MODULUS, "SWAP1", "PUSH1", 17, "MULMOD",
    "SWAP1", "PUSH1", 1, "SWAP1", "SUB", "SWAP1", "DUP2", ("@", "loop"), "JUMPI",
    "SWAP1", "POP",
]))  # fmt: skip
# W2: KECCAK256 of memory[0:64], written back to memory[0:32], n times. Stack: [n].
HASHING: Final = assemble(_finish([
    "PUSH1", 0, "CALLDATALOAD",
    "loop:", "PUSH1", 64, "PUSH1", 0, "KECCAK256", "PUSH1", 0, "MSTORE",
    "PUSH1", 1, "SWAP1", "SUB", "DUP1", ("@", "loop"), "JUMPI",
    "POP", "PUSH1", 0, "MLOAD",
]))  # fmt: skip
# W3: SSTORE(i, i) for i = n..1 (fresh slots), then sum SLOAD(i) for i = n..1.
STORAGE: Final = assemble(_finish([
    "PUSH1", 0, "CALLDATALOAD", "DUP1",
    "store:", "DUP1", "DUP1", "SSTORE", "PUSH1", 1, "SWAP1", "SUB", "DUP1", ("@", "store"), "JUMPI",
    "POP", "PUSH1", 0,
    "load:", "DUP2", "SLOAD", "ADD", "SWAP1", "PUSH1", 1, "SWAP1", "SUB", "SWAP1", "DUP2", ("@", "load"), "JUMPI",
    "SWAP1", "POP",
]))  # fmt: skip


@dataclass(frozen=True)
class Sizes:
    """How much work each workload does; --quick keeps the shapes and cuts the counts."""

    loop: int  # W1, W2 iterations
    slots: int  # W3 fresh slots (stored, then loaded)
    erc20: int  # W4 transfers
    transfers: int  # W5 transfers
    swaps: int  # W6 swaps
    blocks: int  # mainnet blocks (0: all)


FULL: Final = Sizes(loop=100_000, slots=5_000, erc20=2_000, transfers=10_000, swaps=100, blocks=0)
QUICK: Final = Sizes(loop=10_000, slots=1_000, erc20=400, transfers=2_000, swaps=20, blocks=3)


def shared_dir() -> Path:
    return Path(os.environ.get("PEVM_SHARED", "../shared"))


def contract_call(name: str, code: bytes, count: int, signed: bool, gas_limit: int, seed: int) -> Workload:
    """One funded account calling `code` once with `count` as its calldata."""
    accounts = Accounts(seed, signed)
    caller = accounts.new()
    contract = accounts.random.getrandbits(160)
    state = PlainState()
    state.set_account(caller, RICH, 0, b"", {})
    state.set_account(contract, 0, 1, code, {})
    state.set_account(0, 0, 0, b"", {})  # the empty beneficiary
    tx = accounts.transaction(caller, 0, contract, 0, count.to_bytes(32, "big"), gas_limit)
    return Workload(name, state, Block(synthetic_header(max(gas_limit, 30_000_000)), [tx], [], []), rules(CANCUN))


@dataclass(frozen=True)
class Spec:
    """One row family of the table: a workload, how to build it, what to count."""

    name: str
    title: str
    build: Callable[[Sizes, bool], Workload]
    unit: str  # what one "op" is, for the per-op column: tx, iteration, storage op
    ops: Callable[[Sizes], int]


def _w1(sizes: Sizes, signed: bool) -> Workload:
    return contract_call("W1", ARITHMETIC, sizes.loop, signed, 20 + 120 * sizes.loop + 100_000, 21)


def _w2(sizes: Sizes, signed: bool) -> Workload:
    return contract_call("W2", HASHING, sizes.loop, signed, 20 + 100 * sizes.loop + 100_000, 22)


def _w3(sizes: Sizes, signed: bool) -> Workload:
    return contract_call("W3", STORAGE, sizes.slots, signed, 22_500 * sizes.slots + 200_000, 23)


def _w4(sizes: Sizes, signed: bool) -> Workload:
    return erc20_transfers(sizes.erc20, shared_dir() / "contracts", signed)


def _w5(sizes: Sizes, signed: bool) -> Workload:
    return transfers_between(sizes.transfers, signed)


def _w6(sizes: Sizes, signed: bool) -> Workload:
    return uniswap_swaps(sizes.swaps, shared_dir() / "contracts", signed)


SPECS: Final = (
    Spec("W1", "arithmetic loop", _w1, "iteration", lambda sizes: sizes.loop),
    Spec("W2", "KECCAK256 of 64 bytes", _w2, "iteration", lambda sizes: sizes.loop),
    Spec("W3", "SSTORE fresh then SLOAD", _w3, "storage op", lambda sizes: 2 * sizes.slots),
    Spec("W4", "ERC-20 transfers", _w4, "tx", lambda sizes: sizes.erc20),
    Spec("W5", "ETH transfers", _w5, "tx", lambda sizes: sizes.transfers),
    Spec("W6", "Uniswap V3 swaps", _w6, "tx", lambda sizes: sizes.swaps),
)


def _pre_state(state: PlainState) -> dict[str, Any]:
    return {
        f"0x{address:040x}": {"balance": hex(account.balance), "nonce": hex(account.nonce),
                              "code": "0x" + account.code.code.hex(),
                              "storage": {hex(slot): hex(value) for slot, value in account.storage.items()}}
        for address, account in state.accounts.items()
    }  # fmt: skip


def _probes(workload: Workload) -> tuple[list[int], list[tuple[int, int]]]:
    """The first and last two transactions' senders and recipients, the beneficiary, and the
    storage the workload writes (slot 0 of W1-W3; the token balances of W4's senders)."""
    transactions = workload.block.transactions
    picked = transactions[:2] + transactions[-2:]
    balances = [workload.block.header.coinbase]
    storage: list[tuple[int, int]] = []
    for tx in picked:
        balances.append(tx.sender)
        if tx.to is not None:
            balances.append(tx.to)
    if workload.name in ("W1", "W2", "W3") and transactions[0].to is not None:
        target = transactions[0].to
        storage = [(target, 0), (target, 1), (target, int.from_bytes(transactions[0].data, "big"))]
    elif workload.name.startswith("erc20") and transactions[0].to is not None:
        storage = [(tx.to, mapping_slot(tx.sender, 0)) for tx in picked if tx.to is not None]
    return balances, storage


def request(workload: Workload, mode: str) -> dict[str, Any]:
    """The engine-neutral request for one workload in one mode (without repeats/workers)."""
    header = workload.block.header
    balances, storage = _probes(workload)
    body: dict[str, Any] = {
        "kind": "synthetic", "mode": mode, "fork": workload.rules.name, "chain_id": workload.chain_id,
        "env": {"coinbase": f"0x{header.coinbase:040x}", "number": header.number, "timestamp": header.timestamp,
                "gas_limit": header.gas_limit, "base_fee": header.base_fee or 0,
                "prev_randao": "0x" + header.mix_hash.hex()},
        "accounts": _pre_state(workload.state),
        "probe_balances": [f"0x{address:040x}" for address in balances],
        "probe_storage": [[f"0x{address:040x}", hex(slot)] for address, slot in storage],
    }  # fmt: skip
    if mode == "msg":
        body["messages"] = [{"caller": f"0x{tx.sender:040x}", "to": f"0x{tx.to or 0:040x}", "value": hex(tx.value),
                             "data": "0x" + tx.data.hex(), "gas": tx.gas_limit}
                            for tx in workload.block.transactions]  # fmt: skip
    else:
        body["transactions"] = ["0x" + tx.encode().hex() for tx in workload.block.transactions]
    return body


def mainnet_blocks(limit: int) -> list[Path]:
    """The shared mainnet block files, newest first when `limit` keeps only a few."""
    directory = shared_dir() / "mainnet"
    files = sorted(directory.glob("*.json.gz"), key=lambda path: int(path.name.split(".")[0]), reverse=True)
    return files[:limit] if limit else files
