"""Reporting results of any fixture runner (statetest, blocktest): a progress bar on stderr when
it is a terminal, one `FAIL <id>: <reason>` line per failure, the final line
`N passed, M failed, K skipped`, and the `--json OUT` summary
`{"passed": N, "failed": M, "skipped": K, "failures": [{"id": ..., "reason": ...}]}`.
A run that found no test case at all is an error, not a pass: a mistyped path, or a `-k` or
`--fork` that matches nothing, must not read as green (pytest exits non-zero then, too).
"""

from __future__ import annotations

import json
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, TextIO

PASSED = "passed"
FAILED = "failed"
SKIPPED = "skipped"
BAR_WIDTH = 30


class ReportError(Exception):
    """The run cannot be reported: the summary could not be written (e.g. `--json` names a
    missing folder), or there was no test case to report."""


@dataclass(frozen=True)
class CaseResult:
    id: str
    status: str  # PASSED, FAILED or SKIPPED
    reason: str = ""


def repeated(run: Callable[[], list[CaseResult]], repeats: int) -> list[CaseResult]:
    """`run()` `repeats` times (the same cases, in the same order, each time), as one result per
    case: its first failure, naming the run, else its first result. A case that passes one run
    and fails another has failed: the parallel executor must give the same result every time."""
    results = run()
    if repeats == 1:
        return results
    ids = [result.id for result in results]
    worst = [_in_run(result, 1, repeats) for result in results]
    for attempt in range(2, repeats + 1):
        again = run()
        if [result.id for result in again] != ids:
            raise RuntimeError(f"run {attempt} of {repeats} ran other cases than the first")
        for index, result in enumerate(again):
            if result.status == FAILED and worst[index].status != FAILED:
                worst[index] = _in_run(result, attempt, repeats)
    return worst


def _in_run(result: CaseResult, attempt: int, repeats: int) -> CaseResult:
    """`result`, its reason naming the run if it failed."""
    if result.status != FAILED:
        return result
    return CaseResult(result.id, FAILED, f"run {attempt} of {repeats}: {result.reason}")


@dataclass
class Reporter:
    """Collects per-file results (from any thread) and prints them as they arrive."""

    total_files: int
    out: TextIO = field(default_factory=lambda: sys.stdout)
    err: TextIO = field(default_factory=lambda: sys.stderr)
    durations: int = 0  # > 0: list the slowest files before the final line
    passed: int = 0
    failed: int = 0
    skipped: int = 0
    failures: list[CaseResult] = field(default_factory=list)
    files_done: int = 0
    file_seconds: list[tuple[float, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._progress = self.err.isatty()

    def add_file(self, results: list[CaseResult], path: Path | None = None, seconds: float | None = None) -> None:
        with self._lock:
            for result in results:
                if result.status == PASSED:
                    self.passed += 1
                elif result.status == SKIPPED:
                    self.skipped += 1
                else:
                    self.failed += 1
                    self.failures.append(result)
                    self._clear_progress()
                    self.out.write(f"FAIL {result.id}: {result.reason}\n")
                    self.out.flush()
            self.files_done += 1
            if path is not None and seconds is not None:
                self.file_seconds.append((seconds, str(path)))
            if self._progress:
                filled = BAR_WIDTH * self.files_done // max(1, self.total_files)
                self.err.write(f"\r[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {self.files_done}/{self.total_files} "
                               f"files, {self.passed} passed, {self.failed} failed")  # fmt: skip
                self.err.flush()

    def _clear_progress(self) -> None:
        if self._progress:
            self.err.write("\r\033[K")

    def summary(self) -> dict[str, object]:
        return {
            "passed": self.passed,
            "failed": self.failed,
            "skipped": self.skipped,
            "failures": [{"id": f.id, "reason": f.reason} for f in self.failures],
        }

    def finish(self, json_path: Path | None) -> int:
        """Print the final line (and write `json_path`); the exit code is 0 only when nothing failed.
        Raises ReportError when no case ran at all."""
        self._clear_progress()
        if self.durations > 0:
            slowest = sorted(self.file_seconds, reverse=True)[: self.durations]
            self.out.write(f"slowest {len(slowest)} files:\n")
            for seconds, path in slowest:
                self.out.write(f"{seconds:9.2f}s {path}\n")
        self.out.write(f"{self.passed} passed, {self.failed} failed, {self.skipped} skipped\n")
        self.out.flush()
        if json_path is not None:
            try:
                json_path.write_text(json.dumps(self.summary(), indent=2) + "\n")
            except OSError as error:
                raise ReportError(f"{json_path}: cannot write the JSON summary ({error.strerror})") from None
        if self.passed + self.failed + self.skipped == 0:
            raise ReportError("no test cases ran: the paths hold no fixtures, or the filters (-k, --fork) match none")
        return 0 if self.failed == 0 else 1
