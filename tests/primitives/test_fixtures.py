"""Primitives against real data: every BlockchainTests/ValidBlocks fixture's genesis state root,
block header hashes, transaction/withdrawal roots and transaction senders."""

import json
from pathlib import Path
from typing import Any

import pytest

from primitives import rlp, secp256k1
from primitives.keccak import keccak256
from primitives.trie import ordered_trie_root, secure_trie_root

pytestmark = pytest.mark.pure


@pytest.fixture(scope="module")
def fixtures(shared_dir: Path) -> list[dict[str, Any]]:
    paths = sorted((shared_dir / "ethereum-tests/BlockchainTests/ValidBlocks").glob("*/*.json"))
    assert len(paths) > 100
    return [fixture for path in paths for fixture in json.loads(path.read_text()).values()]


def hex_bytes(text: str) -> bytes:
    return bytes.fromhex(text[2:])


def state_root(pre: dict[str, Any]) -> bytes:
    accounts = {}
    for address, account in pre.items():
        storage = {int(k, 16).to_bytes(32, "big"): rlp.encode(int(v, 16)) for k, v in account["storage"].items()}
        leaf = [int(account["nonce"], 16), int(account["balance"], 16), secure_trie_root(storage),
                keccak256(hex_bytes(account["code"]))]  # fmt: skip
        accounts[hex_bytes(address)] = rlp.encode(leaf)
    return secure_trie_root(accounts)


def decoded_blocks(fixtures: list[dict[str, Any]]) -> list[tuple[list[Any], dict[str, Any]]]:
    """(decoded block RLP, the fixture's JSON for that block) for every block."""
    blocks = []
    for fixture in fixtures:
        for block in fixture["blocks"]:
            decoded = rlp.decode(hex_bytes(block["rlp"]))
            assert isinstance(decoded, list)
            blocks.append((decoded, block))
    return blocks


def test_genesis_state_roots(fixtures: list[dict[str, Any]]) -> None:
    for fixture in fixtures:
        assert "0x" + state_root(fixture["pre"]).hex() == fixture["genesisBlockHeader"]["stateRoot"]


def test_block_hashes_and_roots(fixtures: list[dict[str, Any]]) -> None:
    for (header, transactions, ommers, *rest), block in decoded_blocks(fixtures):
        expected = block["blockHeader"]
        assert rlp.encode([header, transactions, ommers, *rest]) == hex_bytes(block["rlp"])
        assert "0x" + keccak256(rlp.encode(header)).hex() == expected["hash"]
        assert "0x" + keccak256(rlp.encode(ommers)).hex() == expected["uncleHash"]
        encoded = [rlp.encode(tx) if isinstance(tx, list) else tx for tx in transactions]
        assert "0x" + ordered_trie_root(encoded).hex() == expected["transactionsTrie"]
        if "withdrawalsRoot" in expected:
            withdrawals = [rlp.encode(withdrawal) for withdrawal in rest[0]]
            assert "0x" + ordered_trie_root(withdrawals).hex() == expected["withdrawalsRoot"]


def signing_hash_and_signature(tx: object) -> tuple[bytes, int, int, int]:
    """The hash a transaction's sender signed, and (recovery_id, r, s)."""
    if isinstance(tx, list):  # legacy: v = 27/28, or 35/36 + 2 chain_id (EIP-155)
        v, r, s = (rlp.decode_int(field) for field in tx[6:9])
        if v >= 35:
            message = rlp.encode(tx[:6] + [(v - 35) // 2, 0, 0])
            return keccak256(message), (v - 35) % 2, r, s
        return keccak256(rlp.encode(tx[:6])), v - 27, r, s
    assert isinstance(tx, bytes)
    fields = rlp.decode(tx[1:])
    assert isinstance(fields, list)
    y_parity, r, s = (rlp.decode_int(field) for field in fields[-3:])
    return keccak256(tx[:1] + rlp.encode(fields[:-3])), y_parity, r, s


def test_transaction_senders(fixtures: list[dict[str, Any]]) -> None:
    """Every sender with the active backend; every tenth also with the pure one."""
    pure = secp256k1.load_backend("python")
    count = 0
    for (_, transactions, *_), block in decoded_blocks(fixtures):
        for tx, expected in zip(transactions, block["transactions"], strict=True):
            msg_hash, recovery_id, r, s = signing_hash_and_signature(tx)
            sender = secp256k1.recover_address(msg_hash, recovery_id, r, s)
            assert sender is not None
            if "sender" in expected:  # two in SimpleTx3LowS.json name none
                assert sender == int(expected["sender"], 16)
            if count % 10 == 0:
                public = pure.recover_public_key(msg_hash, recovery_id, r, s)
                assert public == secp256k1.recover_public_key(msg_hash, recovery_id, r, s)
            count += 1
    assert count > 1000
