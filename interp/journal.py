"""One transaction's view of state: an overlay over the state view, its read and write sets,
and the undo log that lets a call frame revert.

The opcodes call the accessors below; the first time an accessor needs a location it asks the
`StateView` and records the value seen in `reads` (a reverted frame keeps its reads: they
shaped the outcome). Writes change the overlay and, while a frame could still revert them
(`checkpoint` .. `seal`), append an undo entry; a frame's checkpoint is the length of `entries`.
`write_set()` turns the overlay into the transaction's writes at the end: the locations whose
value differs from what the transaction started with, plus lazy balance credits
(`BalanceDelta`) for accounts whose balance it never read.
"""

from __future__ import annotations

from typing import Final, final

from mypy_extensions import i64

from interp.analysis import EMPTY_CODE, CodeAnalysis
from interp.delta import BalanceDelta
from interp.locations import (
    BALANCE,
    CODE,
    EXISTS,
    NONCE,
    STORAGE_GEN,
    fields_base,
    slot_loc,
)
from interp.view import StateView

UNKNOWN: Final = -1


@final
class Log:
    address: Final[int]
    topics: Final[tuple[bytes, ...]]
    data: Final[bytes]

    def __init__(self, address: int, topics: tuple[bytes, ...], data: bytes) -> None:
        self.address = address
        self.topics = topics
        self.data = data


@final
class TxAccount:
    """One account as the running transaction sees it; fields load lazily from the view."""

    address: Final[int]
    base: Final[int]  # `fields_base(address)`: its locations are `base | kind` (interp.locations)
    balance: int
    balance_known: bool
    balance_original: int
    delta: int  # credits not yet folded into `balance` (balance never read)
    nonce: int  # up to 2**64 - 1 (EIP-2681): wider than i64
    nonce_original: int
    code: CodeAnalysis | None
    code_original: CodeAnalysis | None
    exists: i64  # UNKNOWN, 0 or 1
    exists_original: i64
    storage: dict[int, int]
    original: dict[int, int]  # slot values at transaction start
    transient: dict[int, int]
    warm_slots: set[int]
    warm: bool
    touched: bool
    created: bool  # created in this transaction (EIP-6780)
    destroyed: bool  # SELFDESTRUCT scheduled: deleted at the end of the transaction

    def __init__(self, address: int) -> None:
        self.address = address
        self.base = fields_base(address)
        self.balance = 0
        self.balance_known = False
        self.balance_original = 0
        self.delta = 0
        self.nonce = UNKNOWN
        self.nonce_original = UNKNOWN
        self.code = None
        self.code_original = None
        self.exists = UNKNOWN
        self.exists_original = UNKNOWN
        self.storage = {}
        self.original = {}
        self.transient = {}
        self.warm_slots = set()
        self.warm = False
        self.touched = False
        self.created = False
        self.destroyed = False


class Entry:
    """An undo record: what one change did and how to take it back."""

    def undo(self) -> None:
        raise NotImplementedError


@final
class BalanceSet(Entry):
    """Balance set to a known value; undo restores the previous value."""

    def __init__(self, account: TxAccount, previous: int) -> None:
        self.account: Final = account
        self.previous: Final = previous

    def undo(self) -> None:
        self.account.balance = self.previous


@final
class BalanceCredited(Entry):
    """A lazy credit; undo subtracts it from whichever form the balance has now."""

    def __init__(self, account: TxAccount, amount: int) -> None:
        self.account: Final = account
        self.amount: Final = amount

    def undo(self) -> None:
        if self.account.balance_known:
            self.account.balance -= self.amount
        else:
            self.account.delta -= self.amount


@final
class NonceSet(Entry):
    def __init__(self, account: TxAccount, previous: int) -> None:
        self.account: Final = account
        self.previous: Final = previous

    def undo(self) -> None:
        self.account.nonce = self.previous


@final
class CodeSet(Entry):
    def __init__(self, account: TxAccount, previous: CodeAnalysis | None) -> None:
        self.account: Final = account
        self.previous: Final = previous

    def undo(self) -> None:
        self.account.code = self.previous


@final
class StorageSet(Entry):
    def __init__(self, account: TxAccount, slot: int, previous: int) -> None:
        self.account: Final = account
        self.slot: Final = slot
        self.previous: Final = previous

    def undo(self) -> None:
        self.account.storage[self.slot] = self.previous


@final
class TransientSet(Entry):
    def __init__(self, account: TxAccount, slot: int, previous: int) -> None:
        self.account: Final = account
        self.slot: Final = slot
        self.previous: Final = previous

    def undo(self) -> None:
        self.account.transient[self.slot] = self.previous


@final
class ExistsSet(Entry):
    def __init__(self, account: TxAccount, previous: i64) -> None:
        self.account: Final = account
        self.previous: Final = previous

    def undo(self) -> None:
        self.account.exists = self.previous


@final
class AccountWarmed(Entry):
    def __init__(self, account: TxAccount) -> None:
        self.account: Final = account

    def undo(self) -> None:
        self.account.warm = False


@final
class SlotWarmed(Entry):
    def __init__(self, account: TxAccount, slot: int) -> None:
        self.account: Final = account
        self.slot: Final = slot

    def undo(self) -> None:
        self.account.warm_slots.discard(self.slot)


@final
class Touched(Entry):
    """EIP-161 touch; undo forgets it."""

    def __init__(self, account: TxAccount) -> None:
        self.account: Final = account

    def undo(self) -> None:
        self.account.touched = False


@final
class Created(Entry):
    def __init__(self, account: TxAccount) -> None:
        self.account: Final = account

    def undo(self) -> None:
        self.account.created = False


@final
class Destroyed(Entry):
    def __init__(self, account: TxAccount) -> None:
        self.account: Final = account

    def undo(self) -> None:
        self.account.destroyed = False


@final
class Journal:
    """Per-transaction overlay, read set and undo log. Owned by one thread."""

    view: Final[StateView]
    accounts: dict[int, TxAccount]
    reads: dict[int, object]  # location -> value seen: the transaction's read set
    entries: list[Entry]
    keeping: bool  # entries are kept: from the first checkpoint until `seal`
    logs: list[Log]
    refund: i64

    def __init__(self, view: StateView) -> None:
        self.view = view
        self.accounts = {}
        self.reads = {}
        self.entries = []
        self.keeping = False
        self.logs = []
        self.refund = 0

    # --- checkpoints ------------------------------------------------------------------------
    def checkpoint(self) -> i64:
        """Undo entries are kept from the first checkpoint on: what comes before it (buying gas,
        the nonce, the warm accounts) is never reverted, and a plain transfer then makes 8 fewer
        objects."""
        self.keeping = True
        return len(self.entries)

    def seal(self) -> None:
        """No checkpoint taken so far will be reverted to (the transaction's message has
        returned): the changes that follow (refund, fee, touches) keep no undo entries."""
        self.keeping = False

    def revert_to(self, checkpoint: i64) -> None:
        entries = self.entries
        while len(entries) > checkpoint:
            entries.pop().undo()

    # --- accounts ---------------------------------------------------------------------------
    def account(self, address: int) -> TxAccount:
        account = self.accounts.get(address)
        if account is None:
            account = TxAccount(address)
            self.accounts[address] = account
        return account

    def balance(self, account: TxAccount) -> int:
        if not account.balance_known:
            loc = account.base | BALANCE
            value = self.view.balance_at(account.address, loc)
            self.reads[loc] = value
            account.balance_original = value
            account.balance = value + account.delta
            account.delta = 0
            account.balance_known = True
        return account.balance

    def set_balance(self, account: TxAccount, value: int) -> None:
        """Set a balance the caller has read (debits always read: they must check funds)."""
        if self.keeping:
            self.entries.append(BalanceSet(account, account.balance))
        account.balance = value

    def credit(self, account: TxAccount, amount: int) -> None:
        """Add to a balance without reading it when it has not been read (a lazy update)."""
        if amount == 0:
            return
        if account.balance_known:
            if self.keeping:
                self.entries.append(BalanceSet(account, account.balance))
            account.balance += amount
        else:
            if self.keeping:
                self.entries.append(BalanceCredited(account, amount))
            account.delta += amount

    def nonce(self, account: TxAccount) -> int:
        if account.nonce == UNKNOWN:
            loc = account.base | NONCE
            value = self.view.nonce_at(account.address, loc)
            self.reads[loc] = value
            account.nonce = value
            account.nonce_original = value
        return account.nonce

    def set_nonce(self, account: TxAccount, value: int) -> None:
        if self.keeping:
            self.entries.append(NonceSet(account, account.nonce))
        account.nonce = value

    def code(self, account: TxAccount) -> CodeAnalysis:
        code = account.code
        if code is None:
            loc = account.base | CODE
            code = self.view.code_at(account.address, loc)
            self.reads[loc] = code
            account.code = code
            account.code_original = code
        return code

    def set_code(self, account: TxAccount, code: CodeAnalysis) -> None:
        self.code(account)
        if self.keeping:
            self.entries.append(CodeSet(account, account.code))
        account.code = code

    def exists(self, account: TxAccount) -> bool:
        if account.exists == UNKNOWN:
            value = self.view.exists(account.address)
            self.reads[account.base | EXISTS] = value
            account.exists = 1 if value else 0
            account.exists_original = account.exists
        return account.exists == 1

    def mark_exists(self, account: TxAccount) -> None:
        if not self.exists(account):
            if self.keeping:
                self.entries.append(ExistsSet(account, account.exists))
            account.exists = 1

    def is_empty(self, account: TxAccount) -> bool:
        """EIP-161 empty; reads the balance last, and only when it must."""
        if account.delta > 0:
            return False
        if self.code(account).size != 0 or self.nonce(account) != 0:
            return False
        return self.balance(account) == 0

    def is_dead(self, account: TxAccount) -> bool:
        """EIP-161 'dead': does not exist or is empty."""
        if account.delta > 0:
            return False
        if self.code(account).size != 0 or self.nonce(account) != 0:
            return False
        if self.balance(account) != 0:
            return False
        return True

    def has_storage(self, account: TxAccount) -> bool:
        """Any non-zero slot, at transaction start or written since (EIP-7610 collisions)."""
        for value in account.storage.values():
            if value != 0:
                return True
        found = self.view.has_storage(account.address)
        self.reads[account.base | STORAGE_GEN] = found
        return found

    # --- storage ----------------------------------------------------------------------------
    def sload(self, account: TxAccount, slot: int) -> int:
        storage = account.storage
        if slot in storage:
            return storage[slot]
        loc = slot_loc(account.base, slot)
        value = self.view.storage_at(account.address, slot, loc)
        self.reads[loc] = value
        storage[slot] = value
        account.original[slot] = value
        return value

    def original_storage(self, account: TxAccount, slot: int) -> int:
        """Value at transaction start (EIP-2200 gas); the slot must have been loaded."""
        return account.original[slot]

    def sstore(self, account: TxAccount, slot: int, value: int) -> None:
        """Store into a slot the caller has loaded with `sload` (for its gas cost)."""
        if self.keeping:
            self.entries.append(StorageSet(account, slot, account.storage[slot]))
        account.storage[slot] = value

    def tload(self, account: TxAccount, slot: int) -> int:
        return account.transient.get(slot, 0)

    def tstore(self, account: TxAccount, slot: int, value: int) -> None:
        if self.keeping:
            self.entries.append(TransientSet(account, slot, account.transient.get(slot, 0)))
        account.transient[slot] = value

    # --- access lists, touches, lifecycle -------------------------------------------------------
    def warm_account(self, account: TxAccount) -> bool:
        """Mark warm; True when it was cold (EIP-2929)."""
        if account.warm:
            return False
        account.warm = True
        if self.keeping:
            self.entries.append(AccountWarmed(account))
        return True

    def warm_slot(self, account: TxAccount, slot: int) -> bool:
        """Mark a slot warm; True when it was cold (EIP-2929)."""
        if slot in account.warm_slots:
            return False
        account.warm_slots.add(slot)
        if self.keeping:
            self.entries.append(SlotWarmed(account, slot))
        return True

    def touch(self, account: TxAccount) -> None:
        if not account.touched:
            account.touched = True
            if self.keeping:
                self.entries.append(Touched(account))

    def mark_created(self, account: TxAccount) -> None:
        account.created = True
        if self.keeping:
            self.entries.append(Created(account))

    def mark_destroyed(self, account: TxAccount) -> None:
        if not account.destroyed:
            account.destroyed = True
            if self.keeping:
                self.entries.append(Destroyed(account))

    def add_log(self, log: Log) -> None:
        self.logs.append(log)

    # --- end of transaction -----------------------------------------------------------------
    def delete_account(self, account: TxAccount) -> None:
        """Remove an account at the end of the transaction (SELFDESTRUCT, EIP-161)."""
        self.balance(account)
        self.nonce(account)
        self.code(account)
        self.exists(account)
        account.balance = 0
        account.nonce = 0
        account.code = EMPTY_CODE
        account.exists = 0
        account.storage = {}
        account.original = {}
        account.destroyed = True

    def write_set(self) -> dict[int, object]:
        """The transaction's writes: changed locations, in a deterministic order."""
        writes: dict[int, object] = {}
        for account in self.accounts.values():
            base = account.base
            if account.destroyed:
                if account.exists_original != 1:
                    continue
                writes[base | STORAGE_GEN] = True
            for slot, value in account.storage.items():
                if value != account.original[slot]:
                    writes[slot_loc(base, slot)] = value
            if account.balance_known:
                if account.balance != account.balance_original:
                    writes[base | BALANCE] = account.balance
            elif account.delta != 0:
                writes[base | BALANCE] = BalanceDelta(account.delta)
            if account.nonce != account.nonce_original:
                writes[base | NONCE] = account.nonce
            if account.code is not account.code_original and account.code is not None:
                writes[base | CODE] = account.code
            if account.exists != account.exists_original:
                writes[base | EXISTS] = account.exists == 1
        return writes
