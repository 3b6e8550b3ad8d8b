"""Precompiled contracts, one module each, and the per-fork address table (`registry`)."""
