"""The Merkle-Patricia state root of a `PlainState` (accounts under keccak(address), each with
its storage root)."""

from __future__ import annotations

from interp.plain_state import Account, PlainState
from primitives import rlp
from primitives.trie import secure_trie_root


def storage_root(storage: dict[int, int]) -> bytes:
    return secure_trie_root(
        {slot.to_bytes(32, "big"): rlp.encode(value) for slot, value in storage.items() if value != 0}
    )


def account_leaf(account: Account) -> bytes:
    return rlp.encode([account.nonce, account.balance, storage_root(account.storage), account.code.hash])


def state_root(state: PlainState) -> bytes:
    return secure_trie_root(
        {address.to_bytes(20, "big"): account_leaf(account) for address, account in state.accounts.items()}
    )
