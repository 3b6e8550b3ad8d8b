from primitives.bloom import bloom_or, logs_bloom


def test_empty_bloom_is_zero() -> None:
    assert logs_bloom([]) == bytes(256)


def test_three_bits_per_entry_and_or() -> None:
    one = logs_bloom([b"\x01" * 20])
    assert 1 <= sum(bin(byte).count("1") for byte in one) <= 3
    two = logs_bloom([b"\x02" * 32])
    assert bloom_or(one, two) == logs_bloom([b"\x01" * 20, b"\x02" * 32])
