"""Hex samples <-> BitArray: exact bits at every register width, and every refusal."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from qiskit.primitives import BitArray

from qiskit_rest_provider.codec.bits import bitarray_from_hex, bitarray_to_hex
from qiskit_rest_provider.exceptions import DecodeError


@pytest.mark.parametrize(
    ("num_bits", "sample", "array", "bitstring"),
    [
        (1, "0x1", [1], "1"),
        (7, "0x7f", [0x7F], "1111111"),
        (7, "0x41", [0x41], "1000001"),
        (8, "0xff", [0xFF], "11111111"),
        (8, "0x80", [0x80], "10000000"),
        (9, "0x100", [0x01, 0x00], "100000000"),
        (16, "0x8001", [0x80, 0x01], "1000000000000001"),
        (16, "0x0", [0x00, 0x00], "0000000000000000"),
        (17, "0x10002", [0x01, 0x00, 0x02], "10000000000000010"),
    ],
)
def test_widths_decode_to_exact_bytes_and_bitstrings(num_bits, sample, array, bitstring):
    bits = bitarray_from_hex([sample], num_bits)
    assert bits.num_bits == num_bits
    assert bits.num_shots == 1
    assert bits.shape == ()
    assert bits.array.dtype == np.uint8
    assert bits.array.tolist() == [array]
    # clbit 0 is the least-significant bit: the rightmost character of the bitstring.
    assert bits.get_bitstrings() == [bitstring]
    assert bitarray_to_hex(bits) == [sample]


def test_width_zero_register():
    bits = bitarray_from_hex(["0x0", "0x0", "0x0"], 0)
    assert bits.num_bits == 0
    assert bits.num_shots == 3
    assert bits.array.shape == (3, 0)
    assert bitarray_to_hex(bits) == ["0x0", "0x0", "0x0"]
    nested = bitarray_from_hex([["0x0"] * 3, ["0x0"] * 3], 0)
    assert nested.array.shape == (2, 3, 0)
    assert bitarray_to_hex(nested) == [["0x0"] * 3, ["0x0"] * 3]


def test_leading_zeros_are_dropped_on_encode_and_accepted_within_width():
    bits = BitArray(np.array([[0x00, 0x03], [0x01, 0x00]], dtype=np.uint8), 12)
    assert bitarray_to_hex(bits) == ["0x3", "0x100"]
    assert bitarray_from_hex(["0x003", "0x100"], 12).array.tolist() == [[0, 3], [1, 0]]


def test_leading_zeros_past_the_register_width_are_accepted():
    bits = bitarray_from_hex(["0x00ff", "0x1", "0x0000"], 8)
    assert bits.array.tolist() == [[255], [1], [0]]


def test_numpy_string_arrays_are_read_like_lists():
    bits = bitarray_from_hex(np.array([["0x1", "0x2"], ["0x3", "0x0"]]), 2)
    assert bits.shape == (2,)
    assert bits.array[..., 0].tolist() == [[1, 2], [3, 0]]
    assert bitarray_from_hex(np.array(["0x1"]), 1).array.tolist() == [[1]]
    with pytest.raises(DecodeError) as caught:
        bitarray_from_hex(np.array("0x1"), 1)
    assert str(caught.value) == "Sampler 'samples' must be a list of hex strings."


@pytest.mark.parametrize(
    "samples", [[["0x1"], ["0x1", "0x0"]], [["0x1"], "0x1"], [("0x1",), ["0x1", "0x1"]]]
)
def test_ragged_nesting_is_refused(samples):
    with pytest.raises(DecodeError) as caught:
        bitarray_from_hex(samples, 1)
    assert str(caught.value) == "Sampler 'samples' must be a rectangular nesting of lists."


@pytest.mark.parametrize("samples", [[1, 2], ["0x1", None], ["0x\u00e9"]])
def test_non_string_or_non_ascii_samples_are_refused(samples):
    with pytest.raises(DecodeError) as caught:
        bitarray_from_hex(samples, 4)
    assert str(caught.value).startswith("Every sampler sample must be a hex string: ")


def test_nested_samples_keep_their_shape_last_axis_is_shots():
    samples = [["0x0", "0x1", "0x2"], ["0x3", "0x3", "0x0"]]
    bits = bitarray_from_hex(samples, 2)
    assert bits.shape == (2,)
    assert bits.num_shots == 3
    assert bits.array[..., 0].tolist() == [[0, 1, 2], [3, 3, 0]]
    assert bitarray_to_hex(bits) == samples


@pytest.mark.parametrize(("num_bits", "nbytes"), [(0, 0), (3, 1), (9, 2)])
def test_empty_sample_list(num_bits, nbytes):
    bits = bitarray_from_hex([], num_bits)
    assert bits.num_shots == 0
    assert bits.num_bits == num_bits
    assert bits.array.shape == (0, nbytes)
    assert bitarray_to_hex(bits) == []


WIDER = "A sample is wider than its register's {} bits."


@pytest.mark.parametrize(
    ("samples", "num_bits", "message"),
    [
        ("0x1", 2, "Sampler 'samples' must be a list of hex strings."),  # a scalar, not shots
        (["1"], 2, "Every sampler sample must be a '0x'-prefixed hex string."),
        (["0x1", "3"], 2, "Every sampler sample must be a '0x'-prefixed hex string."),
        (["0X1"], 2, "Every sampler sample must be a '0x'-prefixed hex string."),
        (["1x1"], 2, "Every sampler sample must be a '0x'-prefixed hex string."),
        (["0x1", "1x1"], 2, "Every sampler sample must be a '0x'-prefixed hex string."),
        ("not a list", 2, "Sampler 'samples' must be a list of hex strings."),
        (["0xg0ff"], 8, "Invalid hex sample: a sample has a non-hex character."),
        (["0xfg"], 8, "Invalid hex sample: a sample has a non-hex character."),
        (["0x"], 2, "A sampler sample has no hex digits after '0x'."),
        (["0x1", "0x"], 2, "A sampler sample has no hex digits after '0x'."),
        (["0xzz"], 8, None),
        (["0x0x1"], 16, None),  # the prefix is removed once, not as a set of characters
        (["0xx1"], 16, None),
        (["0xX1"], 8, None),
        (["0x4"], 2, WIDER.format(2)),  # bit 2 set in a 2-bit register
        (["0x80"], 7, WIDER.format(7)),
        (["0x100"], 8, WIDER.format(8)),  # one hex digit too many
        (["0x1ff"], 8, WIDER.format(8)),
        (["0x10000"], 16, WIDER.format(16)),
        (["0x1"], 0, WIDER.format(0)),
        (["0x0", "0x10"], 0, WIDER.format(0)),
    ],
)
def test_refusals(samples, num_bits, message):
    with pytest.raises(DecodeError) as caught:
        bitarray_from_hex(samples, num_bits)
    if message is None:
        assert str(caught.value) == "Invalid hex sample: a sample has a non-hex character."
    else:
        assert str(caught.value) == message


@settings(max_examples=60, deadline=None)
@given(
    num_bits=st.integers(1, 40),
    data=st.data(),
)
def test_round_trip_against_python_ints(num_bits, data):
    values = data.draw(st.lists(st.integers(0, 2**num_bits - 1), min_size=1, max_size=6))
    samples = [hex(v) for v in values]
    bits = bitarray_from_hex(samples, num_bits)
    assert bits.get_bitstrings() == [format(v, f"0{num_bits}b") for v in values]
    assert bits.get_int_counts() == {v: values.count(v) for v in set(values)}
    assert bitarray_to_hex(bits) == samples


def test_iq_pairs_on_the_last_axis_become_complex_at_any_shape():
    from qiskit_rest_provider.codec.bits import iq_array

    shots = np.arange(6.0).reshape(3, 2)  # 3 shots of [re, im]
    np.testing.assert_array_equal(iq_array(shots), np.array([1j, 2 + 3j, 4 + 5j]))
    sweep = np.arange(12).reshape(2, 3, 2)  # integers too
    np.testing.assert_array_equal(iq_array(sweep), sweep[..., 0] + 1j * sweep[..., 1])
    wide = np.arange(9.0).reshape(3, 3)  # not pairs: unchanged
    np.testing.assert_array_equal(iq_array(wide), wide)
