"""Fixtures for the ethtests tests: a tiny real state test (ethereum/tests stExample/add11: 1 + 1
stored at slot 0) to build fixture files from, so the runner's tests need no shared data."""

from __future__ import annotations

import copy
import gzip
import json
from pathlib import Path
from typing import Any, Callable

import pytest

CONTRACT = "0x095e7baea6a6c7c4c2dfeb977efac326af552d87"
ADD11: dict[str, Any] = {
    "env": {
        "currentBaseFee": "0x0a",
        "currentCoinbase": "0x2adc25665018aa1fe0e6bc666dac8fc2697ff9ba",
        "currentDifficulty": "0x020000",
        "currentExcessBlobGas": "0x00",
        "currentGasLimit": "0xff112233445566",
        "currentNumber": "0x01",
        "currentRandom": "0x0000000000000000000000000000000000000000000000000000000000020000",
        "currentTimestamp": "0x03e8",
    },
    "post": {
        "Cancun": [
            {
                "hash": "0xe8010ce590f401c9d61fef8ab05bea9bcec24281b795e5868809bc4e515aa530",
                "indexes": {"data": 0, "gas": 0, "value": 0},
                "logs": "0x1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347",
            }
        ]
    },
    "pre": {
        CONTRACT: {"balance": "0x0de0b6b3a7640000", "code": "0x600160010160005500", "nonce": "0x00", "storage": {}},
        "0x2adc25665018aa1fe0e6bc666dac8fc2697ff9ba": {"balance": "0x00", "code": "0x", "nonce": "0x01", "storage": {}},
        "0xa94f5374fce5edbc8e2a8697c15331677e6ebf0b": {
            "balance": "0x0de0b6b3a7640000", "code": "0x", "nonce": "0x00", "storage": {},
        },
    },
    "transaction": {
        "data": ["0x"],
        "gasLimit": ["0x061a80"],
        "gasPrice": "0x0a",
        "nonce": "0x00",
        "secretKey": "0x45a915e4d060149eb4365960e6a7a45f334393093061116b197e3240065ff2d8",
        "sender": "0xa94f5374fce5edbc8e2a8697c15331677e6ebf0b",
        "to": CONTRACT,
        "value": ["0x0186a0"],
    },
}


@pytest.fixture
def add11() -> dict[str, Any]:
    """A fresh copy of the add11 test, to modify."""
    return copy.deepcopy(ADD11)


@pytest.fixture
def write_fixture() -> Callable[[Path, dict[str, Any]], Path]:
    return write


def write(path: Path, tests: dict[str, Any]) -> Path:
    """Write `tests` as a fixture file, gzipped when `path` ends in .gz."""
    text = json.dumps(tests)
    if path.name.endswith(".gz"):
        path.write_bytes(gzip.compress(text.encode()))
    else:
        path.write_text(text)
    return path
