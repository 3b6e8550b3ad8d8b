"""Hypothesis strategies: EVM programs, pre-states of contracts that call each other,
transactions of every Cancun type, and blocks built to conflict.

Programs are sequences of stack-balanced snippets (each leaves the stack as it found it), biased
towards what breaks interpreters: calls of every kind between the generated contracts and into
precompiles, creates, storage and transient storage over a small pool of slots, memory growth,
reverts and self-destructs. Results are sunk into storage so a wrong value shows in the state
root. A small share of raw bytes keeps undefined opcodes and stack underflows in the mix.
"""

from __future__ import annotations

import random
from typing import Final

from hypothesis import strategies as st

from interp.chain import MAINNET_CHAIN_ID
from interp.forks import CANCUN, SHANGHAI, rules
from interp.header import Block
from interp.transaction import ACCESS_LIST, BLOB, DYNAMIC_FEE, LEGACY, Transaction
from interp.tx import blob_base_fee, intrinsic_gas
from pevm import workloads
from pevm.asm import assemble, push
from pevm.fuzz.case import Account, Case, Env, Tx

# --- the world the programs live in ----------------------------------------------------------
CONTRACTS: Final = tuple((0xC0DE << 144) | i for i in range(1, 5))
EOAS: Final = tuple((0xE0A << 148) | i for i in range(1, 3))
ABSENT: Final = tuple((0xDEAD << 144) | i for i in range(1, 3))
PRECOMPILES: Final = tuple(range(1, 11))
COINBASE: Final = 0xC0FFEE << 136
# Three fixed keys: the sender and two other accounts that can be paid and read.
SECRET_KEYS: Final = tuple(bytes([i]) * 32 for i in (0x45, 0x46, 0x47))
SLOTS: Final = (0, 1, 2, 3, 0x100)
WORDS: Final = (0, 1, 2, 3, 31, 32, 0xFF, 0x100, 2**64 - 1, 2**128, 2**255, 2**256 - 1, 2**256 - 2)
GAS_LIMIT: Final = 30_000_000
MAX_TX_GAS: Final = 3_000_000
RICH: Final = 10**24
VERSIONED_HASH: Final = b"\x01" + bytes(31)

# Opcodes that push one value from nothing: environment, block and frame state.
NULLARY: Final = (
    "ADDRESS", "ORIGIN", "CALLER", "CALLVALUE", "CALLDATASIZE", "CODESIZE", "GASPRICE", "RETURNDATASIZE",
    "COINBASE", "TIMESTAMP", "NUMBER", "PREVRANDAO", "GASLIMIT", "CHAINID", "SELFBALANCE", "BASEFEE",
    "BLOBBASEFEE", "PC", "MSIZE", "GAS",
)  # fmt: skip
# Opcodes that turn one value into one.
UNARY: Final = ("ISZERO", "NOT", "BALANCE", "EXTCODESIZE", "EXTCODEHASH", "CALLDATALOAD", "MLOAD", "SLOAD",
                "TLOAD", "BLOBHASH", "BLOCKHASH")  # fmt: skip
BINARY: Final = ("ADD", "MUL", "SUB", "DIV", "SDIV", "MOD", "SMOD", "EXP", "SIGNEXTEND", "LT", "GT", "SLT", "SGT",
                 "EQ", "AND", "OR", "XOR", "BYTE", "SHL", "SHR", "SAR", "KECCAK256")  # fmt: skip
TERNARY: Final = ("ADDMOD", "MULMOD")


SENDERS: Final = tuple(Tx(LEGACY, key, 0, 0, None, 0, b"").sender for key in SECRET_KEYS)
OTHERS: Final = EOAS + SENDERS + ABSENT + (COINBASE,)
# Valid precompile inputs, so calls get past input checks: (address, input).
PRECOMPILE_INPUTS: Final = (
    (2, b"abc"),
    (3, b"abc"),
    (4, bytes(range(40))),
    (5, (1).to_bytes(32, "big") * 3 + b"\x03\x05\x07"),  # 3**5 % 7
    (6, (1).to_bytes(32, "big") + (2).to_bytes(32, "big") + (1).to_bytes(32, "big") + (2).to_bytes(32, "big")),
    (7, (1).to_bytes(32, "big") + (2).to_bytes(32, "big") + (3).to_bytes(32, "big")),
    (8, b""),
    (9, (2).to_bytes(4, "big") + bytes(209)),
)
RUNTIMES: Final = (b"", workloads.HOT_COUNTER, workloads.COINBASE_READER, b"\xef\x00", b"\x60\x00\xff")
CALL_GAS: Final[tuple[list[object], ...]] = (["GAS"], ["PUSH0"], ["PUSH1", 100], ["PUSH2", 2300], ["PUSH2", 5000],
                                             ["PUSH2", 30_000], ["PUSH3", 100_000])  # fmt: skip
SNIPPET_KINDS: Final = 41
# One hypothesis draw per snippet (a "gene") keeps generation cheap; a gene's low part picks the
# snippet kind, so shrinking towards small genes also shrinks towards simple snippets.
GENES: Final = st.integers(0, 2**32 - 1)


def _push(value: int) -> list[object]:
    return push(value) if value else ["PUSH0"]


def _chunks(data: bytes) -> list[object]:
    """Code that writes `data` to memory from offset 0."""
    code: list[object] = []
    for start in range(0, len(data), 32):
        code += [*_push(int.from_bytes(data[start : start + 32].ljust(32, b"\0"), "big")), *_push(start), "MSTORE"]
    return code


class Builder:
    """Builds stack-balanced snippets from one gene's random stream."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    def rare(self, odds: int) -> bool:
        return self.rng.randrange(odds) == 0

    def address(self) -> int:
        """Anyone a program may name: the contracts (most often), precompiles, EOAs, the absent."""
        pick = self.rng.randrange(4)
        return self.rng.choice(CONTRACTS if pick < 2 else PRECOMPILES if pick == 2 else OTHERS)

    def word(self) -> int:
        pick = self.rng.randrange(4)
        if pick == 0:
            return self.rng.choice(WORDS)
        if pick == 1:
            return self.rng.getrandbits(256)
        return self.rng.randrange(65) if pick == 2 else self.rng.choice(CONTRACTS)

    def offset(self) -> int:
        """Memory offsets: mostly small, sometimes growing memory a lot, rarely unpayable."""
        if self.rare(12):
            return self.rng.choice((0x400, 0x2000, 0x10000, 0x20000, 2**32, 2**255))
        return self.rng.randrange(97)

    def size(self) -> int:
        return self.rng.choice((0x100, 0x1000, 0x10000, 2**32)) if self.rare(12) else self.rng.randrange(65)

    def value(self, depth: int = 0) -> list[object]:
        """Code that pushes exactly one value."""
        kind = self.rng.randrange(10 if depth < 2 else 4)
        if kind <= 2:
            return _push(self.word())
        if kind == 3:
            return [self.rng.choice(NULLARY)]
        if kind <= 5:
            op = self.rng.choice(UNARY)
            if op in ("BALANCE", "EXTCODESIZE", "EXTCODEHASH"):
                return [*_push(self.address()), op]
            if op in ("SLOAD", "TLOAD"):
                return [*_push(self.rng.choice(SLOTS)), op]
            if op == "MLOAD":
                return [*_push(self.offset()), op]
            return [*self.value(depth + 1), op]
        if kind <= 8:
            return [*self.value(depth + 1), *self.value(depth + 1), self.rng.choice(BINARY)]
        return [*self.value(depth + 1), *self.value(depth + 1), *self.value(depth + 1), self.rng.choice(TERNARY)]

    def sink(self) -> list[object]:
        """Consume the value on top: into storage, into memory, or dropped."""
        pick = self.rng.randrange(4)
        if pick == 2:
            return [*_push(self.rng.choice(SLOTS)), "SSTORE"]
        return ["PUSH0", "MSTORE"] if pick == 3 else ["POP"]

    def store(self) -> list[object]:
        """SSTORE or TSTORE a value into the slot pool."""
        return [*self.value(), *_push(self.rng.choice(SLOTS)), self.rng.choice(("SSTORE", "SSTORE", "TSTORE"))]

    def memory(self) -> list[object]:
        kind = self.rng.choice(("MSTORE", "MSTORE8", "MCOPY", "CALLDATACOPY", "CODECOPY", "RETURNDATACOPY", "EXTCODECOPY"))
        if kind in ("MSTORE", "MSTORE8"):
            return [*self.value(), *_push(self.offset()), kind]
        size, source, destination = _push(self.size()), _push(self.offset()), _push(self.offset())
        if kind == "RETURNDATACOPY" and self.rng.randrange(3):  # out-of-bounds reads halt: mostly in bounds
            size, source = ["RETURNDATASIZE"] if self.rng.randrange(2) else ["PUSH0"], ["PUSH0"]
        if kind == "EXTCODECOPY":
            return [*size, *source, *destination, *_push(self.address()), kind]
        return [*size, *source, *destination, kind]

    def log(self) -> list[object]:
        topics = self.rng.randrange(5)
        code: list[object] = []
        for _ in range(topics):
            code += self.value()
        return [*code, *_push(self.size()), *_push(self.offset()), f"LOG{topics}"]

    def call(self) -> list[object]:
        """A call of any kind (sometimes with a well-formed precompile input), its flag sunk."""
        op = self.rng.choice(("CALL", "CALL", "CALLCODE", "DELEGATECALL", "STATICCALL"))
        code: list[object] = []
        target, in_offset, in_size = self.address(), self.offset(), self.size()
        if self.rare(5):
            target, data = self.rng.choice(PRECOMPILE_INPUTS)
            code += _chunks(data)
            in_offset, in_size = 0, len(data)
        gas = self.rng.choice(CALL_GAS)
        code += [*_push(self.size()), *_push(self.offset()), *_push(in_size), *_push(in_offset)]
        if op in ("CALL", "CALLCODE"):
            pick = self.rng.randrange(4)
            code += _push(0 if pick < 2 else self.rng.randrange(1, 10**6) if pick == 2 else self.rng.choice((10**18, 2**255)))
        return [*code, *_push(target), *gas, op, *self.sink()]

    def init_code(self) -> bytes:
        """Init code: returns a small runtime, reverts, self-destructs, or runs snippets first."""
        runtime = self.rng.choice(RUNTIMES)
        kind = self.rng.randrange(5)
        prefix = b""
        if kind == 4:
            prefix = assemble_items([item for _ in range(self.rng.randrange(4)) for item in self.snippet(False)])
        if kind == 1:
            return prefix + assemble(["PUSH0", "PUSH0", "REVERT"])
        if kind == 2:
            return prefix + assemble([*_push(self.address()), "SELFDESTRUCT"])
        head_size = len(assemble([*push(len(runtime)), "DUP1", "PUSH2", 0, "PUSH0", "CODECOPY", "PUSH0", "RETURN"]))
        head = assemble([*push(len(runtime)), "DUP1", "PUSH2", len(prefix) + head_size, "PUSH0", "CODECOPY", "PUSH0", "RETURN"])
        return prefix + head + runtime

    def create(self) -> list[object]:
        """CREATE or CREATE2 of init code written to memory 0; the address is sunk."""
        init = self.init_code()
        pick = self.rng.randrange(4)
        value = 0 if pick < 2 else self.rng.randrange(1, 1001) if pick == 2 else 10**30
        code = _chunks(init)
        if self.rng.randrange(2):
            code += [*_push(self.rng.choice((0, 1, 2**256 - 1))), *_push(len(init)), "PUSH0", *_push(value), "CREATE2"]
        else:
            code += [*_push(len(init)), "PUSH0", *_push(value), "CREATE"]
        return code + self.sink()

    def halt(self) -> list[object]:
        kind = self.rng.randrange(6)
        if kind == 0:
            return ["STOP"]
        if kind == 1:
            return [*_push(self.size()), *_push(self.offset()), "RETURN"]
        if kind == 2:
            return [*_push(self.rng.randrange(65)), *_push(self.offset()), "REVERT"]
        if kind == 3:
            return [*_push(self.address()), "SELFDESTRUCT"]
        if kind == 4:
            return ["INVALID"]
        return [*_push(self.rng.randrange(201)), "JUMP"]  # usually not a JUMPDEST

    def snippet(self, allow_create: bool = True, kind: int | None = None) -> list[object]:
        kind = self.rng.randrange(SNIPPET_KINDS) if kind is None else kind
        if kind == SNIPPET_KINDS - 1:  # raw bytes: undefined opcodes, stack underflow, truncated pushes
            return [("raw", bytes(self.rng.randrange(256) for _ in range(self.rng.randrange(1, 4))))]
        kind %= 20
        if kind <= 4:
            return self.store()
        if kind <= 7:
            return self.memory()
        if kind <= 11:
            return self.call()
        if kind <= 13 and allow_create:
            return self.create()
        if kind == 14:
            return self.log()
        if kind == 15:  # a conditional halt, so what follows runs only sometimes
            return [*self.value(), "ISZERO", ("@",), "JUMPI", *self.halt(), ("label",)]
        return [*self.value(), *self.sink()]


def program_from_genes(genes: list[int], halt: int | None) -> bytes:
    """One snippet per gene, then a halt when `halt` is given."""
    items: list[object] = []
    for gene in genes:
        items += Builder(gene // SNIPPET_KINDS).snippet(kind=gene % SNIPPET_KINDS)
    if halt is not None:
        items += Builder(halt).halt()
    return assemble_items(items)


def programs(max_snippets: int = 12) -> st.SearchStrategy[bytes]:
    """A program: stack-balanced snippets, then (usually) a halt."""
    return st.builds(program_from_genes, st.lists(GENES, min_size=1, max_size=max_snippets), st.one_of(st.none(), GENES))


def init_codes() -> st.SearchStrategy[bytes]:
    return GENES.map(lambda gene: Builder(gene).init_code())


def addresses() -> st.SearchStrategy[int]:
    return GENES.map(lambda gene: Builder(gene).address())


def words() -> st.SearchStrategy[int]:
    return GENES.map(lambda gene: Builder(gene).word())


def assemble_items(items: list[object]) -> bytes:
    """Assemble snippet items: ints follow their PUSHn, ("raw", bytes) is emitted as is, and
    ("@",) pushes the offset of the next ("label",) (a forward JUMPDEST)."""
    out = bytearray()
    pending: list[int] = []
    index = 0
    while index < len(items):
        item = items[index]
        index += 1
        if isinstance(item, tuple):
            if item[0] == "raw":
                out += item[1]
            elif item[0] == "@":
                out += b"\x61\x00\x00"
                pending.append(len(out) - 2)
            else:
                at = pending.pop()
                out[at : at + 2] = len(out).to_bytes(2, "big")
                out.append(0x5B)
        elif isinstance(item, str) and item.startswith("PUSH") and item != "PUSH0":
            out += assemble([item, items[index]])
            index += 1
        else:
            out += assemble([item])
    return bytes(out)


# --- pre-states, transactions, cases -----------------------------------------------------------
@st.composite
def storages(draw: st.DrawFn) -> tuple[tuple[int, int], ...]:
    slots = draw(st.lists(st.sampled_from(SLOTS), max_size=3, unique=True))
    return tuple((slot, draw(st.sampled_from((1, 2, 2**256 - 1)))) for slot in slots)


@st.composite
def contracts(draw: st.DrawFn) -> tuple[tuple[int, Account], ...]:
    """Two to four generated contracts (at the addresses programs call), with some storage."""
    count = draw(st.integers(2, len(CONTRACTS)))
    return tuple(
        (address, Account(draw(st.sampled_from((0, 1, 10**18))), 1, draw(programs()), draw(storages())))
        for address in CONTRACTS[:count]
    )


# One way at a time to make a transaction invalid (two at once would test check order, which the
# specification leaves to the fixtures).
INVALID: Final = ("nonce-high", "nonce-low", "funds", "intrinsic", "block-gas", "fee-below-base", "priority-above-max",
                  "blob-fee", "no-blobs", "blob-version", "too-many-blobs", "blob-create", "initcode-size",
                  "sender-code")  # fmt: skip


@st.composite
def cases(draw: st.DrawFn) -> Case:
    """A Cancun state-test case: generated contracts, a transaction of any type, valid or not."""
    pre = dict(draw(contracts()))
    tx_type = draw(st.sampled_from((LEGACY, ACCESS_LIST, DYNAMIC_FEE, BLOB)))
    invalid = draw(st.sampled_from(INVALID)) if draw(st.integers(0, 9)) == 5 else None  # not a bound: hypothesis favours those
    key = SECRET_KEYS[0]
    base_fee = draw(st.sampled_from((0, 7, 10**9)))
    excess_blob_gas = draw(st.sampled_from((0, 0x60000, 10**7)))
    env = Env(draw(st.sampled_from((COINBASE, CONTRACTS[0], Tx(LEGACY, key, 0, 0, None, 0, b"").sender))),
              draw(st.integers(1, 2**32)), GAS_LIMIT, base_fee, draw(words()), excess_blob_gas)  # fmt: skip
    create = tx_type != BLOB and draw(st.integers(0, 7)) == 3 or invalid in ("blob-create", "initcode-size")
    if invalid == "blob-create":
        tx_type = BLOB
    if invalid == "initcode-size":
        tx_type = draw(st.sampled_from((LEGACY, DYNAMIC_FEE)))
    to = None if create else draw(st.one_of(st.sampled_from(CONTRACTS[: max(2, len(pre))]), st.sampled_from(CONTRACTS[:2]), addresses()))
    data = draw(init_codes()) if create else draw(st.one_of(st.just(b""), st.binary(max_size=80)))
    if invalid == "initcode-size":
        data = bytes(49_153)
    value = draw(st.one_of(st.just(0), st.just(0), st.integers(1, 10**18)))
    access_list: tuple[tuple[int, tuple[int, ...]], ...] = ()
    if tx_type != LEGACY:
        access_list = tuple(draw(st.lists(st.tuples(addresses(), st.lists(st.sampled_from(SLOTS), max_size=2).map(tuple)), max_size=3)))
    blob_hashes: tuple[bytes, ...] = ()
    if tx_type == BLOB:
        blob_hashes = (VERSIONED_HASH,) * draw(st.integers(1, 6))
        if invalid == "no-blobs":
            blob_hashes = ()
        elif invalid == "too-many-blobs":
            blob_hashes = (VERSIONED_HASH,) * 7
        elif invalid == "blob-version":
            blob_hashes = (b"\x02" + bytes(31),) + blob_hashes[1:]
    price = base_fee + draw(st.sampled_from((0, 1, 10**9)))
    max_fee = price + draw(st.sampled_from((0, 5)))
    priority = draw(st.integers(0, max_fee - base_fee))
    if invalid == "fee-below-base" and base_fee > 0:
        price = max_fee = base_fee - 1
        priority = 0
    if invalid == "priority-above-max":
        priority = max_fee + 1
    blob_base = blob_base_fee(excess_blob_gas, rules(CANCUN))
    blob_fee = draw(st.sampled_from((blob_base, blob_base + 1, 10**12)))
    probe = Tx(tx_type, key, 0, 0, to, value, data, price, max_fee, priority, access_list, blob_fee, blob_hashes)
    intrinsic = intrinsic_gas(Case((), env, probe).transaction(), rules(CANCUN))
    gas_limit = intrinsic + draw(st.sampled_from((100_000, 300_000, 1_000_000, 2_000_000, 30_000, 0)))
    if invalid == "intrinsic":
        gas_limit = intrinsic - 1
    elif invalid == "block-gas":
        gas_limit = GAS_LIMIT + 1
    nonce = draw(st.sampled_from((0, 1, 7)))
    sender_nonce = nonce + (1 if invalid == "nonce-low" else -1 if invalid == "nonce-high" and nonce > 0 else 0)
    if invalid == "nonce-high" and nonce == 0:
        nonce = 1
    if invalid == "blob-fee":
        blob_fee = blob_base - 1
    tx = Tx(tx_type, key, nonce, gas_limit, to, value, data, price if tx_type in (LEGACY, ACCESS_LIST) else 0,
            max_fee, priority, access_list, blob_fee if tx_type == BLOB else 0, blob_hashes)  # fmt: skip
    cost = gas_limit * max(price, max_fee) + value + len(blob_hashes) * 2**17 * blob_fee
    balance = cost + draw(st.sampled_from((1, 10**18)))  # never an empty account: EELS refuses those
    if invalid == "funds" and cost > 1:
        balance = cost - 1
    sender_code = b"\x60\x00\x00" if invalid == "sender-code" else b""
    pre[tx.sender] = Account(balance, sender_nonce, sender_code, ())
    for other in SECRET_KEYS[1:] + tuple(EOAS[:1]):
        address = other if isinstance(other, int) else Tx(LEGACY, other, 0, 0, None, 0, b"").sender
        pre.setdefault(address, Account(draw(st.sampled_from((1, RICH))), draw(st.sampled_from((0, 1))), b"", ()))
    return Case(tuple(sorted(pre.items())), env, tx)


# --- blocks built to conflict (the parallel oracle) ---------------------------------------------
@st.composite
def conflict_blocks(draw: st.DrawFn) -> workloads.Workload:
    """Few senders, a hot counter, generated contracts over a small slot pool that call each other,
    coinbase readers, transfers to a small set of recipients, creates; and pairs from a sender of
    their own, a transfer then a coinbase read, which lookahead executes ahead as one segment
    whose first member is valid there (the others' chains are cut mid-way, failing on the nonce)."""
    seed = draw(st.integers(min_value=0, max_value=2**32))
    size = draw(st.integers(min_value=4, max_value=40))
    kinds = draw(st.lists(st.sampled_from(["transfer", "counter", "coinbase", "self", "program", "program", "create",
                                           "pair"]), min_size=size, max_size=size))  # fmt: skip
    accounts = workloads.Accounts(seed, signed=False)
    state, senders = workloads._conflict_state(accounts, draw(st.integers(min_value=1, max_value=5)))
    recipients = [accounts.new() for _ in range(3)] + senders + list(CONTRACTS[:2])
    counter = accounts.new()
    reader = accounts.new()
    state.set_account(counter, 0, 1, workloads.HOT_COUNTER, {})
    state.set_account(reader, 0, 1, workloads.COINBASE_READER, {})
    for address, account in draw(contracts()):
        state.set_account(address, account.balance, account.nonce, account.code, dict(account.storage))
    nonces = dict.fromkeys(senders, 0)
    rng = random.Random(seed)
    transactions = []
    for kind in kinds:
        if kind == "pair":
            owner = accounts.new()
            state.set_account(owner, workloads.RICH, 0, b"", {})
            recipient = rng.choice(recipients)
            transactions.append(accounts.transaction(owner, 0, recipient, rng.randrange(10**18), b"", 21_000))
            transactions.append(accounts.transaction(owner, 1, reader, 0, b"", 60_000))
            continue
        sender = rng.choice(senders)
        nonce = nonces[sender]
        nonces[sender] += 1
        if kind == "transfer":
            tx = accounts.transaction(sender, nonce, rng.choice(recipients), rng.randrange(10**18), b"", 21_000)
        elif kind == "counter":
            tx = accounts.transaction(sender, nonce, counter, 0, b"", 60_000)
        elif kind == "coinbase":
            tx = accounts.transaction(sender, nonce, reader, 0, b"", 60_000)
        elif kind == "self":
            tx = accounts.transaction(sender, nonce, sender, 1, b"", 21_000)
        elif kind == "create":
            tx = accounts.transaction(sender, nonce, None, rng.randrange(2), draw(init_codes()), 300_000)
        else:
            tx = _dynamic_fee(sender, nonce, rng.choice(CONTRACTS[:2]), rng.randrange(3), draw(st.binary(max_size=8)))
        transactions.append(tx)
    workload = workloads._block(state, transactions, f"generated-{seed}")
    if draw(st.integers(0, 3)) == 0:
        workload.rules = rules(SHANGHAI)  # SELFDESTRUCT still deletes (before EIP-6780)
    return workload


def _dynamic_fee(sender: int, nonce: int, to: int, value: int, data: bytes) -> Transaction:
    """An unsigned type-2 call (the synthetic header's base fee is zero)."""
    return Transaction(DYNAMIC_FEE, MAINNET_CHAIN_ID, nonce, 500_000, to, value, data, 0, workloads.GAS_PRICE,
                       1, (), 0, (), (), 0, 0, 0, sender)  # fmt: skip


def fresh_copy(workload: workloads.Workload) -> workloads.Workload:
    """An independent copy of a generated block and its state (execution mutates the state)."""
    block = Block(workload.block.header, list(workload.block.transactions), [], [])
    return workloads.Workload(workload.name, workload.state.copy(), block, workload.rules)

