"""The state-test runner and `pevm statetest`: verdicts, precise failure reasons, selection,
and one-line errors for bad input."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable

import pytest

from ethtests.report import FAILED, PASSED
from ethtests.statetest import build_state, run_file
from interp import errors
from interp.state_root import state_root
from pevm.cli import main

Writer = Callable[[Path, dict[str, Any]], Path]
CONTRACT = "0x095e7baea6a6c7c4c2dfeb977efac326af552d87"
SENDER = "0xa94f5374fce5edbc8e2a8697c15331677e6ebf0b"
ZERO_HASH = "0x" + "00" * 32


def run(tmp_path: Path, write_fixture: Writer, test: dict[str, Any], name: str = "t.json",
        fork: str | None = None, pattern: str | None = None) -> list[tuple[str, str, str]]:  # fmt: skip
    return [(r.id, r.status, r.reason) for r in run_file(write_fixture(tmp_path / name, {"t": test}), fork, pattern)]


def unchanged_root(test: dict[str, Any]) -> str:
    return "0x" + state_root(build_state(test["pre"], "t")).hex()


@pytest.mark.parametrize("name", ["add11.json", "add11.json.gz"])
def test_a_passing_case(tmp_path: Path, write_fixture: Writer, add11: Any, name: str) -> None:
    assert run(tmp_path, write_fixture, add11, name) == [(f"{name}::t[Cancun-d0g0v0]", PASSED, "")]


def test_a_wrong_state_root_names_both_roots(tmp_path: Path, write_fixture: Writer, add11: Any) -> None:
    add11["post"]["Cancun"][0]["hash"] = ZERO_HASH
    ((_, status, reason),) = run(tmp_path, write_fixture, add11)
    assert status == FAILED and reason.startswith("state root 0x") and reason.endswith(f"!= {ZERO_HASH}")


def test_a_wrong_state_root_names_the_first_differing_slot(tmp_path: Path, write_fixture: Writer, add11: Any) -> None:
    post = add11["post"]["Cancun"][0]
    post["hash"] = ZERO_HASH
    post["state"] = {CONTRACT: {"balance": hex(10**18 + 100_000), "nonce": "0x00", "code": "0x600160010160005500",
                                "storage": {"0x00": "0x03"}}}  # fmt: skip
    ((_, _, reason),) = run(tmp_path, write_fixture, add11)
    assert reason.endswith(f": {CONTRACT} slot 0x0 = 0x2, expected 0x3")
    post["state"][CONTRACT]["storage"] = {"0x00": "0x02"}
    ((_, _, reason),) = run(tmp_path, write_fixture, add11)
    assert reason.endswith(": account 0x2adc25665018aa1fe0e6bc666dac8fc2697ff9ba unexpected (balance 0, nonce 1)")


def test_a_wrong_logs_hash(tmp_path: Path, write_fixture: Writer, add11: Any) -> None:
    add11["post"]["Cancun"][0]["logs"] = ZERO_HASH
    ((_, status, reason),) = run(tmp_path, write_fixture, add11)
    assert status == FAILED and reason.startswith("logs hash 0x1dcc4de8") and reason.endswith("(0 logs)")


def test_an_expected_exception_on_a_valid_transaction_fails(tmp_path: Path, write_fixture: Writer, add11: Any) -> None:
    add11["post"]["Cancun"][0]["expectException"] = "TransactionException.INTRINSIC_GAS_TOO_LOW"
    ((_, status, reason),) = run(tmp_path, write_fixture, add11)
    assert (status, reason) == (FAILED, "expected TransactionException.INTRINSIC_GAS_TOO_LOW, but the transaction was valid")


@pytest.mark.parametrize(
    ("expected", "status", "reason"),
    [
        ("TR_NoFunds", PASSED, ""),
        ("TransactionException.INSUFFICIENT_ACCOUNT_FUNDS|TransactionException.INTRINSIC_GAS_TOO_LOW", PASSED, ""),
        ("TR_IntrinsicGas", FAILED, f"expected TR_IntrinsicGas, got {errors.TX_INSUFFICIENT_FUNDS}"),
        (None, FAILED, "unexpected invalid transaction: "),
    ],
)
def test_a_rejected_transaction_leaves_the_state_and_must_match(
    tmp_path: Path, write_fixture: Writer, add11: Any, expected: str | None, status: str, reason: str
) -> None:
    add11["pre"][SENDER]["balance"] = "0x01"
    post = add11["post"]["Cancun"][0]
    post["hash"] = unchanged_root(add11)
    if expected is not None:
        post["expectException"] = expected
    ((_, got_status, got_reason),) = run(tmp_path, write_fixture, add11)
    assert got_status == status and got_reason.startswith(reason)


def test_a_value_past_256_bits_is_an_invalid_transaction(tmp_path: Path, write_fixture: Writer, add11: Any) -> None:
    add11["transaction"]["value"] = ["0x:bigint 0x10000000000000000000000000000000000000000000000000000000000000001"]
    post = add11["post"]["Cancun"][0]
    post["hash"], post["expectException"] = unchanged_root(add11), "TransactionException.RLP_INVALID_VALUE"
    assert run(tmp_path, write_fixture, add11)[0][1:] == (PASSED, "")


def test_a_sender_that_does_not_match_the_secret_key_fails(tmp_path: Path, write_fixture: Writer, add11: Any) -> None:
    add11["transaction"]["sender"] = CONTRACT
    ((_, status, reason),) = run(tmp_path, write_fixture, add11)
    assert status == FAILED and reason == f"secretKey gives sender {SENDER}, the fixture says {CONTRACT}"


def test_forks_and_patterns_select_cases(tmp_path: Path, write_fixture: Writer, add11: Any) -> None:
    add11["post"]["Atlantis"] = add11["post"]["Cancun"]
    assert run(tmp_path, write_fixture, add11) == [
        ("t.json::t[Cancun-d0g0v0]", PASSED, ""), ("t.json::t[Atlantis-d0g0v0]", FAILED, "unknown fork 'Atlantis'"),
    ]  # fmt: skip
    assert [r[0] for r in run(tmp_path, write_fixture, add11, fork="Cancun")] == ["t.json::t[Cancun-d0g0v0]"]
    assert [r[0] for r in run(tmp_path, write_fixture, add11, pattern="Atlan")] == ["t.json::t[Atlantis-d0g0v0]"]
    assert run(tmp_path, write_fixture, add11, pattern="nothing") == []


# --- the command line --------------------------------------------------------------------------------
def test_cli_passes_with_exit_code_zero(tmp_path: Path, write_fixture: Writer, add11: Any,
                                        capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    write_fixture(tmp_path / "a.json", {"t": add11})
    write_fixture(tmp_path / "b.json.gz", {"t": add11})
    assert main(["statetest", str(tmp_path), "--fork", "Cancun", "-j", "2"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "2 passed, 0 failed, 0 skipped"


def test_cli_parallel_runs_cases_through_block_stm(tmp_path: Path, write_fixture: Writer, add11: Any,
                                                   capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    add11["post"]["Cancun"].append(dict(add11["post"]["Cancun"][0], hash=ZERO_HASH))
    write_fixture(tmp_path / "a.json", {"t": add11})
    assert main(["statetest", str(tmp_path), "--parallel", "-j", "1"]) == 1
    assert capsys.readouterr().out.splitlines()[-1] == "1 passed, 1 failed, 0 skipped"


def test_cli_parallel_repeats_cases_on_the_workers_asked_for(tmp_path: Path, write_fixture: Writer, add11: Any,
                                                             capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    add11["post"]["Cancun"].append(dict(add11["post"]["Cancun"][0], hash=ZERO_HASH))
    write_fixture(tmp_path / "a.json", {"t": add11})
    assert main(["statetest", str(tmp_path), "--parallel", "--workers", "8", "--repeat", "3", "-j", "1"]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[-1] == "1 passed, 1 failed, 0 skipped"  # each case counted once, not once per run
    assert lines[0].startswith("FAIL a.json::t[Cancun-d0g0v0]: run 1 of 3: state root 0x")


def test_cli_skipped_files_are_counted_not_run(tmp_path: Path, write_fixture: Writer, add11: Any,
                                               capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    write_fixture(tmp_path / "a.json", {"t": add11})
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "slow.json").write_text("not even JSON")
    assert main(["statetest", str(tmp_path), "-j", "1", "--skip-file", "sub/slow.json"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "1 passed, 0 failed, 1 skipped"


def test_cli_failures_exit_one_and_write_json(tmp_path: Path, write_fixture: Writer, add11: Any,
                                              capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    add11["post"]["Cancun"].append(dict(add11["post"]["Cancun"][0], hash=ZERO_HASH))
    fixture = write_fixture(tmp_path / "a.json", {"t": add11})
    out_json = tmp_path / "out.json"
    assert main(["statetest", str(fixture), "--json", str(out_json), "-j", "1"]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("FAIL a.json::t[Cancun-d0g0v0]: state root 0x") and lines[-1] == "1 passed, 1 failed, 0 skipped"
    summary = json.loads(out_json.read_text())
    assert (summary["passed"], summary["failed"], summary["skipped"]) == (1, 1, 0)
    assert [f["id"] for f in summary["failures"]] == ["a.json::t[Cancun-d0g0v0]"]


def test_cli_json_to_standard_output(tmp_path: Path, write_fixture: Writer, add11: Any,
                                     capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    """`--json -` prints the JSON alone on stdout (to pipe), the report on stderr, and leaves no
    file named `-` behind."""
    add11["post"]["Cancun"].append(dict(add11["post"]["Cancun"][0], hash=ZERO_HASH))
    fixture = write_fixture(tmp_path / "a.json", {"t": add11})
    assert main(["statetest", str(fixture), "--json", "-", "-j", "1"]) == 1
    captured = capsys.readouterr()
    summary = json.loads(captured.out)
    assert (summary["passed"], summary["failed"], summary["skipped"]) == (1, 1, 0)
    assert captured.err.splitlines()[-1] == "1 passed, 1 failed, 0 skipped"
    assert not Path("-").exists()


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["missing"], "missing: no such file or directory"),
        (["good.json", "--fork", "Cancoon"], "unknown fork 'Cancoon' (known: Frontier, "),
        (["broken.json"], "broken.json: not a JSON fixture"),
        (["nohash.json"], "nohash.json: t.post.Cancun[0]: missing field 'hash'"),
        (["good.json", "--json", "nowhere/out.json"], "nowhere/out.json: directory "),  # before the run
        (["good.json", "-j", "0"], "-j must be at least 1"),
        (["good.json", "--workers", "4"], "--workers needs --parallel"),  # it would change nothing
        (["good.json", "--repeat", "20"], "--repeat needs --parallel"),
        (["good.json", "--parallel", "--workers", "0"], "--workers must be at least 1, got 0"),
        (["good.json", "--parallel", "--repeat", "-1"], "--repeat must be at least 1, got -1"),
        (["good.json", "--parallel", "--trace"], "--trace runs the cases one at a time on the sequential path"),
        (["good.json", "-k", "nothing"], "no test cases ran"),  # a filter that matches nothing is not a pass
        (["empty"], "no test cases ran"),  # nor is a folder without fixtures
    ],
)
def test_cli_bad_input_is_a_one_line_error(tmp_path: Path, write_fixture: Writer, add11: Any,
                                           capsys: pytest.CaptureFixture[str], arguments: list[str], message: str) -> None:  # fmt: skip
    write_fixture(tmp_path / "good.json", {"t": add11})
    (tmp_path / "broken.json").write_text("{oops")
    del add11["post"]["Cancun"][0]["hash"]
    write_fixture(tmp_path / "nohash.json", {"t": add11})
    (tmp_path / "empty").mkdir()
    paths = [str(tmp_path / a) if a.endswith(".json") or a in ("missing", "empty") else a for a in arguments]
    jobs = [] if "-j" in arguments else ["-j", "1"]
    assert main(["statetest", *paths, *jobs]) == 2
    err = capsys.readouterr().err
    assert err.startswith("pevm: error: ") and message in err and err.count("\n") == 1
