"""Oracle (a): parallel == sequential on generated conflict blocks, and parallel reproducers."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from pevm import workloads
from pevm.cli import main
from pevm.fuzz.campaign import Campaign
from pevm.fuzz.oracles import WORKERS, check_parallel
from pevm.fuzz.reproducers import load_block, replay_block, write_block
from pevm.fuzz.strategies import conflict_blocks


@pytest.mark.pure
@settings(max_examples=10, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck))
@given(conflict_blocks(), st.sampled_from(WORKERS))
def test_generated_blocks_agree(workload: workloads.Workload, workers: int) -> None:
    assert check_parallel(workload, workers) is None


def test_block_reproducer_round_trips(tmp_path: Path) -> None:
    workload = workloads.hot_contract(12, senders=3)
    path = write_block(workload, 4, "example", tmp_path)
    loaded, workers = load_block(path)
    assert workers == 4
    assert [tx.encode() for tx in loaded.block.transactions] == [tx.encode() for tx in workload.block.transactions]
    assert replay_block(path, repeats=2) is None


def test_short_campaign_reports_progress(tmp_path: Path) -> None:
    lines: list[str] = []

    class Sink:
        def write(self, text: str) -> None:
            lines.append(text)

        def flush(self) -> None:
            pass

    campaign = Campaign("parallel", 3.0, 7, tmp_path, Sink())  # type: ignore[arg-type]
    assert campaign.run() == 0
    assert campaign.cases > 0
    assert "0 divergences" in "".join(lines) and "cases/s" in "".join(lines)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"[]", "not a reproducer (expected a JSON object)"),
        (b"{}", "not a reproducer (no Cancun state test case in it)"),  # never "agrees"
        (b"\xff\xfe", "can't decode"),
        (b'{"kind": "pevm-fuzz-parallel-block", "pre": {}}', "malformed parallel-block reproducer (KeyError"),
        (b'{"t": {"env": 1}}', "t: missing field"),
    ],
)
def test_replaying_a_bad_file_is_a_one_line_error(tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes,
                                                  message: str) -> None:  # fmt: skip
    path = tmp_path / "case.json"
    path.write_bytes(content)
    assert main(["fuzz", "--replay", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("pevm: error: ") and message in err and err.count("\n") == 1


@pytest.mark.parametrize("seconds", ["0", "-5", "nan", "inf", "soon"])
def test_campaign_length_must_be_positive(seconds: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["fuzz", f"--seconds={seconds}"])
    assert exit_.value.code == 2 and "--seconds" in capsys.readouterr().err
