"""Gas: the one charging helper, the dynamic-cost calculators and the constants they use.

Handlers call `charge` next to the rule they price; calculators here are pure (memory
expansion, copy cost, the 63/64 call-gas rule).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from mypy_extensions import i64

from interp.errors import OutOfGas

if TYPE_CHECKING:
    from interp.frame import Frame

# Memory and copies
MEMORY_WORD: Final[i64] = 3
COPY_WORD: Final[i64] = 3
KECCAK_WORD: Final[i64] = 6
LOG_DATA_BYTE: Final[i64] = 8
# A memory size nobody can pay for: larger operands are out of gas before any arithmetic.
MEMORY_LIMIT: Final = 1 << 32

# EIP-2929
COLD_ACCOUNT_ACCESS: Final[i64] = 2600
COLD_SLOAD: Final[i64] = 2100
WARM_ACCESS: Final[i64] = 100
COLD_ACCOUNT_SURCHARGE: Final[i64] = COLD_ACCOUNT_ACCESS - WARM_ACCESS
COLD_SLOAD_SURCHARGE: Final[i64] = COLD_SLOAD - WARM_ACCESS
ACCESS_LIST_ADDRESS: Final[i64] = 2400
ACCESS_LIST_SLOT: Final[i64] = 1900

# Calls and creates
CALL_VALUE: Final[i64] = 9000
CALL_STIPEND: Final[i64] = 2300
NEW_ACCOUNT: Final[i64] = 25000
CREATE_DATA_BYTE: Final[i64] = 200  # code deposit, per byte
INITCODE_WORD: Final[i64] = 2  # EIP-3860
KECCAK_INITCODE_WORD: Final[i64] = 6  # CREATE2 hashing
SELFDESTRUCT_REFUND: Final[i64] = 24000  # removed by EIP-3529
MAX_CALL_DEPTH: Final[i64] = 1024

# Transactions
TX_BASE: Final[i64] = 21000
TX_DATA_ZERO: Final[i64] = 4
TX_CREATE_EXTRA: Final[i64] = 32000

# Blobs (EIP-4844)
MIN_BLOB_BASE_FEE: Final = 1


def charge(frame: Frame, amount: i64) -> None:
    gas = frame.gas - amount
    if gas < 0:
        raise OutOfGas(amount)  # the failed charge, for traces
    frame.gas = gas


def memory_cost(size_words: i64) -> i64:
    return MEMORY_WORD * size_words + size_words * size_words // 512


def words(size: i64) -> i64:
    return (size + 31) >> 5


def expand_memory(frame: Frame, offset: int, size: int) -> None:
    """Charge for and grow memory so that [offset, offset + size) is addressable."""
    if size == 0:
        return
    if offset >= MEMORY_LIMIT or size >= MEMORY_LIMIT:
        raise OutOfGas
    end: i64 = offset + size
    current: i64 = len(frame.memory)
    if end <= current:
        return
    new_words = words(end)
    charge(frame, memory_cost(new_words) - memory_cost(current >> 5))
    memory = frame.memory
    memory += b"\x00" * (new_words * 32 - current)  # in place; bytes(n) is a type call, 3x slower


def all_but_one_64th(gas: i64) -> i64:
    """EIP-150: a call or create may forward at most this much of the remaining gas."""
    return gas - gas // 64


def fake_exponential(factor: int, numerator: int, denominator: int) -> int:
    """EIP-4844 approximation of factor * e ** (numerator / denominator)."""
    i = 1
    output = 0
    numerator_accum = factor * denominator
    while numerator_accum > 0:
        output += numerator_accum
        numerator_accum = (numerator_accum * numerator) // (denominator * i)
        i += 1
    return output // denominator


def warm(frame: Frame, address: int) -> bool:
    """EIP-2929: mark the account accessed; True when it was cold. Precompiles are always warm."""
    ctx = frame.ctx
    account = ctx.journal.account(address)
    if account.warm or address in ctx.precompiles:
        return False
    ctx.journal.warm_account(account)
    return True


def charge_account_access(frame: Frame, address: int) -> None:
    """EIP-2929: the cold surcharge on an account's first access (the static cost covers the
    warm part). Before Berlin the static cost covers everything."""
    if frame.ctx.rules.eip2929_access_lists and warm(frame, address):
        charge(frame, COLD_ACCOUNT_SURCHARGE)
