"""The true dependency DAG of a block, from the read and write sets its sequential run recorded.

Transaction j depends on i < j when a value j read is determined by i's write, exactly as
multi-version memory resolves reads (parallel/mv_memory.py):

- nonce, code: the nearest lower writer of the location;
- storage slot: the nearest lower writer of the slot or wiper of the account (STORAGE_GEN);
- balance: the nearest lower absolute writer, plus every lazy credit (`BalanceDelta`) after it.
  A credit therefore makes an edge only to a transaction that reads that balance: fee payments
  to the beneficiary and plain value transfers commute and create no edge otherwise;
- existence: the nearest lower writer of any of the account's fields;
- "has storage" (EIP-7610): the nearest lower wiper or writer of any of the account's slots.

Lower writers further down are not edges: they are reached through the nearest one. Each read
keeps the candidate writers too, in block order, because the simulator needs to know what a
speculative read sees when the nearest writer has not run yet.
"""

from __future__ import annotations

from typing import Final

from interp.delta import BalanceDelta
from interp.locations import BALANCE, CODE, EXISTS, NONCE, STORAGE, STORAGE_GEN, account_loc, loc_address, loc_kind
from pevm.analyze.profile import TxProfile

NO_WRITER: Final = -1


class Read:
    """One read that some lower transaction's write can change.

    `writers` are the lower transactions whose absolute writes it resolves to (nearest last),
    `deltas` the lower transactions crediting it lazily; `fraction` says how far into the
    transaction's execution the read happens (its position in the read set), and
    `sender_nonce` marks the sender's nonce, which, when stale, makes the transaction invalid.
    """

    __slots__ = ("loc", "fraction", "writers", "deltas", "sender_nonce", "final", "final_seen")

    def __init__(self, loc: int, fraction: float, writers: tuple[int, ...], deltas: tuple[int, ...],
                 sender_nonce: bool) -> None:  # fmt: skip
        self.loc = loc
        self.fraction = fraction
        self.writers = writers
        self.deltas = deltas
        self.sender_nonce = sender_nonce
        nearest = writers[-1] if writers else NO_WRITER
        self.final: tuple[int, ...] = ((nearest,) if writers else ()) + tuple(d for d in deltas if d > nearest)
        # what the read sees once every source recorded its final values (value id 0)
        self.final_seen: tuple[tuple[int, int], ...] = tuple((source, 0) for source in self.final)

    @property
    def sources(self) -> tuple[int, ...]:
        """The transactions whose writes determine the value read in the sequential order."""
        return self.final


class Dag:
    """Per transaction: the reads that lower writes can change, and the transactions it depends on."""

    def __init__(self, reads: list[list[Read]], writes: list[frozenset[int]]) -> None:
        self.reads = reads
        self.writes = writes  # the locations each transaction writes
        self.has_writes = [bool(locations) for locations in writes]
        self.deps: list[tuple[int, ...]] = [
            tuple(sorted({source for read in tx_reads for source in read.sources})) for tx_reads in reads
        ]

    @property
    def size(self) -> int:
        return len(self.reads)

    @property
    def edges(self) -> int:
        return sum(len(deps) for deps in self.deps)

    def critical_path(self, costs: list[float]) -> float:
        """The costliest chain of dependent transactions (each costs `costs[tx]`)."""
        finish: list[float] = []
        for tx, deps in enumerate(self.deps):
            finish.append(costs[tx] + max((finish[dep] for dep in deps), default=0.0))
        return max(finish, default=0.0)

    def ideal_speedup(self, costs: list[float]) -> float:
        """Total cost over the critical path: the bound for unlimited workers and no overhead."""
        path = self.critical_path(costs)
        return sum(costs) / path if path > 0 else 1.0


def _merged(*lists: list[int] | None) -> tuple[int, ...]:
    present = [items for items in lists if items]
    if len(present) == 1:
        return tuple(present[0])
    return tuple(sorted({tx for items in present for tx in items}))


def build_dag(txs: list[TxProfile]) -> Dag:
    """The DAG of transactions with these read and write sets (in block order)."""
    absolute: dict[int, list[int]] = {}  # location -> lower transactions writing a value
    deltas: dict[int, list[int]] = {}  # balance location -> lower transactions crediting it
    slot_writers: dict[int, list[int]] = {}  # address -> lower transactions writing any slot
    all_reads: list[list[Read]] = []
    for tx, profile in enumerate(txs):
        tx_reads: list[Read] = []
        count = len(profile.reads)
        for position, loc in enumerate(profile.reads):
            kind = loc_kind(loc)
            address = loc_address(loc)
            credits: tuple[int, ...] = ()
            if kind == STORAGE:
                writers = _merged(absolute.get(loc), absolute.get(account_loc(STORAGE_GEN, address)))
            elif kind == BALANCE:
                writers = _merged(absolute.get(loc))
                credits = _merged(deltas.get(loc))
            elif kind == EXISTS:
                writers = _merged(*(absolute.get(account_loc(field, address)) for field in (EXISTS, BALANCE, NONCE, CODE)),
                                  deltas.get(account_loc(BALANCE, address)))  # fmt: skip
            elif kind == STORAGE_GEN:
                writers = _merged(absolute.get(loc), slot_writers.get(address))
            else:
                writers = _merged(absolute.get(loc))
            if writers or credits:
                sender_nonce = kind == NONCE and address == profile.sender
                tx_reads.append(Read(loc, position / count, writers, credits, sender_nonce))
        all_reads.append(tx_reads)
        for loc, value in profile.writes.items():
            table = deltas if isinstance(value, BalanceDelta) else absolute
            table.setdefault(loc, []).append(tx)
            if loc_kind(loc) == STORAGE:
                address = loc_address(loc)
                written = slot_writers.setdefault(address, [])
                if not written or written[-1] != tx:
                    written.append(tx)
    return Dag(all_reads, [frozenset(tx.writes) for tx in txs])
