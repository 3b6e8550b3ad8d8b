"""The generated cases mean the same to pevm whichever way they arrive: built directly, or as
the GeneralStateTests JSON that EELS and `pevm statetest` read; and the traced loop agrees with
the plain one on them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from ethtests import statetest
from pevm.fuzz.case import FORK, Case
from pevm.fuzz.oracles import run_pevm
from pevm.fuzz.strategies import cases, programs

SETTINGS = settings(max_examples=12, deadline=None, derandomize=True, database=None,
                    suppress_health_check=list(HealthCheck))  # fmt: skip


def as_fixture(case: Case, tmp_path: Path) -> Path:
    """The case as a state test whose expected post is pevm's own result."""
    outcome = run_pevm(case)
    post = {"hash": outcome.state_root, "logs": outcome.logs_hash}
    if outcome.rejected is not None:
        post["expectException"] = outcome.rejected
    path = tmp_path / "case.json"
    path.write_text(json.dumps(case.state_test("case", post)))
    return path


@pytest.mark.pure
@SETTINGS
@given(cases())
def test_state_test_json_round_trips(tmp_path_factory: pytest.TempPathFactory, case: Case) -> None:
    path = as_fixture(case, tmp_path_factory.mktemp("case"))
    results = statetest.run_file(path, FORK, None)
    assert [r.status for r in results] == ["passed"], [r.reason for r in results]


@pytest.mark.pure
@SETTINGS
@given(cases())
def test_traced_loop_agrees_with_plain_loop(case: Case) -> None:
    plain, traced = run_pevm(case), run_pevm(case, traced=True)
    assert (plain.state_root, plain.logs_hash, plain.gas_used, plain.output, plain.rejected) == (
        traced.state_root, traced.logs_hash, traced.gas_used, traced.output, traced.rejected)  # fmt: skip
    if traced.rejected is not None:
        assert traced.error is None  # a rejected transaction runs no frame


@pytest.mark.pure
@SETTINGS
@given(programs())
def test_programs_are_code(program: bytes) -> None:
    assert isinstance(program, bytes) and len(program) > 0
