"""Synthetic blocks for benchmarks and parallel-correctness tests.

The independent blocks follow RISE pevm's gigagas benchmark (`$PEVM_SHARED/contracts/README.md`):
raw self-transfers, ERC-20 self-transfers and (in `pevm.uniswap`) Uniswap V3 swaps. The
conflict blocks are built to stress Block-STM: one sender's chain of transactions, a hot
contract every transaction writes, coinbase readers, SELFDESTRUCT then CREATE2 redeploy, and
many transfers to one recipient. Addresses and amounts come from a seeded generator, so a
workload is the same every run.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Final

from interp.chain import MAINNET_CHAIN_ID
from interp.forks import CANCUN, ForkRules, rules
from interp.header import EMPTY_OMMERS_HASH, Block, Header
from interp.plain_state import PlainState
from interp.transaction import LEGACY, Transaction
from primitives.keccak import keccak256
from primitives.secp256k1 import private_key_to_address, sign
from primitives.trie import EMPTY_TRIE_ROOT

from pevm.asm import assemble

CANCUN_TIMESTAMP: Final = 1710338135
GAS_PRICE: Final = 0xB2D05E07  # RISE pevm's benchmark gas price
RICH: Final = 4567 * 10**18
ERC20_TRANSFER_GAS: Final = 35_000
TRANSFER_SELECTOR: Final = bytes.fromhex("a9059cbb")


class Workload:
    """A block, the state it runs on and the rules it runs under."""

    def __init__(self, name: str, state: PlainState, block: Block, fork_rules: ForkRules) -> None:
        self.name = name
        self.state = state
        self.block = block
        self.rules = fork_rules
        self.chain_id = MAINNET_CHAIN_ID

    @property
    def gas_limit_total(self) -> int:
        return sum(tx.gas_limit for tx in self.block.transactions)


def synthetic_header(gas_limit: int, coinbase: int = 0, number: int = 19_500_000) -> Header:
    """A Cancun header with zero base fee (fees go to the coinbase as priority fees)."""
    zero = bytes(32)
    return Header(
        zero, EMPTY_OMMERS_HASH, coinbase, zero, EMPTY_TRIE_ROOT, EMPTY_TRIE_ROOT, bytes(256), 0,
        number, gas_limit, 0, CANCUN_TIMESTAMP + 12, b"", zero, bytes(8), 0, EMPTY_TRIE_ROOT, 0, 0,
        None, None,
    )  # fmt: skip


class Accounts:
    """Deterministic externally owned accounts; with keys when transactions must be signed."""

    def __init__(self, seed: int, signed: bool) -> None:
        self.random = random.Random(seed)
        self.signed = signed
        self.keys: dict[int, bytes] = {}

    def new(self) -> int:
        if self.signed:
            key = keccak256(self.random.getrandbits(256).to_bytes(32, "big"))
            address = private_key_to_address(key)
            self.keys[address] = key
            return address
        return self.random.getrandbits(160)

    def transaction(self, sender: int, nonce: int, to: int | None, value: int, data: bytes, gas_limit: int) -> Transaction:
        """A legacy EIP-155 transaction; signed when the accounts have keys."""
        tx = Transaction(LEGACY, MAINNET_CHAIN_ID, nonce, gas_limit, to, value, data, GAS_PRICE, 0, 0,
                         (), 0, (), (), 0, 0, 0, sender)  # fmt: skip
        if not self.signed:
            return tx
        recovery_id, r, s = sign(tx.signing_hash(), self.keys[sender])
        signed = Transaction(LEGACY, MAINNET_CHAIN_ID, nonce, gas_limit, to, value, data, GAS_PRICE,
                             0, 0, (), 0, (), (), MAINNET_CHAIN_ID * 2 + 35 + recovery_id, r, s, sender)  # fmt: skip
        return signed


def _block(state: PlainState, transactions: list[Transaction], name: str) -> Workload:
    state.set_account(0, 0, 0, b"", {})  # the empty beneficiary, as in RISE pevm's blocks
    gas = sum(tx.gas_limit for tx in transactions)
    header = synthetic_header(max(gas, 30_000_000))
    return Workload(name, state, Block(header, transactions, [], []), rules(CANCUN))


def raw_transfers(count: int, signed: bool = False, seed: int = 1) -> Workload:
    """Independent raw transfers: every account sends 1 wei to itself."""
    accounts = Accounts(seed, signed)
    state = PlainState()
    transactions = []
    for _ in range(count):
        sender = accounts.new()
        state.set_account(sender, RICH, 0, b"", {})
        transactions.append(accounts.transaction(sender, 0, sender, 1, b"", 21_000))
    return _block(state, transactions, f"raw-transfers-{count}")


def transfers_between(count: int, signed: bool = False, seed: int = 2) -> Workload:
    """Plain ETH transfers between distinct accounts (W5): each sender pays a fresh recipient."""
    accounts = Accounts(seed, signed)
    state = PlainState()
    transactions = []
    for _ in range(count):
        sender = accounts.new()
        recipient = accounts.new()
        state.set_account(sender, RICH, 0, b"", {})
        transactions.append(accounts.transaction(sender, 0, recipient, 10**15, b"", 21_000))
    return _block(state, transactions, f"transfers-{count}")


def mapping_slot(key: int, root: int) -> int:
    """Solidity mapping entry m[key] with m at slot `root`."""
    return int.from_bytes(keccak256(key.to_bytes(32, "big") + root.to_bytes(32, "big")), "big")


def short_string(text: str) -> int:
    """A Solidity short string slot: UTF-8 bytes left-aligned, 2 * length in the low byte."""
    raw = text.encode()
    return int.from_bytes(raw.ljust(31, b"\0") + bytes([2 * len(raw)]), "big")


def read_contract(contracts_dir: Path, relative: str) -> bytes:
    return bytes.fromhex((contracts_dir / relative).read_text().strip())


def erc20_storage(holders: dict[int, int], name: str, symbol: str) -> dict[int, int]:
    """ERC20Token's storage: balances (slot 0), total supply, name, symbol, decimals."""
    storage = {2: 222_222 * 10**18, 3: short_string(name), 4: short_string(symbol), 5: 18}
    for holder, amount in holders.items():
        storage[mapping_slot(holder, 0)] = amount
    return storage


def erc20_transfers(count: int, contracts_dir: Path, signed: bool = False, seed: int = 3, families: int = 0) -> Workload:
    """ERC-20 `transfer`s. Independent (families=0): each person sends to itself. With
    `families`, senders are grouped and pay random members of their own family (conflicts)."""
    accounts = Accounts(seed, signed)
    token = accounts.new()
    people = [accounts.new() for _ in range(count)]
    state = PlainState()
    state.set_account(token, 0, 1, read_contract(contracts_dir, "erc20/ERC20Token.hex"),
                      erc20_storage({person: 10**18 for person in people}, "Gold Token", "GLD"))  # fmt: skip
    transactions = []
    for index, person in enumerate(people):
        state.set_account(person, RICH, 0, b"", {})
        recipient = person
        if families:
            family = index % families
            recipient = accounts.random.choice(people[family::families])
        amount = accounts.random.randrange(256)
        data = TRANSFER_SELECTOR + recipient.to_bytes(32, "big") + amount.to_bytes(32, "big")
        transactions.append(accounts.transaction(person, 0, token, 0, data, ERC20_TRANSFER_GAS))
    label = f"erc20-{count}" if not families else f"erc20-{count}-families-{families}"
    return _block(state, transactions, label)


# --- conflict-heavy blocks ------------------------------------------------------------------
def _conflict_state(accounts: Accounts, senders: int) -> tuple[PlainState, list[int]]:
    state = PlainState()
    people = [accounts.new() for _ in range(senders)]
    for person in people:
        state.set_account(person, RICH, 0, b"", {})
    return state, people


def same_sender_chain(count: int, signed: bool = False, seed: int = 10) -> Workload:
    """One sender's chain of transfers: every transaction depends on the one before."""
    accounts = Accounts(seed, signed)
    state, (sender,) = _conflict_state(accounts, 1)
    transactions = [accounts.transaction(sender, nonce, accounts.new(), 10**15, b"", 21_000) for nonce in range(count)]
    return _block(state, transactions, f"same-sender-{count}")


# Increments slot 0 and logs the new value: every call conflicts with the previous one.
HOT_COUNTER = assemble(["PUSH1", 0, "SLOAD", "PUSH1", 1, "ADD", "DUP1", "PUSH1", 0, "SSTORE",
                        "PUSH1", 0, "MSTORE", "PUSH1", 32, "PUSH1", 0, "LOG0", "STOP"])  # fmt: skip
# Stores the coinbase balance under the caller: it must see every earlier fee payment.
COINBASE_READER = assemble(["COINBASE", "BALANCE", "CALLER", "SSTORE", "STOP"])


def hot_contract(count: int, senders: int = 8, signed: bool = False, seed: int = 11) -> Workload:
    """Few senders calling one counter contract that every transaction writes."""
    accounts = Accounts(seed, signed)
    state, people = _conflict_state(accounts, senders)
    counter = accounts.new()
    state.set_account(counter, 0, 1, HOT_COUNTER, {})
    nonces = dict.fromkeys(people, 0)
    transactions = []
    for index in range(count):
        sender = people[index % senders]
        transactions.append(accounts.transaction(sender, nonces[sender], counter, 0, b"", 60_000))
        nonces[sender] += 1
    return _block(state, transactions, f"hot-contract-{count}")


def coinbase_readers(count: int, signed: bool = False, seed: int = 12) -> Workload:
    """Transfers interleaved with calls that read the coinbase balance (folding every fee)."""
    accounts = Accounts(seed, signed)
    state, people = _conflict_state(accounts, count)
    reader = accounts.new()
    state.set_account(reader, 0, 1, COINBASE_READER, {})
    transactions = []
    for index, person in enumerate(people):
        if index % 3 == 2:
            transactions.append(accounts.transaction(person, 0, reader, 0, b"", 60_000))
        else:
            transactions.append(accounts.transaction(person, 0, accounts.new(), 1, b"", 21_000))
    return _block(state, transactions, f"coinbase-readers-{count}")


def transfers_to_one(count: int, signed: bool = False, seed: int = 13) -> Workload:
    """Many senders pay one recipient, which now and then spends (reads) its balance."""
    accounts = Accounts(seed, signed)
    state, people = _conflict_state(accounts, count)
    recipient = people[0]
    spent = 0
    transactions = []
    for index, person in enumerate(people[1:], start=1):
        transactions.append(accounts.transaction(person, 0, recipient, 10**16, b"", 21_000))
        if index % 10 == 0:
            transactions.append(accounts.transaction(recipient, spent, accounts.new(), 10**15, b"", 21_000))
            spent += 1
    return _block(state, transactions, f"transfers-to-one-{count}")


# Child contract: no calldata -> SSTORE(1, 42); first byte 1 -> SELFDESTRUCT(caller);
# first byte 2 -> LOG0 of SLOAD(1) (so a stale read shows up in the receipts).
CHILD_RUNTIME = assemble([
    "CALLDATASIZE", "ISZERO", ("@", "store"), "JUMPI",
    "PUSH1", 0, "CALLDATALOAD", "PUSH1", 0xF8, "SHR",
    "DUP1", "PUSH1", 1, "EQ", ("@", "destroy"), "JUMPI",
    "PUSH1", 2, "EQ", ("@", "read"), "JUMPI", "STOP",
    "store:", "PUSH1", 42, "PUSH1", 1, "SSTORE", "STOP",
    "destroy:", "CALLER", "SELFDESTRUCT",
    "read:", "PUSH1", 1, "SLOAD", "PUSH1", 0, "MSTORE", "PUSH1", 32, "PUSH1", 0, "LOG0", "STOP",
])  # fmt: skip


def _init_code(runtime: bytes) -> bytes:
    """Init code that returns `runtime` (copied from the end of the init code itself)."""
    prefix_length = 12
    prefix = assemble(["PUSH1", len(runtime), "DUP1", "PUSH1", prefix_length, "PUSH1", 0, "CODECOPY",
                       "PUSH1", 0, "RETURN"])  # fmt: skip
    assert len(prefix) == 11
    return prefix + b"\x00" + runtime


CHILD_INIT = _init_code(CHILD_RUNTIME)
# Factory: CREATE2(salt 0) the child from the init code in its calldata (a collision pushes 0).
FACTORY = assemble([
    "CALLDATASIZE", "PUSH1", 0, "PUSH1", 0, "CALLDATACOPY",
    "PUSH1", 0, "CALLDATASIZE", "PUSH1", 0, "PUSH1", 0, "CREATE2", "STOP",
])  # fmt: skip


def selfdestruct_redeploy(count: int, signed: bool = False, seed: int = 14, fork: int = 11) -> Workload:
    """Deploy via CREATE2, store, read, SELFDESTRUCT, redeploy at the same address, read again.

    Runs under Shanghai by default, where SELFDESTRUCT still deletes an existing account, so a
    redeployed child must read its storage as wiped. (Cancun keeps the account unless it was
    created in the same transaction.)
    """
    accounts = Accounts(seed, signed)
    state, people = _conflict_state(accounts, 4)
    factory = accounts.new()
    state.set_account(factory, 0, 1, FACTORY, {})
    salt_preimage = b"\xff" + factory.to_bytes(20, "big") + bytes(32) + keccak256(CHILD_INIT)
    child = int.from_bytes(keccak256(salt_preimage)[12:], "big")
    # deploy, store 42, read, destroy, redeploy, read (must log 0: the storage was wiped), ...
    plan = [(CHILD_INIT, factory), (b"", child), (b"\x02", child), (b"\x01", child), (CHILD_INIT, factory),
            (b"\x02", child)]  # fmt: skip
    nonces = dict.fromkeys(people, 0)
    transactions = []
    for index in range(count):
        data, to = plan[index % len(plan)]
        sender = people[index % len(people)]
        transactions.append(accounts.transaction(sender, nonces[sender], to, 0, data, 200_000))
        nonces[sender] += 1
    workload = _block(state, transactions, f"selfdestruct-redeploy-{count}")
    workload.rules = rules(fork)
    return workload


CONFLICT_WORKLOADS: Final = {
    "same-sender": same_sender_chain,
    "hot-contract": hot_contract,
    "coinbase-readers": coinbase_readers,
    "transfers-to-one": transfers_to_one,
    "selfdestruct-redeploy": selfdestruct_redeploy,
}
