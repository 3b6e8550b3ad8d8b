"""Shared test setup: where the read-only shared data lives."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent


def shared_path() -> Path:
    return Path(os.environ.get("PEVM_SHARED", REPO_ROOT.parent / "shared")).resolve()


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """`$PEVM_SHARED` (default ../shared): skipped when absent, a failure under CI=true."""
    path = shared_path()
    if not path.is_dir():
        if os.environ.get("CI") == "true":
            pytest.fail(f"shared data not found at {path} (set PEVM_SHARED)")
        pytest.skip(f"shared data not found at {path} (set PEVM_SHARED)")
    return path
