"""Reporting: failure lines, the final `N passed, M failed, K skipped` line, `--json`, exit code,
and a progress bar only on a terminal."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from ethtests.report import FAILED, PASSED, SKIPPED, CaseResult, Reporter, ReportError, repeated

pytestmark = pytest.mark.pure


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def make_reporter(err: io.StringIO | None = None, durations: int = 0) -> tuple[Reporter, io.StringIO, io.StringIO]:
    out, err = io.StringIO(), err if err is not None else io.StringIO()
    return Reporter(2, out=out, err=err, durations=durations), out, err


RESULTS = [CaseResult("a.json::t[Cancun-d0g0v0]", PASSED), CaseResult("a.json::t[Cancun-d1g0v0]", FAILED, "state root x != y"),
           CaseResult("a.json::t[Cancun-d2g0v0]", SKIPPED, "slow")]  # fmt: skip


def test_failures_and_the_final_line(tmp_path: Path) -> None:
    reporter, out, err = make_reporter()
    reporter.add_file(RESULTS)
    reporter.add_file([CaseResult("b.json::u[Cancun-d0g0v0]", PASSED)])
    out_json = tmp_path / "summary.json"
    assert reporter.finish(out_json) == 1
    lines = out.getvalue().splitlines()
    assert lines == ["FAIL a.json::t[Cancun-d1g0v0]: state root x != y", "2 passed, 1 failed, 1 skipped"]
    assert err.getvalue() == ""  # not a terminal: no progress bar
    assert json.loads(out_json.read_text()) == {
        "passed": 2, "failed": 1, "skipped": 1,
        "failures": [{"id": "a.json::t[Cancun-d1g0v0]", "reason": "state root x != y"}],
    }  # fmt: skip


def test_exit_code_is_zero_only_without_failures() -> None:
    reporter, out, _ = make_reporter()
    reporter.add_file([RESULTS[0], RESULTS[2]])
    assert reporter.finish(None) == 0
    assert out.getvalue() == "1 passed, 0 failed, 1 skipped\n"


def test_progress_bar_only_on_a_terminal() -> None:
    reporter, out, err = make_reporter(Terminal())
    reporter.add_file(RESULTS)
    assert "[###############...............] 1/2 files, 1 passed, 1 failed" in err.getvalue()
    reporter.finish(None)
    assert err.getvalue().endswith("\r\033[K") and out.getvalue().splitlines()[-1] == "1 passed, 1 failed, 1 skipped"


def test_slowest_files_come_before_the_final_line() -> None:
    reporter, out, _ = make_reporter(durations=1)
    reporter.add_file([RESULTS[0]], Path("fast.json"), 0.5)
    reporter.add_file([RESULTS[0]], Path("slow.json"), 7.25)
    reporter.finish(None)
    assert out.getvalue().splitlines() == ["slowest 1 files:", "     7.25s slow.json", "2 passed, 0 failed, 0 skipped"]


def test_an_unwritable_json_path_is_a_report_error(tmp_path: Path) -> None:
    reporter, _, _ = make_reporter()
    with pytest.raises(ReportError, match="missing/out.json: cannot write the JSON summary"):
        reporter.finish(tmp_path / "missing" / "out.json")


def test_a_run_without_cases_is_an_error(tmp_path: Path) -> None:
    reporter, out, _ = make_reporter()
    reporter.add_file([], Path("empty.json"), 0.0)
    with pytest.raises(ReportError, match="no test cases ran"):
        reporter.finish(tmp_path / "out.json")
    assert out.getvalue() == "0 passed, 0 failed, 0 skipped\n"
    assert json.loads((tmp_path / "out.json").read_text())["passed"] == 0


def test_repeated_runs_report_each_case_once_with_its_first_failure() -> None:
    """A case that fails in any run fails (the parallel executor must agree with itself every
    time), and the failure names its run; the other cases keep their first run's result."""
    runs = iter([
        [CaseResult("a", PASSED, "note"), CaseResult("b", PASSED), CaseResult("c", SKIPPED, "slow")],
        [CaseResult("a", PASSED), CaseResult("b", PASSED), CaseResult("c", SKIPPED, "slow")],
        [CaseResult("a", PASSED), CaseResult("b", FAILED, "state root x != y"), CaseResult("c", SKIPPED, "slow")],
        [CaseResult("a", PASSED), CaseResult("b", FAILED, "logs differ"), CaseResult("c", SKIPPED, "slow")],
    ])  # fmt: skip
    assert repeated(lambda: next(runs), 4) == [
        CaseResult("a", PASSED, "note"), CaseResult("b", FAILED, "run 3 of 4: state root x != y"),
        CaseResult("c", SKIPPED, "slow"),
    ]  # fmt: skip
    once = [CaseResult("a", FAILED, "bad")]
    assert repeated(lambda: once, 1) == once  # one run: as it is


def test_repeated_runs_must_run_the_same_cases() -> None:
    runs = iter([[CaseResult("a", PASSED)], [CaseResult("b", PASSED)]])
    with pytest.raises(RuntimeError, match="run 2 of 2 ran other cases than the first"):
        repeated(lambda: next(runs), 2)
