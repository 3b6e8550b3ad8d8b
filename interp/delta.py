"""A lazy balance update: a credit recorded without reading the balance it adds to.

Fee payments to the beneficiary and value received by an account whose balance the
transaction never read are written as deltas. Deltas to one location commute, so transactions
that only credit an account never conflict on it (the parallel executor folds them in order
when someone finally reads the balance).
"""

from __future__ import annotations

from typing import Final, final


@final
class BalanceDelta:
    __slots__ = ("amount",)

    def __init__(self, amount: int) -> None:
        self.amount: Final = amount

    def __eq__(self, other: object) -> bool:
        return isinstance(other, BalanceDelta) and other.amount == self.amount

    def __hash__(self) -> int:
        return hash(("BalanceDelta", self.amount))

    def __repr__(self) -> str:
        return f"BalanceDelta({self.amount})"
