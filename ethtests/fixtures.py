"""Loading fixture files (`.json` or `.json.gz`) and the value formats they use.

A malformed fixture raises `FixtureError` naming the file and the field, never a traceback.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any


class FixtureError(Exception):
    """The fixture is malformed: bad JSON, a missing field or a bad value."""


def load_json(path: Path) -> dict[str, Any]:
    try:
        if path.name.endswith(".gz"):
            with gzip.open(path, "rt", encoding="utf-8") as handle:
                data = json.load(handle)
        else:
            with path.open(encoding="utf-8") as handle:
                data = json.load(handle)
    except FileNotFoundError:
        raise FixtureError(f"{path}: no such file") from None
    except (OSError, EOFError, json.JSONDecodeError, UnicodeDecodeError) as error:
        raise FixtureError(f"{path}: not a JSON fixture ({error})") from None
    if not isinstance(data, dict):
        raise FixtureError(f"{path}: expected a JSON object of tests")
    return data


def fixture_files(paths: list[Path]) -> list[Path]:
    """Fixture files named by `paths` (files, or folders searched recursively), sorted."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = [p for p in path.rglob("*") if p.name.endswith((".json", ".json.gz")) and p.is_file()]
            files.extend(sorted(found))
        elif path.is_file():
            files.append(path)
        else:
            raise FixtureError(f"{path}: no such file or directory")
    return files


def parse_int(value: Any, field: str) -> int:
    """A quantity: 0x-hex, decimal, or retesteth's ':bigint 0x...' for values past 2**256."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if not isinstance(value, str):
        raise FixtureError(f"{field}: expected a number, got {value!r}")
    text = value.strip()
    if text.startswith(":bigint "):
        text = text[len(":bigint ") :].strip()
    try:
        if text.startswith(("0x", "0X")):
            return int(text, 16) if len(text) > 2 else 0
        return int(text, 10)
    except ValueError:
        raise FixtureError(f"{field}: not a number: {value!r}") from None


def parse_bytes(value: Any, field: str) -> bytes:
    if not isinstance(value, str):
        raise FixtureError(f"{field}: expected hex data, got {value!r}")
    text = value[2:] if value.startswith(("0x", "0X")) else value
    try:
        return bytes.fromhex(text)
    except ValueError:
        raise FixtureError(f"{field}: not hex data: {value[:40]!r}") from None


def require(mapping: Any, key: str, where: str) -> Any:
    if not isinstance(mapping, dict):
        raise FixtureError(f"{where}: expected an object")
    if key not in mapping:
        raise FixtureError(f"{where}: missing field '{key}'")
    return mapping[key]
