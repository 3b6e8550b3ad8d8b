"""Oracle (a): parallel == sequential on generated conflict blocks, and parallel reproducers."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from pevm import workloads
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
