import pytest
from hypothesis import given, settings, strategies as st

from primitives import rlp

pytestmark = pytest.mark.pure

LOREM = b"Lorem ipsum dolor sit amet, consectetur adipisicing elit"
items = st.recursive(st.binary(max_size=80), lambda children: st.lists(children, max_size=6), max_leaves=30)
encodable = st.recursive(
    st.binary(max_size=70) | st.integers(min_value=0, max_value=2**300),
    lambda children: st.lists(children, max_size=5) | st.tuples(children, children),
    max_leaves=20,
)


def as_decoded(item: object) -> object:
    """What decode returns for an encodable item: ints become their minimal big-endian bytes."""
    if isinstance(item, int):
        return item.to_bytes((item.bit_length() + 7) // 8, "big")
    if isinstance(item, (list, tuple)):
        return [as_decoded(element) for element in item]
    return item


@settings(max_examples=60)
@given(items)
def test_roundtrip(item: object) -> None:
    assert rlp.decode(rlp.encode(item)) == item


@settings(max_examples=60)
@given(encodable)
def test_ints_and_tuples_decode_to_their_bytes_and_lists(item: object) -> None:
    assert rlp.decode(rlp.encode(item)) == as_decoded(item)


@given(st.integers(min_value=0, max_value=2**256 - 1))
def test_decode_int_inverts_encoding(value: int) -> None:
    decoded = rlp.decode(rlp.encode(value))
    assert isinstance(decoded, bytes) and rlp.decode_int(decoded) == value


# ethereum/tests RLPTests/rlptest.json and the Yellow Paper's examples
@pytest.mark.parametrize(
    ("value", "encoded"),
    [
        (b"", "80"),
        (b"d", "64"),
        (b"\x7f", "7f"),
        (b"\x80", "8180"),
        (b"dog", "83646f67"),
        (LOREM[:55], "b7" + LOREM[:55].hex()),
        (LOREM, "b838" + LOREM.hex()),
        (bytearray(b"dog"), "83646f67"),
        (0, "80"),
        (1, "01"),
        (16, "10"),
        (79, "4f"),
        (127, "7f"),
        (128, "8180"),
        (1000, "8203e8"),
        (100000, "830186a0"),
        (83729609699884896815286331701780722, "8f102030405060708090a0b0c0d0e0f2"),
        (2**256, "a1010000000000000000000000000000000000000000000000000000000000000000"),
        ([], "c0"),
        ([b"dog", b"god", b"cat"], "cc83646f6783676f6483636174"),
        ((b"cat", b"dog"), "c88363617483646f67"),
        ([b"zw", [4], 1], "c6827a77c10401"),
        ([[], [[]], [[], [[]]]], "c7c0c1c0c3c0c1c0"),
        ([[b"asdf", b"qwer", b"zxcv"]] * 4,
         "f840cf84617364668471776572847a786376cf84617364668471776572847a786376"
         "cf84617364668471776572847a786376cf84617364668471776572847a786376"),
        ([[b"key1", b"val1"], [b"key2", b"val2"], [b"key3", b"val3"], [b"key4", b"val4"]],
         "ecca846b6579318476616c31ca846b6579328476616c32ca846b6579338476616c33ca846b6579348476616c34"),
    ],
)  # fmt: skip
def test_known_encodings(value: object, encoded: str) -> None:
    assert rlp.encode(value).hex() == encoded
    assert rlp.decode(bytes.fromhex(encoded)) == as_decoded(value)


def test_long_list_and_string_lengths() -> None:
    payload = [b"a" * 1000] * 70  # 70 items of 3 + 1000 bytes: a 3-byte list length
    encoded = rlp.encode(payload)
    assert encoded[:4] == b"\xfa" + (70 * 1003).to_bytes(3, "big")
    assert rlp.decode(encoded) == payload
    assert rlp.encode(b"x" * 256)[:3].hex() == "b90100"


# ethereum/tests RLPTests/invalidRLPTest.json, plus overflow and nesting cases
@pytest.mark.parametrize(
    "bad",
    [
        "",  # emptyEncoding
        "bf0f000000000000021111",  # int32Overflow
        "ff0f000000000000021111",  # int32Overflow2
        "bfffffffffffffffff00",  # a 2^64 - 1 byte string: no i64 overflow, just truncated
        "ffffffffffffffffff00",
        "f80180",  # wrongSizeList
        "f80100",  # wrongSizeList2
        "8100", "8101", "817f",  # bytesShouldBeSingleByte
        "b800", "b90040" + "00" * 64,  # leadingZerosInLongLengthArray
        "f800", "fb00000040" + "00" * 64,  # leadingZerosInLongLengthList
        "b81000112233445566778899aabbccddeeff", "b801ff",  # nonOptimalLongLengthArray
        "f810" + "11" * 16, "f803112233",  # nonOptimalLongLengthList
        "81", "a0000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e",  # lessThanShortLength
        "c5010203", "e201020304050607",  # lessThanShortLengthList
        "ba010000aabbccddeeff", "b840ffeeddccbbaa99887766554433221100",  # lessThanLongLengthArray
        "f90180", "f8ffeeddccbbaa99887766554433221100",  # lessThanLongLengthList
        "b9002100dc2b275d0f74e8a53e6f4ec61b27f24278820be3f82ea2110e582081b0565df0",  # incorrectLengthInArray
        "c0c0", "8080", "0101",  # trailing bytes
        "c2c3c0c0",  # an item overruns its list
        "c28261",  # a list holding a truncated string
    ],
)  # fmt: skip
def test_non_canonical_truncated_or_trailing_is_rejected(bad: str) -> None:
    with pytest.raises(rlp.RLPError):
        rlp.decode(bytes.fromhex(bad))


def nested(depth: int) -> list[object]:
    item: list[object] = []
    for _ in range(depth - 1):
        item = [item]
    return item


def test_nesting_limit() -> None:
    assert rlp.decode(rlp.encode(nested(rlp.MAX_DEPTH))) == nested(rlp.MAX_DEPTH)
    with pytest.raises(rlp.RLPError, match="nested deeper"):
        rlp.decode(rlp.encode(nested(rlp.MAX_DEPTH + 1)))


def test_hostile_nesting_is_an_error_not_a_crash() -> None:
    """100k nested list headers, each within its parent: an RLPError, not a stack overflow."""
    with pytest.raises(rlp.RLPError, match="nested deeper"):
        rlp.decode(b"\xf9\xff\xff" * 100_000)


def test_errors_are_value_errors() -> None:
    assert issubclass(rlp.RLPError, ValueError)


def test_decode_int() -> None:
    assert rlp.decode_int(b"") == 0
    assert rlp.decode_int(b"\x01\x00") == 256
    for bad in (b"\x00", b"\x00\x01"):
        with pytest.raises(rlp.RLPError, match="leading zero"):
            rlp.decode_int(bad)


@pytest.mark.parametrize("value", [-1, "text", None, 1.5, {b"a": b"b"}])
def test_unencodable_values_are_rejected(value: object) -> None:
    with pytest.raises(rlp.RLPError):
        rlp.encode(value)
