"""Errors the user caused (bad paths, malformed files, unknown forks): one line, no traceback."""

from __future__ import annotations

from pathlib import Path


class UserError(Exception):
    """Printed by the CLI as `pevm: error: <message>` with exit code 2."""


def check_output(path: Path | None, flag: str) -> None:
    """Refuse an output file that cannot be written before the work, not after it (a
    conformance run or a benchmark takes minutes)."""
    if path is None:
        return
    if path.is_dir():
        raise UserError(f"{flag} {path}: is a directory")
    if not path.parent.is_dir():
        raise UserError(f"{flag} {path}: directory {path.parent} does not exist")
