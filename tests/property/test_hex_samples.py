"""Hex shot strings -> BitArray: equal to Qiskit's ``BitArray.from_samples``, any nesting."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from qiskit.primitives import BitArray

from qiskit_rest_provider.codec.bits import bitarray_from_hex, bitarray_to_hex
from qiskit_rest_provider.exceptions import DecodeError


@st.composite
def hex_samples(draw):
    num_bits = draw(st.integers(0, 140))
    shots = draw(st.integers(0, 40))
    values = draw(st.lists(st.integers(0, 2**num_bits - 1), min_size=shots, max_size=shots))
    pads = draw(st.lists(st.integers(0, 3), min_size=shots, max_size=shots))
    upper = draw(st.booleans())
    samples = []
    for value, pad in zip(values, pads):
        digits = "0" * pad + format(value, "x")
        samples.append("0x" + (digits.upper() if upper else digits))
    return samples, num_bits


@settings(max_examples=60, deadline=None)
@given(hex_samples())
def test_matches_qiskit_from_samples(case):
    samples, num_bits = case
    ours = bitarray_from_hex(samples, num_bits)
    assert ours.num_bits == num_bits and ours.num_shots == len(samples) and ours.shape == ()
    if samples and num_bits:  # Qiskit widens 0-bit samples to 1 bit
        assert ours == BitArray.from_samples(samples, num_bits)
        assert bitarray_from_hex(bitarray_to_hex(ours), num_bits) == ours


@settings(max_examples=25, deadline=None)
@given(hex_samples(), st.integers(1, 3), st.integers(1, 3))
def test_nesting_is_the_leading_shape(case, rows, cols):
    samples, num_bits = case
    nested = [[samples for _ in range(cols)] for _ in range(rows)]
    ours = bitarray_from_hex(nested, num_bits)
    assert ours.shape == (rows, cols) and ours.num_shots == len(samples)
    flat = bitarray_from_hex(samples, num_bits)
    for r in range(rows):
        for c in range(cols):
            np.testing.assert_array_equal(ours.array[r, c], flat.array)


def test_many_shots_in_chunks_keep_their_order():
    rng = np.random.default_rng(1)
    values = [int(v) for v in rng.integers(0, 2**40, size=70_000)]
    samples = [hex(v) for v in values]
    bits = bitarray_from_hex(samples, 40)
    assert bits == BitArray.from_samples(samples, 40)
    assert bitarray_to_hex(bits)[-1] == samples[-1]


@pytest.mark.parametrize(
    ("samples", "num_bits", "match"),
    [
        (["1ff"], 9, "0x"),
        (["0X1"], 9, "0x"),
        (["x1"], 9, "0x"),
        (["0"], 9, "0x"),
        (["0x1", "0xzz"], 9, "non-hex"),
        (["0x1g0"], 12, "non-hex"),
        (["0x3ff"], 9, "wider"),
        (["0x100"], 8, "wider"),
        (["0x1", "0x10"], 4, "wider"),
        (["0x0001f"], 4, "wider"),
        (["0x00g1"], 4, "non-hex"),
        ([1, 2], 4, "hex string"),
        (["0xé"], 4, "hex string"),
        ("0x1", 4, "list"),
        (np.array("0x1"), 4, "list"),
        ([["0x1"], ["0x1", "0x0"]], 4, "rectangular"),
        ([["0x1"], "0x1"], 4, "rectangular"),
    ],
)
def test_invalid_samples_are_refused(samples, num_bits, match):
    with pytest.raises(DecodeError, match=match):
        bitarray_from_hex(samples, num_bits)


def test_edge_forms():
    assert bitarray_from_hex(["0x00", "0x0", "0x00000"], 4) == BitArray.from_samples(["0x0"] * 3, 4)
    with pytest.raises(DecodeError, match="no hex digits"):
        bitarray_from_hex(["0x1", "0x"], 4)
    zero_width = bitarray_from_hex(["0x0", "0x0"], 0)
    assert zero_width.num_bits == 0 and zero_width.array.shape == (2, 0)
    assert bitarray_from_hex([], 5).num_shots == 0
    assert bitarray_from_hex(np.array(["0x1", "0x3"]), 2) == BitArray.from_samples(
        ["0x1", "0x3"], 2
    )
    assert bitarray_from_hex(("0xff", "0x0f"), 8).array.tolist() == [[255], [15]]
