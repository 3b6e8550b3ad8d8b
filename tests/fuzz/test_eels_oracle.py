"""Oracle (b): pevm == EELS on generated Cancun transactions. Needs the specification's venv
(`make peers`); skipped without it, except under CI=true."""

from __future__ import annotations

import inspect
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from ethtests import statetest
from pevm.fuzz.case import FORK, Account, Case, Env, Tx
from pevm.fuzz.oracles import Eels, EelsUnavailable, check_eels, deep_recursion, eels_python, run_pevm, same_halt
from pevm.fuzz.reproducers import write_state_test
from pevm.fuzz.strategies import Builder, cases, program_from_genes

REPO_ROOT = Path(__file__).resolve().parents[2]
REGRESSIONS = Path(__file__).with_name("regressions")


@pytest.fixture(scope="module")
def eels() -> object:
    try:
        process = Eels(eels_python())
    except EelsUnavailable as missing:
        if os.environ.get("CI") == "true":
            pytest.fail(str(missing))
        pytest.skip(str(missing))
    yield process
    process.close()


def test_generated_cases_agree(eels: Eels) -> None:
    @settings(max_examples=25, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck))
    @given(cases())
    def agree(case: Case) -> None:
        assert check_eels(case, eels) is None

    agree()


def test_reproducer_runs_under_statetest(eels: Eels, tmp_path: Path) -> None:
    """A reproducer's expected post is EELS's; pevm agrees with it here, so it passes."""

    @settings(max_examples=3, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck))
    @given(cases())
    def written(case: Case) -> None:
        path = write_state_test(case, "example", tmp_path, eels)
        assert json.loads(path.read_text())
        results = statetest.run_file(path, FORK, None)
        assert [r.status for r in results] == ["passed"], [r.reason for r in results]

    written()


# An off-by-one gas cost planted in a pure-Python run of the source tree (compiled tables are
# constants): MSTORE costs 4 instead of 3.
PLANT = """
import sys, time
from pathlib import Path
import opcodes.forks as forks
from interp.forks import CANCUN
table = forks.TABLES[CANCUN]
gas = list(table.gas)
gas[0x52] += 1
forks.TABLES = tuple(forks.OpcodeTable(t.fork, tuple(gas), t.sstore) if i == CANCUN else t for i, t in enumerate(forks.TABLES))
from pevm.fuzz.campaign import Campaign
campaign = Campaign("eels", 60.0, 1, Path(sys.argv[1]), until_first=True)
campaign.run()
print(campaign.divergences, campaign.first_after, *campaign.found.values())
"""


def test_planted_gas_bug_is_caught_within_a_minute(eels: Eels, tmp_path: Path) -> None:
    environment = dict(os.environ, PYTHONPATH=str(REPO_ROOT), PYTHON_GIL="0", PEVM_EELS_PYTHON=str(eels.python))
    run = subprocess.run([sys.executable, "-c", PLANT, str(tmp_path)], capture_output=True, text=True, timeout=300,
                         cwd=REPO_ROOT, env=environment)  # fmt: skip
    assert run.returncode == 0, run.stderr[-2000:]
    found, seconds, *paths = run.stdout.split()
    assert int(found) >= 1, run.stderr[-2000:]
    assert float(seconds) < 60.0
    assert "gas" in paths[0]  # named after the difference: gas used


@pytest.mark.parametrize("path", sorted(REGRESSIONS.glob("*.json")), ids=lambda p: p.name)
def test_regression(path: Path) -> None:
    """Divergences the fuzzer found: pevm's post state matches EELS's on each (the fix was
    either in pevm or, for a halt EVMs may name differently, in the oracle: `same_halt`)."""
    results = statetest.run_file(path, FORK, None)
    assert [r.status for r in results] == ["passed"], [r.reason for r in results]


@pytest.mark.pure
def test_a_halt_short_of_both_stack_and_gas_may_be_named_either_way() -> None:
    """regressions/swap-short-of-stack-and-gas.json: SWAP3 on an empty stack with no gas left."""
    assert same_halt("StackUnderflowError", "OutOfGasError")
    assert same_halt("Revert", "Revert") and same_halt(None, None)
    assert not same_halt("Revert", "OutOfGasError")
    assert not same_halt(None, "StackUnderflowError")
    assert not same_halt("InvalidOpcode", "OutOfGasError")


@pytest.mark.pure
def test_a_full_depth_call_chain_runs_under_hypothesis_recursion_limit() -> None:
    """Found by `pevm fuzz --oracle eels`: a contract that DELEGATECALLs itself 1,024 deep hit
    the recursion limit hypothesis sets (its depth + 2,000) and crashed the campaign."""
    contract = 0xC0DE000000000000000000000000000000000002
    case = Case(
        pre=(
            (0xC0DE000000000000000000000000000000000001, Account(0, 1, program_from_genes([0], None))),
            (contract, Account(0, 1, program_from_genes([1033], None))),
        ),
        env=Env(coinbase=0xC0FFEE, timestamp=1, gas_limit=30_000_000, base_fee=0,
                prev_randao=Builder(0).word(), excess_blob_gas=0),  # fmt: skip
        tx=Tx(tx_type=0, secret_key=b"E" * 32, nonce=0, gas_limit=2_021_000, to=contract, value=0, data=b""),
    )
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(len(inspect.stack()) + 2000)
    try:
        with deep_recursion():
            outcome = run_pevm(case)
    finally:
        sys.setrecursionlimit(limit)
    assert outcome.rejected is None and outcome.gas_used > 21_000
