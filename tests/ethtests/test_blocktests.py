"""ethereum/tests BlockchainTests through `pevm blocktest`'s runner, and the runner's verdicts.

The default run takes two files of every ValidBlocks/InvalidBlocks folder plus a side-chain
test, sequentially and through each parallel way; the `slow` test runs all of them both ways.
The runner tests edit real fixtures (a valid block marked invalid, a wrong head, a wrong post
state, ...) to show that each wrong verdict fails.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ethtests.blocktest import PARALLEL_WAYS, BlockchainTest, fork_schedule, run_file
from ethtests.report import FAILED, PASSED
from interp.forks import BERLIN, CANCUN, LONDON, SHANGHAI
from interp.header import Header
from pevm.cli import main

# Every folder of BlockchainTests; the default run takes the first two files of each.
FOLDERS = (
    "InvalidBlocks/bc4895-withdrawals", "InvalidBlocks/bcBlockGasLimitTest", "InvalidBlocks/bcEIP1559",
    "InvalidBlocks/bcEIP3675", "InvalidBlocks/bcInvalidHeaderTest", "InvalidBlocks/bcMultiChainTest",
    "InvalidBlocks/bcStateTests", "InvalidBlocks/bcUncleHeaderValidity", "InvalidBlocks/bcUncleSpecialTests",
    "InvalidBlocks/bcUncleTest", "ValidBlocks/bcBlockGasLimitTest", "ValidBlocks/bcEIP1153-transientStorage",
    "ValidBlocks/bcEIP1559", "ValidBlocks/bcEIP3675", "ValidBlocks/bcEIP4844-blobtransactions",
    "ValidBlocks/bcExample", "ValidBlocks/bcExploitTest", "ValidBlocks/bcForkStressTest",
    "ValidBlocks/bcGasPricerTest", "ValidBlocks/bcRandomBlockhashTest", "ValidBlocks/bcStateTests",
    "ValidBlocks/bcValidBlockTest", "ValidBlocks/bcWalletTest",
)  # fmt: skip
SIDE_CHAINS = "InvalidBlocks/bcEIP1559/transFail.json"  # side chains, re-imported block hashes
VALID = "ValidBlocks/bcExample/basefeeExample.json"  # one valid block
INVALID = "InvalidBlocks/bcInvalidHeaderTest/wrongStateRoot.json"  # one block with a wrong state root
KIND_DIFFERS = "InvalidBlocks/bcInvalidHeaderTest/GasLimitIsZero.json"  # rejected for another reason
ZERO_HASH = "0x" + "00" * 32


BOTH_WAYS = pytest.mark.parametrize("parallel", [False, True], ids=["sequential", "parallel"])


def failures(paths: list[Path], parallel: bool = False) -> list[str]:
    return [f"{r.id}: {r.reason}" for path in paths for r in run_file(path, None, None, parallel) if r.status != PASSED]


@BOTH_WAYS
@pytest.mark.parametrize("folder", FOLDERS)
def test_blockchain_folder_slice(shared_dir: Path, folder: str, parallel: bool) -> None:
    files = sorted((shared_dir / "ethereum-tests" / "BlockchainTests" / folder).glob("*.json"))
    assert files, f"no fixtures in {folder}"
    found = failures(files[:2], parallel)
    assert not found, "\n".join(found[:10])


@BOTH_WAYS
def test_side_chains(shared_dir: Path, parallel: bool) -> None:
    found = failures([shared_dir / "ethereum-tests" / "BlockchainTests" / SIDE_CHAINS], parallel)
    assert not found, "\n".join(found)


@pytest.mark.slow
@BOTH_WAYS
def test_all_blockchain_tests(shared_dir: Path, parallel: bool) -> None:
    """All 348 files, 573 tests (once per parallel way through the parallel executor); every
    folder is one of FOLDERS."""
    root = shared_dir / "ethereum-tests" / "BlockchainTests"
    paths = sorted(root.rglob("*.json"))
    assert {path.parent.relative_to(root).as_posix() for path in paths} == set(FOLDERS)
    results = [result for path in paths for result in run_file(path, None, None, parallel)]
    found = [f"{r.id}: {r.reason}" for r in results if r.status != PASSED]
    assert not found, "\n".join(found[:20])
    assert len(results) == 573 * (len(PARALLEL_WAYS) if parallel else 1)


def test_parallel_runs_every_test_once_per_path(shared_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    valid = shared_dir / "ethereum-tests" / "BlockchainTests" / VALID
    ids = [r.id for r in run_file(valid, None, None, True)]
    assert ids == [f"basefeeExample.json::basefeeExample_Cancun[{way}]" for way in PARALLEL_WAYS]
    assert main(["blocktest", "--parallel", "-j", "1", str(valid)]) == 0
    assert f"{len(PARALLEL_WAYS)} passed, 0 failed" in capsys.readouterr().out
    assert main(["blocktest", "--parallel", "--workers", "8", "--repeat", "3", "-j", "1", str(valid)]) == 0
    assert f"{len(PARALLEL_WAYS)} passed, 0 failed" in capsys.readouterr().out  # each way counted once


# --- verdicts ------------------------------------------------------------------------------------
def load(shared: Path, name: str) -> dict[str, Any]:
    """The one test of a shared fixture file, to edit."""
    (test,) = json.loads((shared / "ethereum-tests" / "BlockchainTests" / name).read_text()).values()
    assert isinstance(test, dict)
    return test


def verdict(tmp_path: Path, test: dict[str, Any]) -> tuple[str, str]:
    path = tmp_path / "t.json"
    path.write_text(json.dumps({"t": test}))
    ((case_id, status, reason),) = [(r.id, r.status, r.reason) for r in run_file(path, None, None)]
    assert case_id == "t.json::t"
    return status, reason


def test_the_unedited_fixtures_pass(tmp_path: Path, shared_dir: Path) -> None:
    assert verdict(tmp_path, load(shared_dir, VALID)) == (PASSED, "")
    assert verdict(tmp_path, load(shared_dir, INVALID)) == (PASSED, "")


def test_a_valid_block_expected_invalid_fails(tmp_path: Path, shared_dir: Path) -> None:
    test = load(shared_dir, VALID)
    test["blocks"][0]["expectException"] = "BlockException.INVALID_STATE_ROOT"
    assert verdict(tmp_path, test) == (FAILED, "block 0 accepted, expected BlockException.INVALID_STATE_ROOT")


def test_an_invalid_block_expected_valid_fails_with_the_reason(tmp_path: Path, shared_dir: Path) -> None:
    test = load(shared_dir, INVALID)
    del test["blocks"][0]["expectException"]
    status, reason = verdict(tmp_path, test)
    assert status == FAILED
    assert reason.startswith("block 0 rejected: state root 0x") and reason.endswith("(BlockException.INVALID_STATE_ROOT)")


def test_a_wrong_head_fails(tmp_path: Path, shared_dir: Path) -> None:
    test = load(shared_dir, VALID)
    test["lastblockhash"] = test["genesisBlockHeader"]["hash"]
    status, reason = verdict(tmp_path, test)
    assert status == FAILED and reason == f"head {test['blocks'][0]['blockHeader']['hash']} != lastblockhash " \
                                          f"{test['genesisBlockHeader']['hash']}"  # fmt: skip


def test_a_wrong_post_state_names_the_first_difference(tmp_path: Path, shared_dir: Path) -> None:
    test = load(shared_dir, VALID)
    address = "0xa94f5374fce5edbc8e2a8697c15331677e6ebf0b"
    balance = int(test["postState"][address]["balance"], 16)
    test["postState"][address]["balance"] = hex(balance + 1)
    assert verdict(tmp_path, test) == (FAILED, f"post state: {address} balance {balance} != expected {balance + 1}")


def test_a_post_state_hash_is_checked(tmp_path: Path, shared_dir: Path) -> None:
    test = load(shared_dir, VALID)
    del test["postState"]
    test["postStateHash"] = test["blocks"][0]["blockHeader"]["stateRoot"]
    assert verdict(tmp_path, test) == (PASSED, "")
    test["postStateHash"] = ZERO_HASH
    status, reason = verdict(tmp_path, test)
    assert status == FAILED and reason.endswith("!= postStateHash")


def test_genesis_must_match_the_fixture(tmp_path: Path, shared_dir: Path) -> None:
    test = load(shared_dir, VALID)
    test["genesisBlockHeader"]["hash"] = ZERO_HASH
    status, reason = verdict(tmp_path, test)
    assert status == FAILED and reason.endswith("not the fixture's hash")
    test = load(shared_dir, VALID)
    test["pre"]["0xa94f5374fce5edbc8e2a8697c15331677e6ebf0b"]["balance"] = "0x01"
    status, reason = verdict(tmp_path, test)
    assert status == FAILED and reason.endswith("is not the genesis state root")


@pytest.mark.parametrize(
    ("network", "reason"),
    [("London", "network London: pre-Merge chains are not supported"), ("Frontierish", "network 'Frontierish': unknown fork")],
)
def test_networks_pevm_cannot_run_fail(tmp_path: Path, shared_dir: Path, network: str, reason: str) -> None:
    test = load(shared_dir, VALID)
    test["network"] = network
    status, text = verdict(tmp_path, test)
    assert status == FAILED and text.startswith(reason)


def blockchain_test(network: str) -> BlockchainTest:
    return BlockchainTest("t", network, 1, {}, {}, b"", b"", (), None, None, b"")


def at(number: int, timestamp: int) -> Header:
    return Header(bytes(32), bytes(32), 0, bytes(32), bytes(32), bytes(32), bytes(256), 0, number, 0, 0, timestamp,
                  b"", bytes(32), bytes(8), None, None, None, None, None, None)  # fmt: skip


@pytest.mark.pure
def test_transition_networks_switch_forks_at_their_block_or_time() -> None:
    by_time = fork_schedule(blockchain_test("ShanghaiToCancunAtTime15k"))
    assert [by_time.rules_at(at(100, t)).fork for t in (14_999, 15_000)] == [SHANGHAI, CANCUN]
    by_number = fork_schedule(blockchain_test("BerlinToLondonAt5"))
    assert [by_number.rules_at(at(n, 10**6)).fork for n in (4, 5)] == [BERLIN, LONDON]
    assert fork_schedule(blockchain_test("Cancun")).rules_at(at(0, 0)).fork == CANCUN


# --- the command ---------------------------------------------------------------------------------
def test_cli_prints_notes_failures_and_the_summary(tmp_path: Path, shared_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = shared_dir / "ethereum-tests" / "BlockchainTests"
    out = tmp_path / "summary.json"
    assert main(["blocktest", "-j", "2", "--json", str(out), str(root / KIND_DIFFERS), str(root / VALID)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines == [
        "NOTE GasLimitIsZero.json::GasLimitIsZero_Cancun: block 0 rejected as BlockException.GAS_USED_OVERFLOW, "
        "fixture expects BlockException.INVALID_GASLIMIT",
        "2 passed, 0 failed, 0 skipped",
    ]
    assert json.loads(out.read_text()) == {"passed": 2, "failed": 0, "skipped": 0, "failures": []}
    test = load(shared_dir, VALID)
    test["lastblockhash"] = ZERO_HASH
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"t": test}))
    assert main(["blocktest", "-j", "1", "-k", "bad.json", str(bad), str(root / VALID)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 and lines[0].startswith("FAIL bad.json::t: head 0x") and lines[1] == "0 passed, 1 failed, 0 skipped"


def test_cli_bad_input_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["blocktest", str(tmp_path / "missing.json")]) == 2
    assert capsys.readouterr().err.strip().endswith("missing.json: no such file or directory")
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps({"t": {"network": "Cancun"}}))
    assert main(["blocktest", str(broken)]) == 2
    assert capsys.readouterr().err.strip() == f"pevm: error: {broken}: t: missing field 'postState'"
    (tmp_path / "empty").mkdir()
    assert main(["blocktest", str(tmp_path / "empty")]) == 2
    assert "no test cases ran" in capsys.readouterr().err
