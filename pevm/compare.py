"""Exact comparison of two block executions: receipts, logs, gas and the post state.

Used by `pevm run-block --compare`, the parallel-equivalence tests and the fuzzer; returns
the first difference as text (None when identical) so a report can say what diverged.
"""

from __future__ import annotations

from interp.block import BlockResult
from interp.plain_state import PlainState


def state_difference(a: PlainState, b: PlainState) -> str | None:
    for address in sorted(set(a.accounts) | set(b.accounts)):
        left = a.accounts.get(address)
        right = b.accounts.get(address)
        where = f"account 0x{address:040x}"
        if left is None or right is None:
            return f"{where} exists in only one state"
        if left.balance != right.balance:
            return f"{where} balance {left.balance} != {right.balance}"
        if left.nonce != right.nonce:
            return f"{where} nonce {left.nonce} != {right.nonce}"
        if left.code.hash != right.code.hash:
            return f"{where} code differs"
        for slot in sorted(set(left.storage) | set(right.storage)):
            if left.storage.get(slot, 0) != right.storage.get(slot, 0):
                return f"{where} slot 0x{slot:x}: {left.storage.get(slot, 0)} != {right.storage.get(slot, 0)}"
    return None


def result_difference(a: BlockResult, b: BlockResult) -> str | None:
    if len(a.results) != len(b.results):
        return f"{len(a.results)} != {len(b.results)} transaction results"
    for index, (left, right) in enumerate(zip(a.receipts, b.receipts)):
        if left.encode() != right.encode():
            return f"receipt {index} differs (gas {left.cumulative_gas_used} vs {right.cumulative_gas_used})"
    for index, (x, y) in enumerate(zip(a.results, b.results)):
        if x.output != y.output or x.gas_used != y.gas_used or x.success != y.success:
            return f"transaction {index}: output, gas or status differs"
    if a.gas_used != b.gas_used or a.logs_bloom != b.logs_bloom or a.receipts_root != b.receipts_root:
        return "block gas, bloom or receipts root differs"
    if a.requests_hash != b.requests_hash:
        return "requests differ"
    return None


def difference(a: BlockResult, a_state: PlainState, b: BlockResult, b_state: PlainState) -> str | None:
    return result_difference(a, b) or state_difference(a_state, b_state)
