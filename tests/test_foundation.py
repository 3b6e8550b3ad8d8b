"""The foundation: GIL off, compiled modules really loaded, the CLI, and compiled code under
concurrent threads and over many blocks."""

from __future__ import annotations

import gc
import importlib
import json
import os
import pkgutil
import subprocess
import sys
import sysconfig
import threading
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest

PACKAGES = ["pevm", "primitives", "interp", "opcodes", "precompiles", "parallel", "ethtests"]
FREE_THREADED = sysconfig.get_config_var("Py_GIL_DISABLED") == 1
REPO_ROOT = str(Path(__file__).resolve().parent.parent)
# The pure-Python runs: a PEVM_PURE=1 install, or the source tree put ahead of the install.
PURE = os.environ.get("PEVM_PURE") == "1" or REPO_ROOT in os.environ.get("PYTHONPATH", "").split(os.pathsep)
# Scripts the peers' interpreters run by path (they import py-evm, EELS, pyrevm), not modules.
RUN_BY_PATH = ("pevm.bench.drivers.", "pevm.fuzz.eels_driver")


def _all_modules() -> list[str]:
    names = []
    for package in PACKAGES:
        module = importlib.import_module(package)
        names.append(package)
        for info in pkgutil.walk_packages(module.__path__, prefix=f"{package}."):
            if info.name.endswith(".__main__"):  # running it would run the CLI
                continue
            if info.name.startswith(RUN_BY_PATH):
                continue
            names.append(info.name)
    return names


IMPORT_ALL = """
import importlib, sys, warnings
warnings.simplefilter("error", RuntimeWarning)
for name in sys.argv[1:]:
    try:
        importlib.import_module(name)
    except RuntimeWarning as warning:
        print(f"{name}: {warning}")
        raise SystemExit(1)
    if sys._is_gil_enabled():
        print(f"{name} turned the GIL on")
        raise SystemExit(1)
print("ok")
"""


@pytest.mark.pure
@pytest.mark.skipif(not FREE_THREADED, reason="the GIL can only be off on a free-threaded build")
def test_importing_every_module_keeps_the_gil_off() -> None:
    environment = {k: v for k, v in os.environ.items() if k != "PYTHON_GIL"}  # default start
    result = subprocess.run([sys.executable, "-c", IMPORT_ALL, *_all_modules()], env=environment,
                            capture_output=True, text=True, timeout=300)  # fmt: skip
    assert result.returncode == 0 and result.stdout.strip() == "ok", result.stdout + result.stderr


RUN_PRECOMPILES = """
import sys
from interp.forks import OSAKA, CANCUN
from precompiles.registry import precompiles_for
from precompiles.errors import PrecompileFailure
table = dict(precompiles_for(CANCUN))
for address, run in sorted(table.items()):
    try:
        run(bytes(192), 10**7)
    except PrecompileFailure:
        pass
print("gil", sys._is_gil_enabled())
"""


@pytest.mark.skipif(not FREE_THREADED, reason="the GIL can only be off on a free-threaded build")
def test_gil_stays_off_after_every_precompile_ran() -> None:
    """ckzg re-enables the GIL unless it is forced off, as the pevm entry points do. In a fresh
    process: this one's GIL depends on what earlier tests loaded (conftest forces it off for the
    xdist workers, but a run without xdist starts before conftest is read)."""
    environment = dict(os.environ, PYTHON_GIL="0")
    result = subprocess.run([sys.executable, "-c", RUN_PRECOMPILES], env=environment,
                            capture_output=True, text=True, timeout=300)  # fmt: skip
    assert result.stdout.strip() == "gil False", result.stdout + result.stderr
    if "PYTEST_XDIST_WORKER" in os.environ and os.environ.get("PYTHON_GIL") == "0":
        assert not sys._is_gil_enabled()  # so the threaded tests in this worker ran without it


@pytest.mark.skipif(PURE, reason="pure-Python run: the source tree shadows the compiled modules")
def test_compiled_build_loads_extension_modules() -> None:
    sys.path.insert(0, REPO_ROOT)
    try:
        from setup import compiled_modules  # the build's own list of compiled modules
    finally:
        sys.path.pop(0)
    suffix = sysconfig.get_config_var("EXT_SUFFIX")
    not_compiled = []
    for path in compiled_modules():
        module = importlib.import_module(path[: -len(".py")].replace("/", "."))
        if not str(module.__file__).endswith(suffix):
            not_compiled.append(f"{module.__name__} -> {module.__file__}")
    assert not not_compiled, not_compiled


def _pevm(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pevm", *args], capture_output=True, text=True, timeout=120)


@pytest.mark.pure
def test_cli_help_and_version() -> None:
    help_ = _pevm("--help")
    assert help_.returncode == 0 and "run-block" in help_.stdout and "statetest" in help_.stdout
    version = _pevm("--version")
    assert version.returncode == 0 and version.stdout.startswith("pevm ")


@pytest.mark.skipif(PURE, reason="pure-Python run: the source tree shadows the compiled modules")
def test_console_script_in_the_source_tree_runs_the_compiled_build() -> None:
    """From a checkout's root, the entry point's re-exec (to force the GIL off) must not put the
    working directory ahead of the installed, compiled modules."""
    script = Path(sys.executable).with_name("pevm")
    assert script.is_file(), f"no console script next to {sys.executable}"
    environment = {k: v for k, v in os.environ.items() if k not in ("PYTHON_GIL", "PYTHONPATH")}
    result = subprocess.run([str(script), "--version"], cwd=REPO_ROOT, env=environment, capture_output=True,
                            text=True, timeout=120)  # fmt: skip
    assert result.returncode == 0 and "(compiled;" in result.stdout, result.stdout + result.stderr
    if FREE_THREADED:
        assert "GIL off" in result.stdout, result.stdout


@pytest.mark.pure
def test_cli_rejects_unknown_subcommand_and_bad_flags() -> None:
    unknown = _pevm("frobnicate")
    assert unknown.returncode == 2 and "invalid choice: 'frobnicate'" in unknown.stderr
    bad_flag = _pevm("run-block", "--workers", "many", "x.json.gz")
    assert bad_flag.returncode == 2 and "invalid int value" in bad_flag.stderr


@pytest.mark.pure
def test_cli_user_errors_are_one_line() -> None:
    missing = _pevm("run-block", "/nonexistent/block.json.gz")
    assert missing.returncode == 2
    assert missing.stderr.strip().count("\n") == 0 and "no such file" in missing.stderr
    assert "Traceback" not in missing.stderr


@pytest.mark.pure
def test_demo_runs_the_bundled_block_both_ways() -> None:
    demo = _pevm("demo", "--repeat", "2", "--workers", "2")
    assert demo.returncode == 0, demo.stdout + demo.stderr
    for check in ("gasUsed", "logsBloom", "receiptsRoot"):
        assert f"{check:<13} passed" in demo.stdout
    assert "; 2 workers," in demo.stdout and "senders recovered during execution" in demo.stdout and "results identical" in demo.stdout
    for flag in ("--repeat", "--workers"):
        bad = _pevm("demo", flag, "0")
        assert bad.returncode == 2 and f"{flag} must be at least 1" in bad.stderr and "Traceback" not in bad.stderr


@pytest.mark.pure
def test_run_block_compare_reports_the_issue_fields(tmp_path: Path) -> None:
    block = Path(REPO_ROOT) / "pevm" / "data" / "4864590.json.gz"
    out = tmp_path / "summary.json"
    done = _pevm("run-block", str(block), "--workers", "2", "--compare", "--repeat", "2", "--json", str(out))
    assert done.returncode == 0, done.stdout + done.stderr
    summary = json.loads(out.read_text())
    assert summary["workers"] == 2 and summary["identical"] is True and summary["verified"] is True
    for key in ("reexecutions", "sequential_seconds", "speedup", "path"):
        assert key in summary
    assert summary["speedup"] == pytest.approx(summary["sequential_seconds"] / summary["seconds"], rel=0.01)
    piped = _pevm("run-block", str(block), "--json", "-")  # the JSON alone on stdout, the report on stderr
    assert piped.returncode == 0 and json.loads(piped.stdout)["verified"] is True, piped.stdout + piped.stderr
    assert "receiptsRoot  passed" in piped.stderr
    bad = _pevm("run-block", str(block), "--repeat", "0")
    assert bad.returncode == 2 and "--repeat must be at least 1" in bad.stderr
    nowhere = _pevm("run-block", str(block), "--json", str(tmp_path / "missing" / "out.json"))
    assert nowhere.returncode == 2 and "directory" in nowhere.stderr and "Traceback" not in nowhere.stderr


def test_compiled_interpreter_under_concurrent_threads() -> None:
    """Four threads each execute their own copy of a workload at the same time; every result
    equals the single-threaded one (no compiled object is shared mutably)."""
    from interp.block import execute_block
    from pevm import workloads
    from pevm.compare import difference

    def run() -> tuple[object, object]:
        workload = workloads.hot_contract(40)
        return execute_block(workload.state, workload.block, workload.rules, workload.chain_id), workload.state

    expected_result, expected_state = run()
    outcomes: list[tuple[object, object] | BaseException] = []

    def worker() -> None:
        try:
            for _ in range(5):
                outcomes.append(run())
        except BaseException as error:  # noqa: BLE001 - reported below
            outcomes.append(error)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(outcomes) == 20
    for outcome in outcomes:
        assert not isinstance(outcome, BaseException), outcome
        result, state = outcome
        assert difference(expected_result, expected_state, result, state) is None  # type: ignore[arg-type]


def test_executing_blocks_retains_nothing(shared_dir: Path) -> None:
    """Nothing a block's execution allocates outlives it. mypyc before 2.2 leaked the left
    operand of every compiled `bytes + bytes` (setup.py corrects it): ~4.5 MB a mainnet block,
    until the slow suite's test workers ran out of memory. Here that was ~12 objects a transfer."""
    from interp.block import execute_block
    from pevm import workloads

    blocks = [workloads.erc20_transfers(100, shared_dir / "contracts") for _ in range(4)]

    def execute_next() -> None:
        workload = blocks.pop()
        execute_block(workload.state, workload.block, workload.rules, workload.chain_id)

    execute_next()  # first: imports, caches and interned constants
    retained = _retained(execute_next, 3)
    assert retained < 100, f"{retained} objects outlived three blocks of 100 ERC-20 transfers"


def _retained(work: Callable[[], None], times: int) -> int:
    """How many more objects are allocated after `work()` ran `times` times than before."""
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.take_snapshot()
        for _ in range(times):
            work()
        gc.collect()
        after = tracemalloc.take_snapshot()
    finally:
        tracemalloc.stop()
    return sum(stat.count_diff for stat in after.compare_to(before, "filename"))


def test_raising_through_compiled_code_retains_nothing() -> None:
    """An exception passing through compiled functions leaves nothing behind, even once the
    process has run a second thread. mypyc's runtime made a code object for each compiled
    function an exception passed through, and free-threaded 3.13 makes the code objects made
    after the first extra thread immortal: ~275 bytes a frame, for good (setup.py gives mypyc's
    runtime one code object per traceback location). Here that was 6 objects a raise."""
    from primitives.rlp import RLPError, decode

    thread = threading.Thread(target=lambda: None)
    thread.start()
    thread.join()

    def raise_through() -> None:
        with pytest.raises(RLPError):
            decode(b"\xb8")  # a length byte with no length after it: three compiled frames deep

    raise_through()  # first: the code objects of these traceback locations
    retained = _retained(raise_through, 300)
    assert retained < 100, f"{retained} objects outlived 300 exceptions raised through compiled code"
