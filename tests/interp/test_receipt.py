"""Receipt and log encodings against the generic RLP encoder; logs built in parts."""

from __future__ import annotations

import random
from collections.abc import Callable

import pytest
from hypothesis import given, settings, strategies as st

from interp.block import LogsWork, ReceiptsSoFar, finish_block
from interp.forks import BYZANTIUM, CANCUN, HOMESTEAD, ForkRules
from interp.journal import Log
from interp.receipt import Receipt, digest_logs, encode_log, logs_hash
from interp.tx import TxResult
from pevm import workloads
from primitives import rlp
from primitives.keccak import keccak256

pytestmark = pytest.mark.pure

logs = st.builds(
    Log,
    st.integers(0, 2**160 - 1),
    st.lists(st.binary(min_size=32, max_size=32), max_size=4).map(tuple),
    st.binary(max_size=80),
)


def generic(log: Log) -> bytes:
    return rlp.encode([log.address.to_bytes(20, "big"), list(log.topics), log.data])


@given(logs)
def test_a_log_encodes_as_the_generic_encoder_does(log: Log) -> None:
    assert encode_log(log) == generic(log)


@given(st.lists(logs, max_size=5), st.integers(0, 2**63 - 1), st.booleans(), st.sampled_from([0, 1, 2, 3, 4]))
def test_a_receipt_encodes_as_the_generic_encoder_does(items: list[Log], gas: int, success: bool, tx_type: int) -> None:
    receipt = Receipt(tx_type, success, gas, items, None)
    payload = rlp.encode([1 if success else 0, gas, receipt.bloom, [rlp.decode(generic(log)) for log in items]])
    assert receipt.encode() == (payload if tx_type == 0 else bytes([tx_type]) + payload)
    assert logs_hash(items) == keccak256(rlp.encode([rlp.decode(generic(log)) for log in items]))


def last_part_first(job: Callable[[int, int], None], most: int) -> None:
    """A stand-in for the executor's thread pool: up to four parts, in reverse order."""
    parts = min(most, 4)
    for part in range(parts - 1, -1, -1):
        job(part, parts)


@settings(max_examples=25)
@given(st.lists(st.sampled_from([0, 0, 1, 2, 5, 63, 64, 65, 300]), max_size=12), st.integers(min_value=0))
def test_logs_built_in_parts_give_each_receipt_its_own_bloom_and_encoding(counts: list[int], seed: int) -> None:
    """Parts of 64 logs or more may cut a receipt (15537394 has 10,001 logs in one); every
    receipt still gets the bloom and encoding of exactly its own logs."""
    generator = random.Random(seed)
    results = [TxResult(True, 21_000, [random_log(generator) for _ in range(count)], b"", None, 0, {}, {}) for count in counts]
    work = LogsWork(results)
    last_part_first(work.part, len(work.pieces))
    work.join_pieces()
    for index, result in enumerate(results):
        receipt = Receipt(2, True, 21_000, result.logs, None)
        assert work.blooms[index] == receipt.bloom
        encoded = b"".join(work.encoded[work.starts[index] : work.starts[index + 1]])
        assert Receipt(2, True, 21_000, result.logs, None, work.blooms[index]).encode_with_logs(encoded) == receipt.encode()


def random_log(generator: random.Random) -> Log:
    topics = tuple(generator.randbytes(32) for _ in range(generator.randint(0, 4)))
    return Log(generator.randrange(2**160), topics, generator.randbytes(generator.randint(0, 70)))


@settings(max_examples=25, deadline=None)
@given(st.lists(st.sampled_from([0, 0, 1, 2, 65, 130]), min_size=1, max_size=140), st.data(),
       st.sampled_from([HOMESTEAD, BYZANTIUM, CANCUN]), st.integers(min_value=0))  # fmt: skip
def test_receipts_built_so_far_finish_as_receipts_built_at_the_end(
    counts: list[int], data: st.DataObject, fork: int, seed: int
) -> None:
    """The lookahead's front builds the receipts of the results it takes, in batches
    (`ReceiptsSoFar`), some from logs digested ahead (`digest_logs`, however many); `finish_block`
    builds the rest, in parts: the block's receipts, bloom and root are those of receipts all
    built at the end, wherever the front stopped."""
    generator = random.Random(seed)
    block = workloads.raw_transfers(len(counts)).block
    results = [TxResult(generator.random() < 0.9, generator.randint(21_000, 10**6),
                        [random_log(generator) for _ in range(count)], b"", None, 0, {}, {})
               for count in counts]  # fmt: skip
    digests = [digest_logs(result.logs) if generator.random() < 0.5 else None for result in results]
    rules = ForkRules(fork)
    taken = data.draw(st.integers(0, len(results)))
    batch = data.draw(st.integers(0, taken))
    so_far = ReceiptsSoFar(rules)
    so_far.catch_up(block.transactions, results[:batch])
    so_far.catch_up(block.transactions, results[:taken], digests)
    expected = finish_block(block, rules, results, None, None)
    got = finish_block(block, rules, results, None, None, last_part_first, so_far)
    assert [receipt.encode() for receipt in got.receipts] == [receipt.encode() for receipt in expected.receipts]
    assert got.logs_bloom == expected.logs_bloom
    assert (got.receipts_root, got.gas_used) == (expected.receipts_root, expected.gas_used)
