"""Shared test setup: where the read-only shared data lives."""

from __future__ import annotations

import os
import sysconfig
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent

# ckzg has no free-threading support: loading it (the point-evaluation precompile) turns the GIL
# on for the rest of the process unless PYTHON_GIL=0, which the pevm entry points set. The xdist
# workers, started after this file is read, and every subprocess a test starts inherit it, so the
# threaded tests run without the GIL whatever ran before them in the same worker.
if sysconfig.get_config_var("Py_GIL_DISABLED") == 1:
    os.environ.setdefault("PYTHON_GIL", "0")


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
