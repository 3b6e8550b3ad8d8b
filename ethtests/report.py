"""Reporting results of any runner: a progress bar, one line per failure, the final
`N passed, M failed, K skipped` line and the `--json` summary."""

from __future__ import annotations

import json
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

PASSED = "passed"
FAILED = "failed"
SKIPPED = "skipped"


@dataclass(frozen=True)
class CaseResult:
    id: str
    status: str
    reason: str = ""


@dataclass
class Reporter:
    total_files: int
    out: TextIO = field(default_factory=lambda: sys.stdout)
    err: TextIO = field(default_factory=lambda: sys.stderr)
    passed: int = 0
    failed: int = 0
    skipped: int = 0
    failures: list[CaseResult] = field(default_factory=list)
    files_done: int = 0

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._progress = self.err.isatty()

    def add_file(self, results: list[CaseResult]) -> None:
        with self._lock:
            for result in results:
                if result.status == PASSED:
                    self.passed += 1
                elif result.status == SKIPPED:
                    self.skipped += 1
                else:
                    self.failed += 1
                    self.failures.append(result)
                    if self._progress:
                        self.err.write("\r\033[K")
                    self.out.write(f"FAIL {result.id}: {result.reason}\n")
                    self.out.flush()
            self.files_done += 1
            if self._progress:
                width = 30
                filled = width * self.files_done // max(1, self.total_files)
                self.err.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {self.files_done}/{self.total_files} files, "
                               f"{self.passed} passed, {self.failed} failed")  # fmt: skip
                self.err.flush()

    def finish(self, json_path: Path | None) -> int:
        if self._progress:
            self.err.write("\r\033[K")
        self.out.write(f"{self.passed} passed, {self.failed} failed, {self.skipped} skipped\n")
        if json_path is not None:
            summary = {
                "passed": self.passed,
                "failed": self.failed,
                "skipped": self.skipped,
                "failures": [{"id": f.id, "reason": f.reason} for f in self.failures],
            }
            json_path.write_text(json.dumps(summary, indent=2) + "\n")
        return 0 if self.failed == 0 else 1
