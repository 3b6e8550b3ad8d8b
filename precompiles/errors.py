"""How a precompile fails."""

from __future__ import annotations


class PrecompileFailure(Exception):
    """Invalid input or not enough gas: the call fails and consumes all the gas it was given."""
