"""Primitives called from several threads at once, as Block-STM workers call them: with the GIL
off (free-threaded 3.13t) every answer must still be right."""

import random
import threading
from collections.abc import Callable

import pytest
from Crypto.Hash import keccak as pycryptodome_keccak

from primitives import secp256k1
from primitives.keccak import keccak256
from primitives.trie import secure_trie_root

pytestmark = pytest.mark.pure
THREADS = 4


def run_in_threads(work: Callable[[], list[str]]) -> list[str]:
    """Run `work` in THREADS threads at once; return every failure they report."""
    failures: list[str] = []

    def record() -> None:
        failures.extend(work())

    threads = [threading.Thread(target=record) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return failures


def test_keccak() -> None:
    inputs = [index.to_bytes(32, "big") * (1 + index % 5) for index in range(300)]
    expected = [pycryptodome_keccak.new(digest_bits=256, data=data).digest() for data in inputs]

    def work() -> list[str]:
        return [data.hex() for _ in range(20) for data, digest in zip(inputs, expected) if keccak256(data) != digest]

    assert run_in_threads(work) == []


def test_secp256k1_recover_and_sign() -> None:
    rng = random.Random(3)
    cases = []
    for _ in range(40):
        key = rng.randrange(1, secp256k1.SECP256K1_N).to_bytes(32, "big")
        msg = keccak256(key)
        cases.append((msg, key, secp256k1.sign(msg, key), secp256k1.private_key_to_address(key)))
    rounds = 10 if secp256k1.BACKEND != "python" else 1

    def work() -> list[str]:
        failures = []
        for _ in range(rounds):
            for msg, key, signature, address in cases:
                if secp256k1.recover_address(msg, *signature) != address or secp256k1.sign(msg, key) != signature:
                    failures.append(key.hex())
        return failures

    assert run_in_threads(work) == []


def test_trie_roots() -> None:
    rng = random.Random(4)
    items = {rng.randbytes(20): rng.randbytes(rng.randrange(1, 70)) for _ in range(500)}
    root = secure_trie_root(items)

    def work() -> list[str]:
        return [root.hex() for _ in range(10) if secure_trie_root(items) != root]

    assert run_in_threads(work) == []
