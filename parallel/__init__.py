"""Parallel block execution; `parallel.execute_block` (from `parallel.block`) is the entry."""

from parallel.block import execute_block

__all__ = ["execute_block"]
