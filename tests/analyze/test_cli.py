"""`pevm analyze` from the command line: bad input is a UserError; a small run prints and writes JSON."""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path

import pytest

from parallel.paths import BLOCK_STM, LOOKAHEAD, SEQUENTIAL, TRANSFER_GROUPS
from pevm.analyze.report import BlockAnalysis, Table
from pevm.cli import build_parser
from pevm.errors import UserError


def run(argv: list[str]) -> int:
    args = build_parser().parse_args(["analyze", *argv])
    result: int = args.run(args)
    return result


@pytest.mark.pure
@pytest.mark.parametrize("workers", ["0,2", "1,x", "", "2,-1"])
def test_bad_worker_lists(workers: str) -> None:
    with pytest.raises(UserError, match="--workers"):
        run(["workload:raw:4", "--workers", workers])


@pytest.mark.pure
def test_bad_measure_list() -> None:
    with pytest.raises(UserError, match="--measure"):
        run(["workload:raw:4", "--measure", "two"])


@pytest.mark.pure
def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="no such file"):
        run([str(tmp_path / "missing.json.gz")])


@pytest.mark.pure
@pytest.mark.parametrize("flag", ["--json", "--plot"])
def test_unwritable_outputs_are_refused_before_the_analysis(tmp_path: Path, flag: str) -> None:
    with pytest.raises(UserError, match=f"{flag} .*missing/out.svg: directory .* does not exist"):
        run([str(tmp_path / "absent.json.gz"), flag, str(tmp_path / "missing" / "out.svg")])  # the file is never read
    with pytest.raises(UserError, match=f"{flag} .*: is a directory"):
        run(["workload:raw:4", flag, str(tmp_path)])


@pytest.mark.pure
def test_cut_gzip_file_is_a_user_error(tmp_path: Path) -> None:
    cut = tmp_path / "cut.json.gz"
    cut.write_bytes(gzip.compress(b'{"block": {}, "pre_state": {}}')[:20])  # the stream ends early: EOFError
    with pytest.raises(UserError, match="cut.json.gz: not a JSON block file"):
        run([str(cut)])


@pytest.mark.pure
def test_unknown_workload_and_bad_count(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(UserError, match="unknown workload"):
        run(["workload:raw:4", "workload:nope"])
    with pytest.raises(UserError, match="positive integer"):
        run(["workload:raw:4", "workload:raw:0"])
    assert capsys.readouterr().out == ""  # refused before calibrating, profiling or printing


@pytest.mark.pure
def test_malformed_block_file(tmp_path: Path) -> None:
    bad = tmp_path / "1.json"
    bad.write_text("{}")
    with pytest.raises(UserError, match="expected an object"):
        run([str(bad), "--no-measure"])


@pytest.mark.pure
def test_empty_directory(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="no \\*.json.gz"):
        run([str(tmp_path)])


@pytest.mark.pure
def test_small_run_writes_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "analysis.json"
    assert run(["workload:same-sender:6", "workload:raw:8", "--workers", "1,2,4", "--measure", "1,2",
                "--rounds", "1", "--json", str(out)]) == 0  # fmt: skip
    printed = capsys.readouterr().out
    assert "same-sender-6" in printed and "simulator error at 2 worker(s)" in printed
    records = json.loads(out.read_text())
    assert [record["block"] for record in records] == ["same-sender-6", "raw-8"]
    for record in records:
        assert set(record["predicted"]) == {"1", "2", "4"} and set(record["measured"]) == {"1", "2"}
        assert record["txs"] in (6, 8) and record["ideal_speedup"] >= 1.0
        # one baseline, the fastest sequential run seen, divides predicted and measured seconds
        baseline = record["sequential_seconds"]
        assert baseline <= min(record["measured_seconds"]["sequential"], record["profile_seconds"]["sequential_block"])
        for kind in ("predicted", "measured"):
            for n, speedup in record[kind].items():
                # speedups are rounded to 3 decimals: a slow run's 0.0036 is written as 0.004
                assert speedup == pytest.approx(baseline / record[f"{kind}_seconds"][n], rel=0.02, abs=5e-4)
    assert records[0]["dag_edges"] == 5 and records[1]["dag_edges"] == 0



@pytest.mark.pure
def test_the_executors_other_paths_are_marked() -> None:
    """Predictions model Block-STM; a block the executor runs another way says so."""
    out = io.StringIO()
    table = Table([1, 2], [], out)
    analyses = []
    paths = (("chained", SEQUENTIAL), ("transfers", TRANSFER_GROUPS), ("contracts", BLOCK_STM), ("ahead", LOOKAHEAD))
    for name, path in paths:
        analysis = BlockAnalysis(name, 500, 10_500_000, 0, 0.01, 1.9)
        analysis.path = path
        analysis.predicted = {1: 0.9, 2: 1.6}
        table.row(analysis)
        analyses.append(analysis)
    table.summary(analyses)
    lines = out.getvalue().splitlines()
    assert any(line.startswith("chained* ") for line in lines) and any(line.startswith("transfers+ ") for line in lines)
    assert any(line.startswith("contracts ") for line in lines) and any(line.startswith("ahead^ ") for line in lines)
    assert "as transfer groups with 2 workers" in out.getvalue()
    assert "with lookahead first with 2 workers" in out.getvalue()
    assert [analysis.as_json()["executor_path"] for analysis in analyses] == [path for _, path in paths]
    assert analyses[0].executor_speedup(2) == 1.0 and analyses[1].executor_speedup(2) == 1.6
