"""Where the peer virtualenvs live: `.venv-peers/<name>`, made by `make peers` and friends, each
a CPython with a GIL for tools that do not run on free-threaded 3.13 (EELS, matplotlib, ...)."""

from __future__ import annotations

from pathlib import Path


def peer_pythons(name: str) -> list[Path]:
    """The interpreters of peer `name` that exist: under the working directory, then under the
    source tree (so an installed `pevm` run from elsewhere still finds them)."""
    roots = dict.fromkeys((Path.cwd(), Path(__file__).resolve().parents[1]))
    return [python for root in roots if (python := root / ".venv-peers" / name / "bin" / "python").is_file()]
