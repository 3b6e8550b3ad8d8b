"""Block information: BLOCKHASH, COINBASE, TIMESTAMP, NUMBER, PREVRANDAO, GASLIMIT, CHAINID,
BASEFEE, BLOBBASEFEE."""

from __future__ import annotations

from interp.frame import Frame
from interp.words import bytes_to_word


def blockhash(f: Frame) -> None:
    """BLOCKHASH (0x40): number -> hash of one of the 256 most recent complete blocks, else 0."""
    stack = f.stack
    number = stack[-1]
    current = f.ctx.block.number
    if number >= current or number + 256 < current:
        stack[-1] = 0
        return
    known = f.ctx.journal.view.block_hash(number)
    stack[-1] = 0 if known is None else bytes_to_word(known)


def coinbase(f: Frame) -> None:
    """COINBASE (0x41): -> the block's beneficiary."""
    f.stack.append(f.ctx.block.coinbase)


def timestamp(f: Frame) -> None:
    """TIMESTAMP (0x42): -> block timestamp."""
    f.stack.append(f.ctx.block.timestamp)


def number(f: Frame) -> None:
    """NUMBER (0x43): -> block number."""
    f.stack.append(f.ctx.block.number)


def prevrandao(f: Frame) -> None:
    """PREVRANDAO (0x44): -> prevrandao after the Merge (EIP-4399), DIFFICULTY before."""
    block = f.ctx.block
    f.stack.append(block.prev_randao if f.ctx.rules.proof_of_stake else block.difficulty)


def gaslimit(f: Frame) -> None:
    """GASLIMIT (0x45): -> block gas limit."""
    f.stack.append(f.ctx.block.gas_limit)


def chainid(f: Frame) -> None:
    """CHAINID (0x46): -> chain id. EIP-1344."""
    f.stack.append(f.ctx.block.chain_id)


def basefee(f: Frame) -> None:
    """BASEFEE (0x48): -> block base fee. EIP-3198."""
    f.stack.append(f.ctx.block.base_fee)


def blobbasefee(f: Frame) -> None:
    """BLOBBASEFEE (0x4a): -> blob base fee. EIP-7516."""
    f.stack.append(f.ctx.block.blob_base_fee)
