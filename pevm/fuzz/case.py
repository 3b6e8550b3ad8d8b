"""One generated state-test case: a pre-state, a block environment and one transaction.

The same value becomes pevm's inputs (`state`, `block_env`, `transaction`), the JSON that EELS
runs and, with the reference post state, a GeneralStateTests reproducer that `pevm statetest`
runs (`state_test`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final

from interp.chain import MAINNET_CHAIN_ID
from interp.env import BlockEnv
from interp.forks import CANCUN, ForkRules, rules
from interp.plain_state import PlainState
from interp.transaction import ACCESS_LIST, BLOB, LEGACY, Transaction
from interp.tx import blob_base_fee
from primitives.secp256k1 import private_key_to_address

FORK: Final = "Cancun"
ZERO_HASH: Final = "0x" + "00" * 32


def hex_int(value: int) -> str:
    return hex(value)


def hex_bytes(value: bytes) -> str:
    return "0x" + value.hex()


def hex_address(value: int) -> str:
    return f"0x{value:040x}"


def hex_word(value: int) -> str:
    return f"0x{value:064x}"


@dataclass(frozen=True)
class Account:
    balance: int
    nonce: int
    code: bytes
    storage: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True)
class Env:
    coinbase: int
    timestamp: int
    gas_limit: int
    base_fee: int
    prev_randao: int
    excess_blob_gas: int
    # Block 1: BLOCKHASH's window holds only block 0, whose hash both sides read as zero.
    number: int = 1


@dataclass(frozen=True)
class Tx:
    tx_type: int
    secret_key: bytes
    nonce: int
    gas_limit: int
    to: int | None
    value: int
    data: bytes
    gas_price: int = 0  # types 0 and 1
    max_fee_per_gas: int = 0  # types 2 and 3
    max_priority_fee_per_gas: int = 0
    access_list: tuple[tuple[int, tuple[int, ...]], ...] = ()
    max_fee_per_blob_gas: int = 0
    blob_hashes: tuple[bytes, ...] = ()
    sender: int = field(init=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "sender", private_key_to_address(self.secret_key))


@dataclass(frozen=True)
class Case:
    pre: tuple[tuple[int, Account], ...]
    env: Env
    tx: Tx

    # --- pevm's inputs ------------------------------------------------------------------------
    @staticmethod
    def rules() -> ForkRules:
        return rules(CANCUN)

    def state(self) -> PlainState:
        state = PlainState()
        for address, account in self.pre:
            state.set_account(address, account.balance, account.nonce, account.code, dict(account.storage))
        return state

    def block_env(self) -> BlockEnv:
        env = self.env
        return BlockEnv(
            env.coinbase, env.number, env.timestamp, env.gas_limit, 0, env.prev_randao, env.base_fee,
            env.excess_blob_gas, blob_base_fee(env.excess_blob_gas, self.rules()), MAINNET_CHAIN_ID, None,
        )  # fmt: skip

    def transaction(self) -> Transaction:
        tx = self.tx
        return Transaction(
            tx.tx_type, MAINNET_CHAIN_ID if tx.tx_type != LEGACY else None, tx.nonce, tx.gas_limit, tx.to,
            tx.value, tx.data, tx.gas_price, tx.max_fee_per_gas, tx.max_priority_fee_per_gas, tx.access_list,
            tx.max_fee_per_blob_gas, tx.blob_hashes, (), 0, 0, 0, tx.sender,
        )  # fmt: skip

    # --- GeneralStateTests JSON -----------------------------------------------------------------
    def state_test(self, name: str, post: dict[str, Any] | None = None) -> dict[str, Any]:
        """This case as a GeneralStateTests fixture with one Cancun post (the given expected
        `hash`, `logs` and optional `expectException`; zeros when None)."""
        env = self.env
        tx = self.tx
        transaction: dict[str, Any] = {
            "data": [hex_bytes(tx.data)],
            "gasLimit": [hex_int(tx.gas_limit)],
            "value": [hex_int(tx.value)],
            "nonce": hex_int(tx.nonce),
            "secretKey": hex_bytes(tx.secret_key),
            "sender": hex_address(tx.sender),
            "to": hex_address(tx.to) if tx.to is not None else "",
        }
        if tx.tx_type in (LEGACY, ACCESS_LIST):
            transaction["gasPrice"] = hex_int(tx.gas_price)
        else:
            transaction["maxFeePerGas"] = hex_int(tx.max_fee_per_gas)
            transaction["maxPriorityFeePerGas"] = hex_int(tx.max_priority_fee_per_gas)
        if tx.tx_type != LEGACY:
            transaction["accessLists"] = [
                [{"address": hex_address(a), "storageKeys": [hex_word(s) for s in slots]} for a, slots in tx.access_list]
            ]
        if tx.tx_type == BLOB:
            transaction["maxFeePerBlobGas"] = hex_int(tx.max_fee_per_blob_gas)
            transaction["blobVersionedHashes"] = [hex_bytes(h) for h in tx.blob_hashes]
        expected: dict[str, Any] = {"hash": ZERO_HASH, "logs": ZERO_HASH}
        expected.update(post or {})
        expected["indexes"] = {"data": 0, "gas": 0, "value": 0}
        return {
            name: {
                "env": {
                    "currentCoinbase": hex_address(env.coinbase),
                    "currentNumber": hex_int(env.number),
                    "currentTimestamp": hex_int(env.timestamp),
                    "currentGasLimit": hex_int(env.gas_limit),
                    "currentDifficulty": "0x0",
                    "currentRandom": hex_word(env.prev_randao),
                    "currentBaseFee": hex_int(env.base_fee),
                    "currentExcessBlobGas": hex_int(env.excess_blob_gas),
                    "previousHash": ZERO_HASH,
                },
                "pre": {
                    hex_address(address): {
                        "balance": hex_int(account.balance),
                        "nonce": hex_int(account.nonce),
                        "code": hex_bytes(account.code),
                        "storage": {hex_word(k): hex_word(v) for k, v in account.storage},
                    }
                    for address, account in self.pre
                },
                "transaction": transaction,
                "post": {FORK: [expected]},
            }
        }

