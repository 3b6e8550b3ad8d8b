"""The plain in-memory world state behind sequential execution.

An absent account does not exist; an absent slot is zero. Code is analysed once per code hash
when it enters the state. After each transaction the sequential executor applies the
transaction's write set here. As the base state of a parallel block it is only read.
"""

from __future__ import annotations

from typing import final

from interp.analysis import EMPTY_CODE, CodeAnalysis, analyse
from interp.delta import BalanceDelta
from interp.locations import (
    BALANCE,
    CODE,
    EXISTS,
    NONCE,
    STORAGE,
    STORAGE_GEN,
    loc_address,
    loc_kind,
    loc_slot,
)
from interp.view import StateView


@final
class Account:
    balance: int
    nonce: int
    code: CodeAnalysis
    storage: dict[int, int]

    def __init__(self, balance: int, nonce: int, code: CodeAnalysis, storage: dict[int, int]) -> None:
        self.balance = balance
        self.nonce = nonce
        self.code = code
        self.storage = storage

    def is_empty(self) -> bool:
        """EIP-161: no code, zero nonce, zero balance."""
        return self.nonce == 0 and self.balance == 0 and self.code.size == 0

    def copy(self) -> Account:
        return Account(self.balance, self.nonce, self.code, dict(self.storage))


@final
class PlainState(StateView):
    accounts: dict[int, Account]
    block_hashes: dict[int, bytes]
    codes: dict[bytes, CodeAnalysis]  # code hash -> analysis, so equal code is analysed once

    def __init__(self) -> None:
        self.accounts = {}
        self.block_hashes = {}
        self.codes = {EMPTY_CODE.hash: EMPTY_CODE}

    # --- building -------------------------------------------------------------------------
    def analysed(self, code: bytes) -> CodeAnalysis:
        """The shared analysis of `code`, analysing it only the first time it is seen."""
        analysis = analyse(code)
        known = self.codes.get(analysis.hash)
        if known is not None:
            return known
        self.codes[analysis.hash] = analysis
        return analysis

    def set_account(
        self, address: int, balance: int, nonce: int, code: bytes, storage: dict[int, int]
    ) -> None:
        cleaned = {slot: value for slot, value in storage.items() if value != 0}
        self.accounts[address] = Account(balance, nonce, self.analysed(code), cleaned)

    def copy(self) -> PlainState:
        other = PlainState()
        other.accounts = {address: account.copy() for address, account in self.accounts.items()}
        other.block_hashes = dict(self.block_hashes)
        other.codes = dict(self.codes)
        return other

    # --- StateView ------------------------------------------------------------------------
    def balance(self, address: int) -> int:
        account = self.accounts.get(address)
        return 0 if account is None else account.balance

    def nonce(self, address: int) -> int:
        account = self.accounts.get(address)
        return 0 if account is None else account.nonce

    def code(self, address: int) -> CodeAnalysis:
        account = self.accounts.get(address)
        return EMPTY_CODE if account is None else account.code

    def storage(self, address: int, slot: int) -> int:
        account = self.accounts.get(address)
        if account is None:
            return 0
        return account.storage.get(slot, 0)

    def exists(self, address: int) -> bool:
        return address in self.accounts

    def has_storage(self, address: int) -> bool:
        account = self.accounts.get(address)
        return account is not None and len(account.storage) > 0

    def block_hash(self, number: int) -> bytes | None:
        return self.block_hashes.get(number)

    # --- applying a transaction's writes ----------------------------------------------------
    def account_for_write(self, address: int) -> Account:
        account = self.accounts.get(address)
        if account is None:
            account = Account(0, 0, EMPTY_CODE, {})
            self.accounts[address] = account
        return account

    def apply(self, writes: dict[int, object], held: dict[int, object] | None = None, held_address: int = -1) -> None:
        """Apply a write set in its order (a wipe precedes the slots written after it). Given
        `held`, the writes to `held_address` go there instead (transfer groups hold back the
        beneficiary's: one pass, where filtering the set first cost W5 ~1 us a transfer)."""
        deleted: list[int] = []
        for loc, value in writes.items():
            kind = loc_kind(loc)
            address = loc_address(loc)
            if held is not None and address == held_address:
                held[loc] = value
                continue
            if kind == STORAGE:
                assert isinstance(value, int)
                storage = self.account_for_write(address).storage
                if value == 0:
                    storage.pop(loc_slot(loc), None)
                else:
                    storage[loc_slot(loc)] = value
            elif kind == BALANCE:
                account = self.account_for_write(address)
                if isinstance(value, BalanceDelta):
                    account.balance += value.amount
                else:
                    assert isinstance(value, int)
                    account.balance = value
            elif kind == NONCE:
                assert isinstance(value, int)
                self.account_for_write(address).nonce = value
            elif kind == CODE:
                assert isinstance(value, CodeAnalysis)
                self.codes.setdefault(value.hash, value)
                self.account_for_write(address).code = value
            elif kind == STORAGE_GEN:
                wiped = self.accounts.get(address)
                if wiped is not None:
                    wiped.storage = {}
            elif kind == EXISTS:
                if value:
                    self.account_for_write(address)
                else:
                    deleted.append(address)
        for address in deleted:
            self.accounts.pop(address, None)
