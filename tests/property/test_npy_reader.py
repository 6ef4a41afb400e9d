"""The .npy fast path reads exactly what np.load reads, and steps aside for anything else."""

from __future__ import annotations

import base64
import io
import zlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from qiskit_rest_provider.codec import tagged
from qiskit_rest_provider.codec.npy import read_simple_npy

DTYPES = st.sampled_from(
    ["?", "i1", "i2", "i4", "i8", "u1", "u2", "u4", "u8", "f2", "f4", "f8", "c8", "c16"]
).flatmap(lambda code: st.sampled_from([np.dtype(code), np.dtype(code).newbyteorder(">")]))


def _saved(array: np.ndarray, version=None) -> bytes:
    buffer = io.BytesIO()
    if version is None:
        np.save(buffer, array, allow_pickle=False)
    else:
        np.lib.format.write_array(buffer, array, version=version, allow_pickle=False)
    return buffer.getvalue()


def _same(ours: np.ndarray, theirs: np.ndarray) -> None:
    assert ours.dtype == theirs.dtype and ours.shape == theirs.shape
    assert ours.tobytes(order="A") == theirs.tobytes(order="A")
    assert ours.flags.f_contiguous == theirs.flags.f_contiguous
    assert ours.flags.c_contiguous == theirs.flags.c_contiguous
    assert ours.flags.writeable


@settings(max_examples=150, deadline=None)
@given(
    array=hnp.arrays(DTYPES, hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=5)),
    fortran=st.booleans(),
    version=st.sampled_from([None, (1, 0), (2, 0), (3, 0)]),
)
def test_the_fast_path_reads_what_np_load_reads(array, fortran, version):
    if fortran:
        array = np.asfortranarray(array)
    raw = _saved(array, version)
    ours = read_simple_npy(raw)
    assert ours is not None
    _same(ours, np.load(io.BytesIO(raw), allow_pickle=False))
    _same(tagged._load_npy(raw), np.load(io.BytesIO(raw), allow_pickle=False))


@pytest.mark.parametrize(
    "array",
    [
        np.array(["ab", "c"]),
        np.array([b"ab"]),
        np.zeros(3, dtype=[("a", "<i4"), ("b", "<f8")]),
        np.array(["x"], dtype=object),
        np.zeros(2, dtype="M8[s]"),
    ],
    ids=["str", "bytes", "record", "object", "datetime"],
)
def test_other_arrays_are_left_to_np_load(array):
    raw = _saved(array) if array.dtype != object else _object_npy()
    assert read_simple_npy(raw) is None


def _object_npy() -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, np.array([1, "x"], dtype=object), allow_pickle=True)
    return buffer.getvalue()


def test_refusals_stay_np_loads():
    raw = _saved(np.arange(12, dtype="<f8").reshape(3, 4))
    assert read_simple_npy(raw[:-1]) is None  # short data: np.load words the error
    with pytest.raises(Exception, match="requested|read|size|bytes"):
        np.load(io.BytesIO(raw[:-1]))
    with pytest.raises(tagged.DecodeError):
        tagged.decode_ndarray(base64.b64encode(zlib.compress(raw[:-1])).decode())
    assert read_simple_npy(b"\x93NUMPY\x04\x00" + raw[8:]) is None  # unknown version
    assert read_simple_npy(b"not npy at all") is None
    assert read_simple_npy(raw[:9]) is None
    assert read_simple_npy(raw[:6]) is None  # the magic alone
    odd = raw.replace(b"'<f8'", b"'<i3'")
    assert read_simple_npy(odd) is None
    spaced = raw.replace(b"'shape': (3, 4)", b"'shape': (3,4) ")
    assert read_simple_npy(spaced) is None
    assert read_simple_npy(raw + b"trailing")[2, 3] == 11.0  # np.load ignores it too
    assert np.load(io.BytesIO(raw + b"trailing"))[2, 3] == 11.0


def test_object_arrays_are_still_refused_without_pickle():
    import base64
    import zlib

    from qiskit_rest_provider.exceptions import DecodeError

    payload = base64.b64encode(zlib.compress(_object_npy())).decode()
    with pytest.raises(DecodeError):
        tagged.decode_ndarray(payload)
