"""Receipts, their logs bloom and encodings (typed receipts from EIP-2718)."""

from __future__ import annotations

from typing import Final, final

from mypy_extensions import i64

from interp.journal import Log
from primitives import rlp
from primitives.bloom import logs_bloom
from primitives.keccak import keccak256

_ADDRESS_PREFIX: Final = b"\x94"  # a 20-byte string


def encode_log(log: Log) -> bytes:
    """RLP of [address, [topics...], data], built without the generic encoder's lists and type
    dispatch: a block's receipts encode every log (15537394 has 10,001 in one receipt)."""
    topics = b"".join([rlp.encode_bytes(topic) for topic in log.topics])
    return rlp.encode_list_payload(
        _ADDRESS_PREFIX + log.address.to_bytes(20, "big") + rlp.encode_list_payload(topics) + rlp.encode_bytes(log.data)
    )


def encode_logs(logs: list[Log]) -> bytes:
    """RLP of the list of logs."""
    return rlp.encode_list_payload(b"".join([encode_log(log) for log in logs]))


def logs_hash(logs: list[Log]) -> bytes:
    """keccak256 of the RLP list of logs, as state tests check it."""
    return keccak256(encode_logs(logs))


def bloom_of(logs: list[Log], known: dict[bytes, bytes] | None = None) -> bytes:
    """The logs' bloom; `known` caches entry hashes across a block's receipts (`logs_bloom`)."""
    entries: list[bytes] = []
    for log in logs:
        entries.append(log.address.to_bytes(20, "big"))
        for topic in log.topics:
            entries.append(topic)
    return logs_bloom(entries, known)


# A receipt's logs as its encoding and bloom need them: their encodings joined, and their bloom.
# Built by the thread that executed the transaction where that thread has time to spare
# (the lookahead's workers, `parallel.lookahead`), so the thread taking results in order does not.
LogsDigest = tuple[bytes, bytes]


def digest_logs(logs: list[Log], known: dict[bytes, bytes] | None = None) -> LogsDigest:
    """`logs`' encodings joined and their bloom (`known`: as for `bloom_of`)."""
    return b"".join([encode_log(log) for log in logs]), bloom_of(logs, known)


@final
class Receipt:
    tx_type: Final[int]
    success: Final[bool]
    cumulative_gas_used: Final[i64]
    logs: Final[list[Log]]
    bloom: Final[bytes]
    # Before Byzantium a receipt holds the intermediate state root, which a partial pre-state
    # cannot give; such receipts are not verifiable and carry None.
    post_state: Final[bytes | None]

    def __init__(
        self,
        tx_type: int,
        success: bool,
        cumulative_gas_used: i64,
        logs: list[Log],
        post_state: bytes | None,
        bloom: bytes | None = None,
    ) -> None:
        """`bloom` is the logs' bloom where the caller has it (`interp.block` builds them in parts)."""
        self.tx_type = tx_type
        self.success = success
        self.cumulative_gas_used = cumulative_gas_used
        self.logs = logs
        self.bloom = bloom_of(logs) if bloom is None else bloom
        self.post_state = post_state

    def encode(self) -> bytes:
        """Consensus encoding: RLP for legacy receipts, type byte + RLP for typed ones."""
        return self.encode_with_logs(b"".join([encode_log(log) for log in self.logs]))

    def encode_with_logs(self, encoded_logs: bytes) -> bytes:
        """`encode`, given its logs' encodings joined (built in parts by `interp.block`)."""
        status: object = self.post_state if self.post_state is not None else (1 if self.success else 0)
        payload = rlp.encode_list_payload(
            rlp.encode(status)
            + rlp.encode(self.cumulative_gas_used)
            + rlp.encode_bytes(self.bloom)
            + rlp.encode_list_payload(encoded_logs)
        )
        if self.tx_type == 0:
            return payload
        return bytes([self.tx_type]) + payload
