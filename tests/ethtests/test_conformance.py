"""ethereum/tests GeneralStateTests through `pevm statetest`'s runner, one test per fixture file.

The default run takes a representative fast slice (`slice_files`): every file of Cancun and
Pyspecs/cancun, and the smallest file of every other GeneralStateTests folder; and the smallest
file of every EIP folder of the EEST Prague/Osaka state tests, sequentially and through Block-STM. The `slow` tests
run every file (`make conformance` runs the same through the CLI). Shared data lives at
`$PEVM_SHARED` (default ../shared): absent, the tests skip, unless CI=true where that fails.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ethtests.report import PASSED
from ethtests.statetest import THREAD_STACK_BYTES, in_deep_thread, run_file

REPO_ROOT = Path(__file__).resolve().parents[2]
SHARED = Path(os.environ.get("PEVM_SHARED", REPO_ROOT.parent / "shared")).resolve()
STATE_TESTS = SHARED / "ethereum-tests" / "GeneralStateTests"
EEST_STATE_TESTS = SHARED / "eest-state-tests"
ALL_FILES = ("Cancun", "Pyspecs/cancun")  # folders the slice takes whole
# Not in the fast slice (the slow tests run them): 2**32-1 BLAKE2 rounds (EIP-152, ~9 min
# compiled), and performance loops of about a minute each.
SLICE_EXCLUDES = (
    "stTimeConsuming/CALLBlake2f_MaxRounds.json",
    "VMTests/vmPerformance/loopExp.json",
    "VMTests/vmPerformance/loopMul.json",
)


def slice_files(root: Path) -> list[Path]:
    """All files of the ALL_FILES folders, the smallest file of every other folder."""
    files: list[Path] = []
    for folder in sorted({path.parent for path in root.rglob("*.json")}):
        own = [path for path in sorted(folder.glob("*.json")) if path.relative_to(root).as_posix() not in SLICE_EXCLUDES]
        relative = folder.relative_to(root).as_posix()
        if any(relative == whole or relative.startswith(whole + "/") for whole in ALL_FILES):
            files.extend(own)
        else:
            files.append(min(own, key=lambda path: (path.stat().st_size, path.name)))
    return files


def eest_slice(root: Path) -> list[Path]:
    """The smallest file of every EIP folder (`<fork>/<eip>/...`) of the EEST state tests."""
    by_eip: dict[tuple[str, ...], list[Path]] = {}
    for path in every_file(root):
        by_eip.setdefault(path.relative_to(root).parts[:2], []).append(path)
    return [min(files, key=lambda path: (path.stat().st_size, path.name)) for _, files in sorted(by_eip.items())]


def every_file(root: Path) -> list[Path]:
    return sorted(path for path in root.rglob("*") if path.name.endswith((".json", ".json.gz")))


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Parametrize `state_file` by test name: the slice, or everything for the slow tests."""
    if "state_file" not in metafunc.fixturenames:
        return
    name = metafunc.function.__name__
    if name == "test_every_execution_spec_tests_file":
        root, files = EEST_STATE_TESTS, every_file(EEST_STATE_TESTS) if EEST_STATE_TESTS.is_dir() else []
    elif name.startswith("test_execution_spec_tests_slice"):
        root, files = EEST_STATE_TESTS, eest_slice(EEST_STATE_TESTS) if EEST_STATE_TESTS.is_dir() else []
    else:
        slow = metafunc.function.__name__ == "test_every_state_test_file"
        root = STATE_TESTS
        files = [] if not root.is_dir() else every_file(root) if slow else slice_files(root)
    if not files:
        if os.environ.get("CI") == "true":
            raise pytest.UsageError(f"shared data not found at {root} (set PEVM_SHARED)")
        metafunc.parametrize("state_file", [pytest.param(None, marks=pytest.mark.skip(f"no fixtures at {root}"))])
        return
    metafunc.parametrize("state_file", files, ids=[path.relative_to(root).as_posix() for path in files])


def check(path: Path, workers: int = 0) -> None:
    """Run the file as the CLI does: in a thread deep enough for 1024-deep call chains."""
    results = in_deep_thread(lambda: run_file(path, None, None, workers), THREAD_STACK_BYTES)
    failures = [f"{r.id}: {r.reason}" for r in results if r.status != PASSED]
    assert not failures, f"{len(failures)} failed:\n" + "\n".join(failures[:10])


def test_state_test_file(state_file: Path) -> None:
    check(state_file)


def test_execution_spec_tests_slice(state_file: Path) -> None:
    check(state_file)


def test_execution_spec_tests_slice_through_block_stm(state_file: Path) -> None:
    check(state_file, workers=2)


@pytest.mark.slow
def test_every_state_test_file(state_file: Path) -> None:
    check(state_file)


@pytest.mark.slow
def test_every_execution_spec_tests_file(state_file: Path) -> None:
    check(state_file)


def test_the_slice_covers_every_folder() -> None:
    if not STATE_TESTS.is_dir():
        pytest.skip(f"no fixtures at {STATE_TESTS}")
    folders = {path.parent for path in STATE_TESTS.rglob("*.json")}
    chosen = slice_files(STATE_TESTS)
    assert {path.parent for path in chosen} == folders
    assert all(path in chosen for path in (STATE_TESTS / "Cancun").rglob("*.json"))
