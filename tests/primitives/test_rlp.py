import pytest
from hypothesis import given, strategies as st

from primitives import rlp

items = st.recursive(st.binary(max_size=80), lambda children: st.lists(children, max_size=6), max_leaves=30)


@given(items)
def test_roundtrip(item: object) -> None:
    assert rlp.decode(rlp.encode(item)) == item


@pytest.mark.parametrize(
    ("value", "encoded"),
    [(0, "80"), (1, "01"), (127, "7f"), (128, "8180"), (1024, "820400"), (b"dog", "83646f67"),
     ([b"cat", b"dog"], "c88363617483646f67"), (b"", "80"), ([], "c0"), ([[], [[]], [[], [[]]]], "c7c0c1c0c3c0c1c0")],
)
def test_known_encodings(value: object, encoded: str) -> None:
    assert rlp.encode(value).hex() == encoded


@pytest.mark.parametrize(
    "bad",
    ["8105", "b805" + "68656c6c6f", "c1", "8080", "", "b90000", "f800", "c2c3c0c0", "8261"],
)
def test_non_canonical_or_truncated_is_rejected(bad: str) -> None:
    with pytest.raises(rlp.RLPError):
        rlp.decode(bytes.fromhex(bad))


def test_decode_int_rejects_leading_zero() -> None:
    assert rlp.decode_int(b"\x01\x00") == 256
    with pytest.raises(rlp.RLPError):
        rlp.decode_int(b"\x00\x01")
