import json
from pathlib import Path

import pytest

from primitives import rlp
from primitives.keccak import keccak256
from primitives.trie import EMPTY_TRIE_ROOT, ordered_trie_root, secure_trie_root, trie_root


def test_empty_root() -> None:
    assert EMPTY_TRIE_ROOT.hex() == "56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421"
    assert trie_root({}) == EMPTY_TRIE_ROOT


def test_wiki_example() -> None:
    items = {b"doe": b"reindeer", b"dog": b"puppy", b"dogglesworth": b"cat"}
    assert trie_root(items).hex() == "8aad789dff2f538bca5d8ea56e8abe10f4c7ba3a5dea95fea4cd6e7c3a1168d3"


def test_single_and_embedded_nodes() -> None:
    # one short leaf is still hashed at the root; "do"/"dog" makes a branch with a value
    assert trie_root({b"do": b"verb", b"dog": b"puppy", b"doge": b"coin", b"horse": b"stallion"}).hex() == (
        "5991bb8c6514148a29db676a14ac506cd2cd5775ace63c30a4fe457715e9ac84"
    )


def test_ordered_root_of_nothing_is_empty() -> None:
    assert ordered_trie_root([]) == EMPTY_TRIE_ROOT


def test_genesis_state_root(shared_dir: Path) -> None:
    """The genesis stateRoot of a BlockchainTests fixture, from its pre-state."""
    path = shared_dir / "ethereum-tests/BlockchainTests/ValidBlocks/bcExample/basefeeExample.json"
    fixture = next(iter(json.loads(path.read_text()).values()))
    accounts = {}
    for address, account in fixture["pre"].items():
        storage = {int(k, 16).to_bytes(32, "big"): rlp.encode(int(v, 16)) for k, v in account["storage"].items()}
        code = bytes.fromhex(account["code"][2:])
        leaf = [int(account["nonce"], 16), int(account["balance"], 16), secure_trie_root(storage), keccak256(code)]
        accounts[bytes.fromhex(address[2:])] = rlp.encode(leaf)
    assert "0x" + secure_trie_root(accounts).hex() == fixture["genesisBlockHeader"]["stateRoot"]
