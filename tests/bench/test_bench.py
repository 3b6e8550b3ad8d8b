"""`pevm bench`: workloads run and agree between modes, flags are checked, rows have the
issue's JSON shape, and a disagreeing engine is flagged rather than tabulated."""

from __future__ import annotations

import argparse
import io
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pevm.bench import runner, workloads
from pevm.bench import engines
from pevm.bench.engines import DRIVERS
from pevm.commands import bench
from pevm.errors import UserError


@pytest.fixture
def quick_runner() -> Iterator[runner.Runner]:
    with runner.Runner([], workloads.QUICK, 1, 1.0, 1.0) as made:
        yield made


@pytest.mark.pure
def test_a_runner_removes_its_request_directory() -> None:
    with runner.Runner([], workloads.QUICK, 1, 1.0, 1.0) as made:
        (made.directory / "request.json").write_text("{}")
    assert not made.directory.exists()  # each `pevm bench` run left one behind in /tmp


TINY = workloads.Sizes(loop=50, slots=20, erc20=5, transfers=5, swaps=2, blocks=1)
needs_contracts = pytest.mark.skipif(not (workloads.shared_dir() / "contracts").is_dir(), reason="no $PEVM_SHARED")


def driver() -> Any:
    if str(DRIVERS) not in sys.path:
        sys.path.insert(0, str(DRIVERS))
    import pevm_driver  # type: ignore[import-not-found]

    return pevm_driver


def run(spec: workloads.Spec, mode: str, workers: int = 1) -> dict[str, Any]:
    body = workloads.request(spec.build(TINY, mode == "tx"), mode)
    reply: dict[str, Any] = driver().run(dict(body, repeats=1, workers=workers))
    return reply


@pytest.mark.pure
@needs_contracts
@pytest.mark.parametrize("spec", workloads.SPECS, ids=lambda spec: spec.name)
def test_every_call_succeeds_in_both_modes(spec: workloads.Spec) -> None:
    msg, tx = run(spec, "msg"), run(spec, "tx")
    count = spec.ops(TINY) if spec.unit == "tx" else 1
    assert msg["successes"] == tx["successes"] == count
    assert msg["storage"] == tx["storage"]  # the same contract state after either mode
    assert tx["gas"] >= 21_000 * count  # intrinsic gas on top (refunds make W6 tx < msg)


@pytest.mark.pure
@needs_contracts
def test_gas_matches_known_values() -> None:
    specs = {spec.name: spec for spec in workloads.SPECS}
    assert abs(run(specs["W4"], "tx")["gas"] - 26_938 * TINY.erc20) < 16 * TINY.erc20  # RISE pevm: 26,938 a transfer
    assert run(specs["W5"], "tx")["gas"] == 21_000 * TINY.transfers
    assert run(specs["W5"], "msg")["gas"] == 0
    w3 = run(specs["W3"], "msg")
    assert w3["storage"] == [hex(sum(range(1, TINY.slots + 1))), "0x1", hex(TINY.slots)]


@pytest.mark.pure
@needs_contracts
def test_parallel_rows_agree_with_sequential() -> None:
    spec = workloads.SPECS[3]
    sequential, parallel = run(spec, "tx"), run(spec, "tx", workers=2)
    for key in runner.COMPARED:
        assert sequential[key] == parallel[key]
    body = workloads.request(spec.build(TINY, True), "tx")
    reply = driver().run(dict(body, repeats=2, interleave=[1, 2]))
    turns = reply["interleaved"]
    assert [turn["workers"] for turn in turns] == [1, 2] and all(len(turn["runs"]) == 2 for turn in turns)
    for key in runner.COMPARED:
        assert turns[0][key] == turns[1][key] == sequential[key]


@pytest.mark.pure
@needs_contracts
def test_tx_mode_runs_add_up_to_the_runners_seconds(monkeypatch: pytest.MonkeyPatch) -> None:
    """A speedup is a ratio of two bests: its runs are sampled for `tx_seconds`, not 3 times."""
    bodies: list[dict[str, Any]] = []
    monkeypatch.setattr(runner.Runner, "measure", lambda self, engine, body, rows: bodies.append(body) or [])
    with runner.Runner(engines.pevm_engines(None, 2)[:1], TINY, 1, 1.0, 1.0, only={"W5"}, log=io.StringIO(),
                       tx_seconds=runner.SPEEDUP_SAMPLE_SECONDS) as made:  # fmt: skip
        made.run_synthetic()
    assert [(body["mode"], body.get("min_seconds")) for body in bodies] == [("msg", None), ("tx", 5.0)]


def arguments(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    bench.add_arguments(parser)
    return parser.parse_args(list(argv))


@pytest.mark.pure
@pytest.mark.parametrize("argv", [["--repeats", "0"], ["--workers", "0"], ["--json", "/no/such/dir/out.json"]])
def test_bad_flags_are_user_errors(argv: list[str]) -> None:
    with pytest.raises(UserError):
        bench.run(arguments(*argv))


@pytest.mark.pure
def test_unknown_workload_is_rejected() -> None:
    with pytest.raises(SystemExit):
        arguments("--only", "W9")


def measured(engine: str, gas: int, seconds: float) -> runner.Row:
    row = runner.Row("W4", "msg", engine, 1, txs=10, ops=10, gas=gas, seconds=seconds, measured=True)
    row.summary = {"gas": gas, "successes": 10, "outputs": "x", "balances": [], "storage": []}
    return row


@pytest.mark.pure
def test_rows_have_the_issue_json_shape() -> None:
    row = measured("pevm", 2_000_000, 0.5).as_json()
    for key in ("workload", "mode", "engine", "workers", "gas", "seconds", "mgas_per_s", "tx_per_s"):
        assert key in row
    assert row["mgas_per_s"] == 4.0 and row["tx_per_s"] == 20.0
    assert row["parallel"] is None and row["reexecutions"] is None  # known for pevm rows only


@pytest.mark.pure
def test_disagreeing_rows_are_flagged_not_tabulated() -> None:
    rows = [measured("pevm", 1000, 1.0), measured("eels", 999, 10.0), measured("pyrevm", 900, 0.1)]
    runner.check_agreement(rows)
    assert rows[0].agrees and not rows[1].agrees and not rows[2].agrees
    assert rows[1].note.startswith("DISAGREES on gas")
    assert "warm" in rows[2].note  # pyrevm's known quirk, named as such
    text = runner.table(rows, ["eels", "pyrevm"])
    assert "| W4 | msg | eels (!) | 1 | — | — | — |" in text
    assert "10.0x*" in text  # pevm's ratio to a flagged peer carries a mark


@pytest.mark.pure
def test_drivers_exist_for_every_engine() -> None:
    for name in ("pevm_driver.py", "pyevm_driver.py", "eels_driver.py", "pyrevm_driver.py", "bench_io.py"):
        assert (DRIVERS / name).is_file()
    assert Path(bench.__file__).name == "bench.py"


@pytest.mark.pure
def test_best_of_repeats_short_runs_until_min_seconds() -> None:
    driver()  # puts the drivers' directory on sys.path
    import bench_io  # type: ignore[import-not-found]

    def execute(prepared: object) -> Any:
        return bench_io.Outcome()

    plain = bench_io.best_of({"repeats": 3}, object, execute, lambda prepared, outcome: None)
    assert len(plain["runs"]) == 3
    sampled = bench_io.best_of({"repeats": 3, "min_seconds": 0.005}, object, execute, lambda prepared, outcome: None)
    assert len(sampled["runs"]) > 3 and sum(sampled["runs"]) >= 0.005
    assert sampled["seconds"] == min(sampled["runs"])


@pytest.mark.pure
def test_interleaved_ways_take_turns_and_must_agree() -> None:
    driver()
    import bench_io

    order: list[str] = []

    def way(name: str, gas: int) -> Any:
        def execute(prepared: object) -> Any:
            order.append(name)
            outcome = bench_io.Outcome()
            outcome.gas = gas
            return outcome

        return execute

    replies = bench_io.interleaved({"repeats": 3}, object, [way("a", 1), way("b", 1)], lambda prepared, outcome: None)
    assert order == ["a", "b", "b", "a", "a", "b"]  # neither always goes first
    assert [len(reply["runs"]) for reply in replies] == [3, 3]
    with pytest.raises(RuntimeError, match="disagree"):
        bench_io.interleaved({"repeats": 1}, object, [way("a", 1), way("b", 2)], lambda prepared, outcome: None)


@pytest.mark.pure
def test_interleaved_replies_fill_one_row_per_worker_count(
    monkeypatch: pytest.MonkeyPatch, quick_runner: runner.Runner
) -> None:
    turns = [{"gas": 5, "seconds": 2.0, "workers": 1, "path": "sequential"},
             {"gas": 5, "seconds": 1.0, "workers": 2, "path": "Block-STM", "reexecutions": 3}]  # fmt: skip
    reply = {"interleaved": turns, "info": {"compiled": True}, "header_gas": 5}
    sent: list[dict[str, Any]] = []

    def call_driver(engine: engines.Engine, path: Path, timeout: float) -> list[dict[str, Any]]:
        sent.append(json.loads(path.read_text()))
        return [reply]

    monkeypatch.setattr(runner, "call_driver", call_driver)
    engine = engines.Engine("pevm", Path(sys.executable), DRIVERS / "pevm_driver.py", {}, workers=(1, 2))
    rows = [runner.Row("W4", "tx", "pevm", 1), runner.Row("W4", "tx", "pevm", 2)]
    replies = quick_runner.measure(engine, {}, rows)
    assert sent[0]["interleave"] == [1, 2]
    assert [row.seconds for row in rows] == [2.0, 1.0] and rows[1].reexecutions == 3 and rows[1].parallel
    assert all(each["header_gas"] == 5 for each in replies)
    reply = {"error": "RuntimeError: runs disagree"}
    failed = [runner.Row("W4", "tx", "pevm", 1), runner.Row("W4", "tx", "pevm", 2)]
    quick_runner.measure(engine, {}, failed)
    assert all(not row.agrees and "disagree" in row.note for row in failed)  # every row, not just the first


@pytest.mark.pure
def test_only_pevm_failures_and_disagreements_fail_the_run() -> None:
    def noted(engine: str, note: str) -> runner.Row:
        return runner.Row("W3", "msg", engine, 1, note=note, agrees=False)

    assert bench.fails_the_run(noted("pevm", "failed: exit 1: boom"))
    assert bench.fails_the_run(noted("py-evm", "DISAGREES on gas (1 != 2)"))
    assert not bench.fails_the_run(noted("pyrevm", "failed: RuntimeError: Transaction(CallerGasLimitMoreThanBlock)"))
    assert not bench.fails_the_run(noted("eels", "skipped: not installed"))
    assert not bench.fails_the_run(noted("pevm-pure", "skipped: no pevm source checkout here"))
    assert not bench.fails_the_run(noted("pyrevm", "gas 1 != 2: pyrevm 0.3.7 keeps accounts and slots warm"))


@pytest.mark.pure
def test_pevm_pure_is_skipped_outside_a_checkout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Outside a checkout PYTHONPATH would point at no source, and the row would time compiled
    code under the pure-Python label (seen when `pevm bench` ran from /tmp)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(engines, "__file__", str(tmp_path / "site-packages" / "pevm" / "bench" / "engines.py"))
    assert engines.source_root() is None
    pure = [engine for engine in engines.pevm_engines(None, 2) if engine.name == "pevm-pure"]
    assert pure and "checkout" in pure[0].missing


@pytest.mark.pure
def test_a_row_whose_build_is_not_its_label_is_flagged(
    monkeypatch: pytest.MonkeyPatch, quick_runner: runner.Runner
) -> None:
    reply = {"gas": 1, "seconds": 1.0, "info": {"compiled": True, "interp": "loop.so"}}
    monkeypatch.setattr(runner, "call_driver", lambda *args: [reply])
    engine = engines.Engine("pevm-pure", Path(sys.executable), DRIVERS / "pevm_driver.py", {})
    row = runner.Row("W1", "msg", "pevm-pure", 1)
    quick_runner.measure(engine, {}, [row])
    assert not row.agrees and "compiled build" in row.note


# A driver whose timed run records when it started: copies meeting at each round start together.
STAMP_DRIVER = """
import os, sys, time
sys.path.insert(0, DRIVERS)
import bench_io
request = bench_io.load_request()
try:  # the copy that comes first has the slower setup
    os.close(os.open(os.path.join(request["rendezvous"]["dir"], "..", "slow"), os.O_CREAT | os.O_EXCL))
    setup = 0.05
except FileExistsError:
    setup = 0.0
starts = []
def prepare():
    time.sleep(setup)
def execute(prepared):
    starts.append(time.time())
    return bench_io.Outcome()
reply = bench_io.best_of(request, prepare, execute, lambda prepared, outcome: None)
bench_io.reply(dict(reply, starts=starts))
"""


@pytest.mark.pure
def test_copies_of_a_driver_start_every_round_together(tmp_path: Path) -> None:
    script = tmp_path / "stamp.py"
    script.write_text(STAMP_DRIVER.replace("DRIVERS", repr(str(DRIVERS))))
    (tmp_path / "meet").mkdir()
    request = tmp_path / "request.json"
    meeting = {"dir": str(tmp_path / "meet"), "parties": 2}
    request.write_text(json.dumps({"repeats": 3, "min_seconds": 9, "rendezvous": meeting}))
    slow = engines.Engine("slow", Path(sys.executable), script, {}, workers=(1,))
    replies = sorted(runner.call_driver(slow, request, 60.0, copies=2), key=lambda reply: len(reply["solo_runs"]))
    assert [len(reply["runs"]) for reply in replies] == [3, 3]  # exactly `repeats` rounds together
    follower, leader = (reply["starts"] for reply in replies)
    assert len(leader) == 6 and len(replies[1]["solo_runs"]) == 3  # and as many alone, for the leader only
    for index, started in enumerate(follower):
        assert abs(leader[2 * index + 1] - started) < 0.04  # one copy's setup takes 50 ms: the other waits


@pytest.mark.pure
def test_a_workload_ceiling_is_copies_over_the_slowest_copy_per_round(
    monkeypatch: pytest.MonkeyPatch, quick_runner: runner.Runner
) -> None:
    # together, the rounds take 0.30, 0.32 and 0.40 s; one copy alone at best 0.18 s
    copies = [{"runs": [0.28, 0.32, 0.26]}, {"runs": [0.30, 0.25, 0.40], "solo_runs": [0.2, 0.18, 0.19]}]
    monkeypatch.setattr(runner, "call_driver", lambda engine, path, timeout, count: copies[:count])
    one, many = measured("pevm", 1, 0.2), measured("pevm", 1, 0.15)
    one.mode = many.mode = "tx"
    many.workers = 2
    engine = engines.Engine("pevm", Path(sys.executable), DRIVERS / "pevm_driver.py", {}, workers=(1, 2))
    quick_runner.measure_ceiling(engine, {}, [one, many])
    assert many.ceiling == pytest.approx(2 * 0.18 / 0.30)
