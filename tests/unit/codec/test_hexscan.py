"""Hex shots decoded a block at a time (codec.hexscan): exact bytes at any block size, the
refusal a whole-text check gives first whichever block finds it, and the spans read or left
to JSON."""

from __future__ import annotations

import contextlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from qiskit.primitives import BitArray

from qiskit_rest_provider.codec import hexscan
from qiskit_rest_provider.codec.bits import bitarray_from_hex, bitarray_from_json_strings
from qiskit_rest_provider.codec.hexscan import HexRows, count_strings
from qiskit_rest_provider.exceptions import DecodeError

PREFIX = "Every sampler sample must be a '0x'-prefixed hex string."
EMPTY = "A sampler sample has no hex digits after '0x'."
NON_HEX = "Invalid hex sample: a sample has a non-hex character."
HEX = set("0123456789abcdefABCDEF")
BLOCKS = [1, 2, 3, 5, 8, 13, 64, 1 << 20]


def wider(num_bits: int) -> str:
    return f"A sample is wider than its register's {num_bits} bits."


@contextlib.contextmanager
def block(size: int):
    old = hexscan._BLOCK
    hexscan._BLOCK = size
    try:
        yield
    finally:
        hexscan._BLOCK = old


def expected(samples: list[str], num_bits: int) -> np.ndarray | str:
    """The bytes, or the refusal: the rules one shot at a time, in their order of precedence."""
    nbytes = max((num_bits + 7) // 8, 1)
    width = 2 * nbytes
    if any(len(s) < 2 or s[:2] != "0x" for s in samples):
        return PREFIX
    if any(len(s) == 2 for s in samples):
        return EMPTY
    if any(not set(s[2:][-width:]) <= HEX for s in samples):
        return NON_HEX
    for s in samples:
        extra = s[2:-width] if len(s) - 2 > width else ""
        if set(extra) - {"0"}:
            return NON_HEX if set(extra) - HEX else wider(num_bits)
    if any(int(s[2:], 16) >> num_bits for s in samples):
        return wider(num_bits)
    rows = [list(int(s[2:], 16).to_bytes(nbytes, "big")) for s in samples]
    array = np.array(rows, dtype=np.uint8).reshape(len(samples), nbytes)
    return array[:, :0] if num_bits == 0 else array


def span_of(samples: list[str], separator: str = ",") -> bytes:
    return separator.join(f'"{s}"' for s in samples).encode()


def outcome(decode, *args):
    try:
        return decode(*args).array
    except DecodeError as exc:
        return str(exc)


def same(ours, want) -> bool:
    if isinstance(want, str) or isinstance(ours, str):
        return ours == want
    return ours.dtype == np.uint8 and ours.shape == want.shape and np.array_equal(ours, want)


@st.composite
def shots(draw, faults: bool):
    num_bits = draw(st.integers(0, 70))
    samples = []
    for _ in range(draw(st.integers(1, 12))):
        top = num_bits + (draw(st.integers(1, 5)) if faults and draw(st.booleans()) else 0)
        digits = "0" * draw(st.integers(0, 3)) + format(draw(st.integers(0, 2**top - 1)), "x")
        sample = "0x" + (digits.upper() if draw(st.booleans()) else digits)
        if faults and draw(st.integers(0, 40)) == 0:
            sample = sample[: draw(st.integers(0, 2))]  # "", "0", "0x"
        if faults and draw(st.integers(0, 11)) == 0:
            at = draw(st.integers(0, len(sample)))
            cut = draw(st.integers(0, 1))  # replace a character, or insert one
            put = draw(st.sampled_from(["g", "G", "x", "X", " ", "0", ":", ""]))
            sample = sample[:at] + put + sample[at + cut :]
        samples.append(sample)
    return samples, num_bits


@settings(max_examples=80, deadline=None)
@given(shots(faults=False), st.sampled_from(BLOCKS), st.sampled_from([",", ", "]))
def test_any_block_size_gives_the_exact_bytes(case, size, separator):
    samples, num_bits = case
    want = expected(samples, num_bits)
    span = span_of(samples, separator)
    with block(size):
        assert same(outcome(bitarray_from_hex, samples, num_bits), want)
        assert same(outcome(bitarray_from_json_strings, span, num_bits), want)
        assert same(outcome(bitarray_from_json_strings, memoryview(span), num_bits), want)
        assert count_strings(span) == len(samples)
    if num_bits:
        assert bitarray_from_hex(samples, num_bits) == BitArray.from_samples(samples, num_bits)


@settings(max_examples=150, deadline=None)
@given(shots(faults=True), st.sampled_from(BLOCKS))
def test_the_first_refusal_whichever_block_finds_it(case, size):
    samples, num_bits = case
    want = expected(samples, num_bits)
    with block(size):
        assert same(outcome(bitarray_from_hex, samples, num_bits), want)
        assert same(outcome(bitarray_from_json_strings, span_of(samples), num_bits), want)


@pytest.mark.parametrize("size", [1, 4, 1 << 20])
@pytest.mark.parametrize(
    ("samples", "num_bits", "message"),
    [
        (["0xg", "0x", "1"], 8, PREFIX),  # a missing 0x outranks what earlier shots show
        (["1", "0x", "0xg"], 8, PREFIX),
        (["0xg", "0x1", "0x"], 8, EMPTY),
        (["0x", "0xg"], 8, EMPTY),
        (["0x1ff", "0xg"], 8, NON_HEX),  # a bad digit outranks an earlier wide value
        (["0x100", "0xg00"], 4, wider(4)),  # past the width: the first such shot decides
        (["0xg00", "0x100"], 4, NON_HEX),
        (["0x1f", "0xg00"], 4, NON_HEX),  # extra digits are read before the top bits
        (["0x1f", "0x000f"], 4, wider(4)),
        (["0x0", "0x000", "0x1"], 0, wider(0)),
    ],
)
def test_refusals_in_the_order_of_a_whole_text_check(samples, num_bits, message, size):
    with block(size):
        for decode, given_ in (
            (bitarray_from_hex, samples),
            (bitarray_from_json_strings, span_of(samples)),
        ):
            with pytest.raises(DecodeError) as caught:
                decode(given_, num_bits)
            assert str(caught.value) == message


def test_zero_bits_accept_zeros_only():
    for size in (1, 1 << 20):
        with block(size):
            bits = bitarray_from_hex(["0x0", "0x00", "0x0000"], 0)
            assert bits.num_bits == 0 and bits.array.shape == (3, 0)


@pytest.mark.parametrize("size", [1, 6, 1 << 20])
def test_shots_ending_before_the_row_width(size):
    # 64 bits: rows of 16 characters; the first shots end before character 16 of the text
    samples = ["0x1", "0x2", "0xabc", "0x123456789abcdef0", "0x5", "0x0000000000000007"]
    want = BitArray.from_samples(samples, 64)
    with block(size):
        assert bitarray_from_hex(samples, 64) == want
        assert bitarray_from_hex(samples[:3], 64) == BitArray.from_samples(samples[:3], 64)
        assert bitarray_from_hex(["0x1"], 64).array.tolist() == [[0] * 7 + [1]]
        assert bitarray_from_json_strings(span_of(samples), 64) == want
        assert bitarray_from_json_strings(b'"0xf"', 64).array.tolist() == [[0] * 7 + [15]]


def test_rows_and_steps():
    text = np.frombuffer(b"0x1,0x2,0xff,0x10", dtype=np.uint8)
    starts, ends = np.array([0, 4, 8, 13]), np.array([3, 7, 12, 17])
    with block(4):  # rows of 2 characters: two shots a step
        rows = HexRows(text, 8)
        assert (rows.nbytes, rows.width, rows.step) == (1, 2, 2)
        rows.add(starts[:3], ends[:3])
        rows.add(starts[3:], ends[3:])
        assert rows.count == 4
        bits = rows.finish((2, 2))
    assert bits.array.tolist() == [[[1], [2]], [[255], [16]]]
    assert bits.array.flags.writeable and bits.array.flags.c_contiguous
    assert HexRows(text, 16).step == (1 << 20) // 4
    assert HexRows(text, 0).width == 2
    empty = HexRows(text, 9).finish((0,))
    assert empty.array.shape == (0, 2) and empty.num_bits == 9


def test_a_step_with_short_and_long_shots_keeps_each_shot_in_place():
    samples = ["0x" + "f" * 32, "0x1", "0x" + "e" * 31, "0x0", "0x" + "d" * 32]
    bits = bitarray_from_json_strings(span_of(samples, ", "), 127 + 1)
    assert bits.array[:, -1].tolist() == [0xFF, 0x01, 0xEE, 0x00, 0xDD]
    assert bits.array[:, 0].tolist() == [0xFF, 0x00, 0x0E, 0x00, 0xDD]


@pytest.mark.parametrize("size", [1, 3, 7, 1 << 20])
def test_spans_not_in_the_simple_form_are_left_to_json(size):
    with block(size):
        for span in (
            b"",
            b"   ",
            b'"0x1",',
            b'"0x1","0x2',  # an unclosed string
            b'x"0x1"',
            b'"0x1"x',
            b'"0x1" ,"0x2"',
            b'"0x1",\n"0x2"',
            b'"0x1",  "0x2"',
            b'"0x1""0x2"',
            b'"0x1";"0x2"',
            b'"0x1", "0x2"; "0x3"',
            b'"0x1", "0x2",,"0x3"',
            b'"0x1","0x2","0\\u0078"',
            b'"0\\u0078", "0x1", "0x2", "0x3"',
        ):
            assert bitarray_from_json_strings(span, 4) is None, (span, size)
        assert bitarray_from_json_strings(b' \n"0x1", "0x2","0x3"\t ', 4).array.tolist() == [
            [1],
            [2],
            [3],
        ]


def test_count_strings_counts_every_block():
    span = span_of(["0x1", "0x22", "0x333"] * 7, ", ")
    for size in (1, 5, 1 << 20):
        with block(size):
            assert count_strings(span) == 21
            assert count_strings(memoryview(span)[: span.index(b",")]) == 1
    assert count_strings(b"") == 0


def test_a_step_holds_at_least_one_shot():
    with block(1):
        assert HexRows(np.zeros(4, dtype=np.uint8), 8).step == 1
        assert bitarray_from_hex(["0x1", "0xff", "0x3"], 8).array.tolist() == [[1], [255], [3]]


def test_count_strings_is_half_the_quotes_as_an_int():
    assert count_strings(b'"0x1", "0x2') == 1  # an unclosed string is not counted
    assert count_strings(b'"') == 0
    assert type(count_strings(b'"0x1"')) is int


@pytest.mark.parametrize("size", [2, 1 << 20])
def test_an_empty_string_is_a_missing_prefix_in_any_block(size):
    with block(size):
        for span in (b'""', b'"","0x1"', b'"0x1",""'):
            with pytest.raises(DecodeError) as caught:
                bitarray_from_json_strings(span, 4)
            assert str(caught.value) == PREFIX, span


def test_a_comma_inside_a_sample_is_not_hex():
    with pytest.raises(DecodeError) as caught:
        bitarray_from_hex(["0x1", "0x1,2"], 8)
    assert str(caught.value) == NON_HEX
