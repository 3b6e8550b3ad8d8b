"""Independent Uniswap V3 swap blocks (W6), as RISE pevm's gigagas benchmark builds them.

Each swap gets its own seven-contract market (WETH9, two ERC-20 tokens, factory, pool, router,
SingleSwap) so swaps do not conflict; the layout, placeholders and storage follow
`$PEVM_SHARED/contracts/README.md` (RISE pevm's `tests/uniswap/contract.rs`) exactly: the pool
holds one full-range position with price 1 and every person sells 2,000 of token0.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

from interp.forks import CANCUN, rules
from interp.header import Block
from interp.plain_state import PlainState
from interp.transaction import Transaction
from primitives.keccak import keccak256

from pevm.workloads import RICH, Accounts, Workload, erc20_storage, mapping_slot, short_string, synthetic_header

# RISE pevm uses 200,000; under Cancun the calls' 63/64 rule then starves the swap (it needs
# ~199k before refunds), so the limit is raised: the gas used (~159k) does not depend on it.
SWAP_GAS_LIMIT: Final = 300_000
SELL_TOKEN0: Final = bytes.fromhex("c92b0891")
FEE: Final = 3000
LIQUIDITY: Final = 0x178756E190B388651605
SLOT0: Final = 0x0001000001000100000000000000000000000001000000000000000000000000
OBSERVATION0: Final = 0x0100000000000000000000000000000000000000000000000000000000000001
TICK_LOWER: Final = -600_000
TICK_UPPER: Final = 600_000
# ticks[tick] as four words: liquidityGross/liquidityNet, fee growths, and the initialized flag
LOWER_TICK_WORDS: Final = (0x000000000000178756E190B388651605000000000000178756E190B388651605, 0, 0,
                           0x0100000001000000000000000000000000000000000000000000000000000000)  # fmt: skip
UPPER_TICK_WORDS: Final = (0xFFFFFFFFFFFFE878A91E6F4C779AE9FB000000000000178756E190B388651605, 0, 0,
                           0x0100000000000000000000000000000000000000000000000000000000000000)  # fmt: skip
# placeholders in the hex text, replaced per market
FACTORY_SELF: Final = "0b748751e6f8b1a38c9386a19d9f8966b3593a9e"
POOL_TOKEN0: Final = "261d8c5e9742e6f7f1076fa1f560894524e19cad"
POOL_TOKEN1: Final = "ce3478a9e0167a6bc5716dc39dbbbfac38f27623"
POOL_FACTORY: Final = "cba6b9a951749b8735c603e7ffc5151849248772"
POOL_SELF: Final = "d495d5e5cab2567777fff988c4fcd71328b17c9d"
ROUTER_WETH: Final = "6509f2a854ba7441039fce3b959d5badd2ffcfcd"
ROUTER_FACTORY: Final = "d787a42ee3ac477c46dd6c912e7af795d44453d5"
ROUTER_INIT_HASH: Final = "636fcf59d7fdf3a03833dba1c6d936c9d7c6730057c8c4c8e5059feaeab60e04"
SINGLE_SWAP_ROUTER: Final = "e7cfcccb38ce07ba9d8d13431afe8cf6172de031"


def word(value: int) -> bytes:
    """A 32-byte big-endian word; negative values in two's complement (int256)."""
    return (value % (1 << 256)).to_bytes(32, "big")


def from_indices(root: int, indices: list[int]) -> int:
    """Nested Solidity mapping entry m[a][b]... with m at slot `root`."""
    slot = root
    for index in indices:
        slot = mapping_slot(index, slot)
    return slot


def _hex(address: int) -> str:
    return f"{address:040x}"


class Market:
    """The hex sources, read once and patched per market."""

    def __init__(self, contracts_dir: Path) -> None:
        def read(name: str) -> str:
            return (contracts_dir / "uniswap" / name).read_text().strip()

        self.weth = bytes.fromhex(read("WETH9.hex"))
        self.token = bytes.fromhex((contracts_dir / "erc20" / "ERC20Token.hex").read_text().strip())
        self.factory = read("UniswapV3Factory.hex")
        self.pool = read("UniswapV3Pool.hex")
        self.router = read("SwapRouter.hex")
        self.single_swap = read("SingleSwap.hex")

    def build(self, state: PlainState, accounts: Accounts, person: int) -> int:
        """Add one market whose only trader is `person`; returns the SingleSwap address."""
        draw = accounts.random.getrandbits
        weth, factory, owner, manager, router, single_swap = (draw(160) for _ in range(6))
        dai, usdc = sorted((draw(160), draw(160)))
        init_hash = draw(256).to_bytes(32, "big")
        pair = keccak256(word(dai) + word(usdc) + word(FEE))
        pool = int.from_bytes(keccak256(b"\xff" + factory.to_bytes(20, "big") + pair + init_hash)[12:], "big")

        state.set_account(weth, 0, 1, self.weth, {0: short_string("Wrapped Ether"), 1: short_string("WETH"), 3: 18})
        for token, name in ((dai, "DAI"), (usdc, "USDC")):
            storage = erc20_storage({pool: 111_111 * 10**18, person: 10**18}, name, name)
            storage[from_indices(1, [person, single_swap])] = 10**18
            state.set_account(token, 0, 1, self.token, storage)
        factory_storage = {3: owner, mapping_slot(500, 4): 10, mapping_slot(3000, 4): 60, mapping_slot(10000, 4): 200,
                           from_indices(5, [dai, usdc, FEE]): pool, from_indices(5, [usdc, dai, FEE]): pool}  # fmt: skip
        state.set_account(factory, 0, 1, bytes.fromhex(self.factory.replace(FACTORY_SELF, _hex(factory))), factory_storage)
        pool_code = (self.pool.replace(POOL_TOKEN0, _hex(dai)).replace(POOL_TOKEN1, _hex(usdc))
                     .replace(POOL_FACTORY, _hex(factory)).replace(POOL_SELF, _hex(pool)))  # fmt: skip
        state.set_account(pool, 0, 1, bytes.fromhex(pool_code), pool_storage(manager))
        router_code = (self.router.replace(ROUTER_WETH, _hex(weth)).replace(ROUTER_FACTORY, _hex(factory))
                       .replace(ROUTER_INIT_HASH, init_hash.hex()))  # fmt: skip
        state.set_account(router, 0, 1, bytes.fromhex(router_code), {0: (1 << 256) - 1})
        swap_code = self.single_swap.replace(SINGLE_SWAP_ROUTER, _hex(router))
        state.set_account(single_swap, 0, 1, bytes.fromhex(swap_code), {0: dai, 1: usdc | FEE << 160})
        state.set_account(person, RICH, 0, b"", {})
        return single_swap


def pool_storage(manager: int) -> dict[int, int]:
    """slot0 at price 1, the liquidity, one observation, both boundary ticks, their bitmap
    words and the full-range position owned by `manager`."""
    storage = {0: SLOT0, 4: LIQUIDITY, 8: OBSERVATION0}
    for tick, words in ((TICK_LOWER, LOWER_TICK_WORDS), (TICK_UPPER, UPPER_TICK_WORDS)):
        base = int.from_bytes(keccak256(word(tick) + word(5)), "big")
        for offset, value in enumerate(words):
            storage[base + offset] = value
    for compressed in (TICK_LOWER // 60, TICK_UPPER // 60):
        storage[int.from_bytes(keccak256(word(compressed >> 8) + word(6)), "big")] = 1 << (compressed % 256)
    key = keccak256(manager.to_bytes(20, "big") + (TICK_LOWER % (1 << 24)).to_bytes(3, "big")
                    + (TICK_UPPER % (1 << 24)).to_bytes(3, "big"))  # fmt: skip
    storage[int.from_bytes(keccak256(key + word(7)), "big")] = LIQUIDITY
    return storage


def uniswap_swaps(count: int, contracts_dir: Path, signed: bool = False, seed: int = 4) -> Workload:
    """`count` independent markets, each with one person selling 2,000 token0."""
    accounts = Accounts(seed, signed)
    market = Market(contracts_dir)
    state = PlainState()
    transactions: list[Transaction] = []
    for _ in range(count):
        person = accounts.new()
        single_swap = market.build(state, accounts, person)
        transactions.append(accounts.transaction(person, 0, single_swap, 0, SELL_TOKEN0 + word(2000), SWAP_GAS_LIMIT))
    state.set_account(0, 0, 0, b"", {})  # the empty beneficiary, as in RISE pevm's blocks
    header = synthetic_header(max(SWAP_GAS_LIMIT * count, 30_000_000))
    return Workload(f"uniswap-{count}", state, Block(header, transactions, [], []), rules(CANCUN))
