"""Loading fixtures: .json and .json.gz, typed values, and errors that name the file and field."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import pytest

from ethtests.exceptions import LEGACY, PEVM_KINDS, alternatives, mismatch
from ethtests.fixtures import FixtureError, fixture_files, load_state_tests, parse_bytes, parse_int
from interp import errors

pytestmark = pytest.mark.pure

Writer = Callable[[Path, dict[str, Any]], Path]
CONTRACT = "0x095e7baea6a6c7c4c2dfeb977efac326af552d87"  # add11's contract (tests/ethtests/conftest.py)


@pytest.mark.parametrize("name", ["add11.json", "add11.json.gz"])
def test_loads_json_and_gzipped_json_into_typed_objects(tmp_path: Path, add11: Any, write_fixture: Writer,
                                                        name: str) -> None:  # fmt: skip
    (test,) = load_state_tests(write_fixture(tmp_path / name, {"add11": add11}))
    assert test.name == "add11" and test.chain_id == 1 and test.blob_schedule == {}
    contract = test.pre[0x095E7BAEA6A6C7C4C2DFEB977EFAC326AF552D87]
    assert (contract.balance, contract.nonce, contract.code, contract.storage) == (10**18, 0, bytes.fromhex("600160010160005500"), {})
    assert test.env.gas_limit == 0xFF112233445566 and test.env.base_fee == 10 and test.env.parent_beacon_block_root is None
    tx = test.transaction
    assert (tx.data, tx.gas_limits, tx.values, tx.gas_price, tx.max_fee_per_gas) == ((b"",), (400_000,), (100_000,), 10, None)
    assert tx.to == 0x095E7BAEA6A6C7C4C2DFEB977EFAC326AF552D87 and tx.tx_type(0) == 0
    (post,) = test.posts
    assert (post.fork, post.data, post.gas, post.value, post.expect_exception, post.state) == ("Cancun", 0, 0, 0, None, None)
    assert post.hash.hex().startswith("e8010ce5") and len(post.logs) == 32
    assert post.case_id(name, test.name) == f"{name}::add11[Cancun-d0g0v0]"


def test_transaction_type_follows_the_fields(tmp_path: Path, add11: Any, write_fixture: Writer) -> None:
    add11["transaction"]["data"] = ["0x", "0x01"]
    add11["transaction"]["accessLists"] = [None, [{"address": "0x01", "storageKeys": ["0x02"]}]]
    add11["transaction"]["to"] = ""
    tx = load_state_tests(write_fixture(tmp_path / "t.json", {"t": add11}))[0].transaction
    assert (tx.tx_type(0), tx.tx_type(1), tx.access_list(1), tx.to) == (0, 1, ((1, (2,)),), None)
    add11["transaction"]["maxFeePerGas"] = "0x10"
    add11["transaction"]["maxPriorityFeePerGas"] = "0x01"
    assert load_state_tests(write_fixture(tmp_path / "t.json", {"t": add11}))[0].transaction.tx_type(0) == 2
    add11["transaction"]["blobVersionedHashes"] = ["0x01" + "00" * 31]
    assert load_state_tests(write_fixture(tmp_path / "t.json", {"t": add11}))[0].transaction.tx_type(0) == 3
    add11["transaction"]["authorizationList"] = [
        {"chainId": "0x01", "address": "0x05", "nonce": "0x00", "v": "0x01", "r": "0x02", "s": "0x03"}
    ]
    tx = load_state_tests(write_fixture(tmp_path / "t.json", {"t": add11}))[0].transaction
    assert tx.tx_type(0) == 4 and tx.authorizations is not None and tx.authorizations[0].y_parity == 1


def test_execution_spec_tests_config_and_post_state(tmp_path: Path, add11: Any, write_fixture: Writer) -> None:
    add11["config"] = {"chainid": "0x0a", "blobSchedule": {"Cancun": {"target": "0x03", "max": "0x06",
                                                                      "baseFeeUpdateFraction": "0x32f0ed"}}}  # fmt: skip
    add11["post"]["Cancun"][0]["state"] = {"0x01": {"balance": "0x05", "nonce": "0x01", "code": "0x", "storage": {"0x01": "0x02"}}}
    add11["post"]["Cancun"][0]["expectException"] = "TR_NoFunds"
    (test,) = load_state_tests(write_fixture(tmp_path / "t.json", {"t": add11}))
    assert test.chain_id == 10 and test.blob_schedule["Cancun"].base_fee_update_fraction == 3338477
    post = test.posts[0]
    assert post.expect_exception == "TR_NoFunds" and post.state is not None and post.state[1].storage == {1: 2}


def test_values_past_256_bits_use_retesteths_bigint_spelling() -> None:
    assert parse_int("0x:bigint 0x010000000000000000000000000000000000000000000000000000000000000001", "v") == 2**256 + 1
    assert parse_int(":bigint 0x10", "v") == 16
    assert (parse_int("0x", "v"), parse_int("12", "v"), parse_int("0X0a", "v")) == (0, 12, 10)
    assert parse_bytes("0xdead", "d") == b"\xde\xad" and parse_bytes("", "d") == b""


def test_malformed_json_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{"t": {')
    with pytest.raises(FixtureError, match=r"broken\.json: not a JSON fixture"):
        load_state_tests(path)
    gz = tmp_path / "broken.json.gz"
    gz.write_bytes(b"not gzip at all")
    with pytest.raises(FixtureError, match=r"broken\.json\.gz: not a JSON fixture"):
        load_state_tests(gz)
    path.write_text("[1, 2]")
    with pytest.raises(FixtureError, match="expected a JSON object of tests"):
        load_state_tests(path)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda t: t.pop("env"), r"bad\.json: t: missing field 'env'"),
        (lambda t: t["env"].pop("currentGasLimit"), r"t\.env: missing field 'currentGasLimit'"),
        (lambda t: t["pre"][CONTRACT].update(code="0x6zz"), rf"t\.pre\[{CONTRACT}\]\.code: not hex data"),
        (lambda t: t["pre"][CONTRACT].update(balance="lots"), r"\.balance: not a number: 'lots'"),
        (lambda t: t["transaction"]["gasLimit"].__setitem__(0, "0xzz"), r"t\.transaction\.gasLimit\[0\]: not a number"),
        (lambda t: t["transaction"].pop("secretKey") and t["transaction"].pop("sender"), r"missing field 'secretKey'"),
        (lambda t: t["post"]["Cancun"][0]["indexes"].update(data=3), r"post\.Cancun\[0\]\.indexes\.data: 3 is out of range"),
        (lambda t: t["post"]["Cancun"][0].update(hash="0x1234"), r"post\.Cancun\[0\]\.hash: expected 32 bytes"),
        (lambda t: t["post"].update(Cancun={}), r"t\.post\.Cancun: expected a list"),
    ],
)
def test_malformed_fields_name_the_file_and_field(tmp_path: Path, add11: Any, write_fixture: Writer,
                                                  change: Callable[[Any], Any], message: str) -> None:  # fmt: skip
    change(add11)
    with pytest.raises(FixtureError, match=message) as error:
        load_state_tests(write_fixture(tmp_path / "bad.json", {"t": add11}))
    assert str(tmp_path / "bad.json") in str(error.value) and "\n" not in str(error.value)


def test_folders_are_searched_recursively_in_sorted_order(tmp_path: Path) -> None:
    for name in ["b/2.json", "b/1.json.gz", "a/z.json", "a/sub/y.json", "a/notes.txt"]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("{}")
    found = fixture_files([tmp_path / "b", tmp_path / "a"])
    assert [p.relative_to(tmp_path).as_posix() for p in found] == ["b/1.json.gz", "b/2.json", "a/sub/y.json", "a/z.json"]
    with pytest.raises(FixtureError, match="missing: no such file or directory"):
        fixture_files([tmp_path / "missing"])


def test_legacy_exception_names_map_to_execution_spec_tests_names() -> None:
    assert mismatch("TR_NoFunds", errors.TX_INSUFFICIENT_FUNDS) is None
    assert mismatch("TR_TypeNotSupported", errors.TX_TYPE_NOT_SUPPORTED) is None
    assert mismatch("TR_NoFundsOrGas", errors.TX_INTRINSIC_GAS) is None
    assert alternatives("TR_IntrinsicGas|TransactionException.NONCE_IS_MAX") == [errors.TX_INTRINSIC_GAS, errors.TX_NONCE_OVERFLOW]
    # Every legacy name maps onto kinds pevm can raise.
    assert all(name in PEVM_KINDS for names in LEGACY.values() for name in names)


def test_alternatives_and_equivalent_kinds() -> None:
    both = "TransactionException.INSUFFICIENT_ACCOUNT_FUNDS|TransactionException.INTRINSIC_GAS_TOO_LOW"
    assert mismatch(both, errors.TX_INTRINSIC_GAS) is None
    assert mismatch("TransactionException.GASLIMIT_PRICE_PRODUCT_OVERFLOW", errors.TX_INSUFFICIENT_FUNDS) is None
    assert mismatch(both, errors.TX_NONCE_TOO_LOW) == f"expected {both}, got {errors.TX_NONCE_TOO_LOW}"


def test_a_name_pevm_cannot_map_fails_with_both_names() -> None:
    reason = mismatch("TR_SomethingNew", errors.TX_INTRINSIC_GAS)
    assert reason is not None and "TR_SomethingNew" in reason and errors.TX_INTRINSIC_GAS in reason
    assert "cannot map TR_SomethingNew" in reason
