"""Block files (`pevm.blockfile`): every malformed shape is a BlockFileError naming the file."""

from __future__ import annotations

import copy
import gzip
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from pevm.blockfile import BlockFileError, load_block_file

BUNDLED = Path(__file__).resolve().parent.parent / "pevm" / "data" / "4864590.json.gz"


def _set(path: tuple[Any, ...], value: Any) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        target = data
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return change


@pytest.fixture(scope="module")
def bundled() -> dict[str, Any]:
    with gzip.open(BUNDLED, "rt") as handle:
        data: dict[str, Any] = json.load(handle)
    return data


@pytest.mark.pure
@pytest.mark.parametrize(
    ("change", "message"),
    [
        (_set(("pre_state",), []), "malformed block file (AttributeError"),
        (_set(("block",), None), "malformed block file (TypeError"),
        (_set(("block", "transactions", 0), None), "malformed block file (AttributeError"),
        (_set(("block", "transactions", 0, "value"), "0xzz"), "transaction 0.value: bad hex '0xzz'"),
        (_set(("block", "transactions", 0, "nonce"), "0x99999"), "transaction 0: recovered sender"),
        (_set(("block", "withdrawals"), [{}]), "missing field 'index'"),
        (_set(("block_hashes",), {"abc": "0x00"}), "malformed block file (ValueError"),
    ],
)
def test_malformed_block_files_name_the_file(tmp_path: Path, bundled: dict[str, Any],
                                             change: Callable[[dict[str, Any]], None], message: str) -> None:  # fmt: skip
    data = copy.deepcopy(bundled)
    change(data)
    path = tmp_path / "block.json"
    path.write_text(json.dumps(data))
    with pytest.raises(BlockFileError) as raised:
        load_block_file(path)
    assert str(raised.value).startswith(f"{path}: ") and message in str(raised.value)


@pytest.mark.pure
def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(BlockFileError, match="absent.json.gz: no such file"):
        load_block_file(tmp_path / "absent.json.gz")
    with pytest.raises(BlockFileError, match="a directory; expected one block file"):
        load_block_file(tmp_path)
