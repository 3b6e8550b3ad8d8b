"""Environment opcodes (0x30-0x3f, SELFBALANCE, BLOBHASH): the message, the transaction and
other accounts."""

from __future__ import annotations

from interp.errors import ReturnDataOutOfBounds
from interp.frame import Frame
from interp.gas import COPY_WORD, charge, charge_account_access, expand_memory, words
from interp.words import ADDRESS_MASK, bytes_to_word


def padded_slice(source: bytes, offset: int, size: int) -> bytes:
    """source[offset:offset+size], zero-filled past the end (copies and loads read zeros)."""
    if offset >= len(source):
        return bytes(size)
    chunk = source[offset : offset + size]
    if len(chunk) < size:
        return chunk + bytes(size - len(chunk))
    return chunk


def address(f: Frame) -> None:
    """ADDRESS (0x30): -> the executing account."""
    f.stack.append(f.msg.target)


def balance(f: Frame) -> None:
    """BALANCE (0x31): address -> its balance. EIP-2929 cold surcharge."""
    # STACK
    stack = f.stack
    target = stack[-1] & ADDRESS_MASK
    # GAS
    charge_account_access(f, target)
    # OPERATION
    journal = f.ctx.journal
    stack[-1] = journal.balance(journal.account(target))


def origin(f: Frame) -> None:
    """ORIGIN (0x32): -> the transaction's sender."""
    f.stack.append(f.ctx.tx.origin)


def caller(f: Frame) -> None:
    """CALLER (0x33): -> the message's caller."""
    f.stack.append(f.msg.caller)


def callvalue(f: Frame) -> None:
    """CALLVALUE (0x34): -> the message's value."""
    f.stack.append(f.msg.value)


def calldataload(f: Frame) -> None:
    """CALLDATALOAD (0x35): offset -> 32 bytes of call data (zero-padded)."""
    stack = f.stack
    stack[-1] = bytes_to_word(padded_slice(f.msg.data, stack[-1], 32))


def calldatasize(f: Frame) -> None:
    """CALLDATASIZE (0x36): -> call data size."""
    f.stack.append(len(f.msg.data))


def _copy_to_memory(f: Frame, source: bytes) -> None:
    """The shared body of CALLDATACOPY, CODECOPY: dest, offset, size ->."""
    # STACK
    stack = f.stack
    dest = stack.pop()
    offset = stack.pop()
    size = stack.pop()
    # GAS
    expand_memory(f, dest, size)
    charge(f, COPY_WORD * words(size))
    # OPERATION
    if size:
        f.memory[dest : dest + size] = padded_slice(source, offset, size)


def calldatacopy(f: Frame) -> None:
    """CALLDATACOPY (0x37): dest, offset, size ->."""
    _copy_to_memory(f, f.msg.data)


def codesize(f: Frame) -> None:
    """CODESIZE (0x38): -> size of the executing code."""
    f.stack.append(f.code.size)


def codecopy(f: Frame) -> None:
    """CODECOPY (0x39): dest, offset, size ->."""
    _copy_to_memory(f, f.code.code)


def gasprice(f: Frame) -> None:
    """GASPRICE (0x3a): -> the effective gas price of the transaction."""
    f.stack.append(f.ctx.tx.gas_price)


def extcodesize(f: Frame) -> None:
    """EXTCODESIZE (0x3b): address -> code size. EIP-2929 cold surcharge."""
    stack = f.stack
    target = stack[-1] & ADDRESS_MASK
    charge_account_access(f, target)
    journal = f.ctx.journal
    stack[-1] = journal.code(journal.account(target)).size


def extcodecopy(f: Frame) -> None:
    """EXTCODECOPY (0x3c): address, dest, offset, size ->. EIP-2929 cold surcharge."""
    # STACK
    stack = f.stack
    target = stack.pop() & ADDRESS_MASK
    dest = stack.pop()
    offset = stack.pop()
    size = stack.pop()
    # GAS
    expand_memory(f, dest, size)
    charge(f, COPY_WORD * words(size))
    charge_account_access(f, target)
    # OPERATION
    if size:
        journal = f.ctx.journal
        code = journal.code(journal.account(target)).code
        f.memory[dest : dest + size] = padded_slice(code, offset, size)


def returndatasize(f: Frame) -> None:
    """RETURNDATASIZE (0x3d): -> size of the last call's output. EIP-211."""
    f.stack.append(len(f.return_data))


def returndatacopy(f: Frame) -> None:
    """RETURNDATACOPY (0x3e): dest, offset, size ->; reading past the end halts. EIP-211."""
    # STACK
    stack = f.stack
    dest = stack.pop()
    offset = stack.pop()
    size = stack.pop()
    # GAS
    expand_memory(f, dest, size)
    charge(f, COPY_WORD * words(size))
    # OPERATION
    if offset + size > len(f.return_data):
        raise ReturnDataOutOfBounds
    if size:
        f.memory[dest : dest + size] = f.return_data[offset : offset + size]


def extcodehash(f: Frame) -> None:
    """EXTCODEHASH (0x3f): address -> code hash, 0 for a dead account. EIP-1052, EIP-2929."""
    stack = f.stack
    target = stack[-1] & ADDRESS_MASK
    charge_account_access(f, target)
    journal = f.ctx.journal
    account = journal.account(target)
    if journal.is_dead(account):
        stack[-1] = 0
    else:
        stack[-1] = bytes_to_word(journal.code(account).hash)


def selfbalance(f: Frame) -> None:
    """SELFBALANCE (0x47): -> balance of the executing account. EIP-1884."""
    f.stack.append(f.ctx.journal.balance(f.account))


def blobhash(f: Frame) -> None:
    """BLOBHASH (0x49): index -> the transaction's versioned blob hash, or 0. EIP-4844."""
    stack = f.stack
    index = stack[-1]
    hashes = f.ctx.tx.blob_hashes
    stack[-1] = bytes_to_word(hashes[index]) if index < len(hashes) else 0
