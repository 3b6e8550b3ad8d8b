"""The state view of one transaction incarnation during parallel execution.

Reads resolve through multi-version memory (writes of lower transactions, lazy deltas folded,
wipes honoured) and fall back to the block's base state; a read that meets an ESTIMATE raises
`Blocked`, which unwinds the speculative execution. The journal above records what was read.
Each worker owns its views; the memory and the base state behind them are shared.
"""

from __future__ import annotations

from typing import final

from interp.analysis import CodeAnalysis
from interp.locations import CODE, NONCE, account_loc
from interp.plain_state import PlainState
from interp.view import StateView
from parallel.mv_memory import MvMemory


@final
class MvView(StateView):
    def __init__(self, memory: MvMemory, base: PlainState, tx: int) -> None:
        self.memory = memory
        self.base = base
        self.tx = tx

    def balance(self, address: int) -> int:
        return self.memory.read_balance(address, self.tx)

    def balance_at(self, address: int, loc: int) -> int:
        return self.memory.read_balance_at(loc, address, self.tx)

    def nonce(self, address: int) -> int:
        return self.nonce_at(address, account_loc(NONCE, address))

    def nonce_at(self, address: int, loc: int) -> int:
        value = self.memory.read(loc, self.tx)
        if value is None:
            return self.base.nonce(address)
        assert isinstance(value, int)
        return value

    def code(self, address: int) -> CodeAnalysis:
        return self.code_at(address, account_loc(CODE, address))

    def code_at(self, address: int, loc: int) -> CodeAnalysis:
        value = self.memory.read(loc, self.tx)
        if value is None:
            return self.base.code(address)
        assert isinstance(value, CodeAnalysis)
        return value

    def storage(self, address: int, slot: int) -> int:
        return self.memory.read_storage(address, slot, self.tx)

    def storage_at(self, address: int, slot: int, loc: int) -> int:
        return self.memory.read_storage_at(loc, address, slot, self.tx)

    def exists(self, address: int) -> bool:
        return self.memory.exists(address, self.tx)

    def has_storage(self, address: int) -> bool:
        return self.memory.has_storage(address, self.tx)

    def block_hash(self, number: int) -> bytes | None:
        return self.base.block_hash(number)
