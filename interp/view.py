"""The one narrow interface through which execution reads state.

Sequential execution reads a `PlainState`; the parallel executor backs the same interface with
multi-version memory. The journal calls these methods the first time a transaction touches a
location and records the value seen in the transaction's read set; nothing else reads state.
"""

from __future__ import annotations

from interp.analysis import CodeAnalysis


class StateView:
    """Read-only state as one transaction sees it before it starts."""

    def balance(self, address: int) -> int:
        raise NotImplementedError

    def nonce(self, address: int) -> int:
        raise NotImplementedError

    def code(self, address: int) -> CodeAnalysis:
        raise NotImplementedError

    def storage(self, address: int, slot: int) -> int:
        raise NotImplementedError

    # The `*_at` reads are the plain ones given the read's location (`interp.locations`), which
    # the journal builds for the read set anyway: multi-version memory is keyed by it.
    def balance_at(self, address: int, loc: int) -> int:
        return self.balance(address)

    def nonce_at(self, address: int, loc: int) -> int:
        return self.nonce(address)

    def code_at(self, address: int, loc: int) -> CodeAnalysis:
        return self.code(address)

    def storage_at(self, address: int, slot: int, loc: int) -> int:
        return self.storage(address, slot)

    def exists(self, address: int) -> bool:
        """The account is in the state (it may still be empty in the EIP-161 sense)."""
        raise NotImplementedError

    def has_storage(self, address: int) -> bool:
        """Any non-zero slot: EIP-7610 treats such an address as taken."""
        raise NotImplementedError

    def block_hash(self, number: int) -> bytes | None:
        """Hash of an ancestor block, or None when the state does not know it."""
        raise NotImplementedError
