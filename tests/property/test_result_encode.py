"""The emulator's result encoder writes what ``np.save``-based ``encode_ndarray`` writes.

``codec.result_encode`` keeps ``.npy`` headers per dtype and shape and the payloads of tiny
arrays by their bytes; every payload must stay byte-identical to ``tagged.encode_ndarray``,
whatever the caches held before.
"""

from __future__ import annotations

from collections import OrderedDict
from datetime import datetime, timezone

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from qiskit_rest_provider.codec import result_encode
from qiskit_rest_provider.codec.result_encode import _plain_json, _tag_json, encode_array
from qiskit_rest_provider.codec.tagged import decode_ndarray, encode_ndarray

_DTYPES = st.sampled_from(
    ["<f8", ">f8", "<f4", "<i8", ">i4", "|u1", "|i1", "<u2", "|b1", "<c16", ">c8", "<f2"]
)
_ARRAYS = _DTYPES.flatmap(
    lambda dtype: hnp.arrays(
        np.dtype(dtype), hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=5)
    )
)


@settings(max_examples=300, deadline=None)
@given(_ARRAYS, st.booleans())
def test_encode_array_matches_encode_ndarray(array: np.ndarray, twice: bool) -> None:
    expected = encode_ndarray(array)
    assert encode_array(array) == expected
    if twice:  # from the caches
        assert encode_array(array.copy()) == expected


@settings(max_examples=60, deadline=None)
@given(_ARRAYS)
def test_non_contiguous_and_fortran_views_encode_as_their_c_copy(array: np.ndarray) -> None:
    fortran = np.asfortranarray(array)
    assert encode_array(fortran) == encode_ndarray(np.ascontiguousarray(array))
    if array.ndim and array.shape[0] > 1:
        view = array[::2]
        assert encode_array(view) == encode_ndarray(view)


def test_big_arrays_and_other_dtypes_still_encode_as_before() -> None:
    big = np.random.default_rng(1).random(70_000)  # above the memo and the zlib probe
    assert encode_array(big) == encode_ndarray(big)
    assert encode_array(big)["__value__"] == encode_array(big.copy())["__value__"]
    record = np.zeros(3, dtype=[("a", "<f8"), ("b", "<i4")])
    assert encode_array(record) == encode_ndarray(record)
    with pytest.raises(ValueError):
        encode_array(np.array([object()], dtype=object))


def test_equal_bytes_of_another_shape_or_dtype_never_share_a_payload() -> None:
    zeros = [np.zeros(2), np.zeros((1, 2)), np.zeros(16, dtype="|u1"), np.zeros(4, dtype="<i4")]
    payloads = [encode_array(a)["__value__"] for a in zeros]
    assert len(set(payloads)) == len(payloads)
    for array, payload in zip(zeros, payloads):
        np.testing.assert_array_equal(decode_ndarray(payload), array)
        assert decode_ndarray(payload).dtype == array.dtype


def test_caches_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(result_encode, "_HEADERS", {})
    monkeypatch.setattr(result_encode, "_PAYLOADS", {})
    monkeypatch.setattr(result_encode, "_HEADERS_MAX", 3)
    monkeypatch.setattr(result_encode, "_PAYLOADS_MAX", 2)
    for size in range(1, 8):
        array = np.arange(size, dtype=float)
        assert encode_array(array) == encode_ndarray(array)
        assert len(result_encode._HEADERS) <= 3
        assert len(result_encode._PAYLOADS) <= 2
    assert result_encode._HEADERS  # still used after a clear
    large = np.arange(40, dtype=float)  # 320 data bytes: above _MEMO_BYTES
    encode_array(large)
    assert all(len(raw) <= result_encode._MEMO_BYTES for raw in result_encode._PAYLOADS)
    assert not any(raw.endswith(large.tobytes()) for raw in result_encode._PAYLOADS)


def test_a_memoised_payload_is_the_one_for_its_bytes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(result_encode, "_PAYLOADS", {})
    first = encode_array(np.array([0.5, 0.25]))
    assert list(result_encode._PAYLOADS.values()) == [first["__value__"]]
    assert encode_array(np.array([0.5, 0.25])) == first
    assert encode_array(np.array([0.5, 0.75])) != first


class _Meta(OrderedDict):  # a Mapping that is not a plain dict
    pass


class _When(datetime):  # a datetime that is not exactly one
    pass


class _Items(list):  # a list that is not exactly one
    pass


_WHEN = datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)


def test_tag_json_keeps_every_kind_of_value() -> None:
    meta = {
        "s": "x",
        "i": 3,
        "f": 0.5,
        "b": True,
        "n": None,
        1: (1, 2),
        "when": _WHEN,
        "np_float": np.float64(0.25),
        "np_int": np.int32(7),
        "np_bool": np.bool_(True),
        "array": np.arange(3.0),
        "nested": _Meta(a=[_WHEN, {"b": np.float32(1.5)}]),
        "other": complex(1, 2),
        "when_sub": _When(2026, 1, 2, tzinfo=timezone.utc),
        "items_sub": _Items([np.int8(1), (2,)]),
    }
    out = _tag_json(meta)
    assert out == {
        "s": "x",
        "i": 3,
        "f": 0.5,
        "b": True,
        "n": None,
        "1": [1, 2],
        "when": {"__type__": "datetime", "__value__": "2026-01-02T03:04:05+00:00"},
        "np_float": 0.25,
        "np_int": 7,
        "np_bool": True,
        "array": encode_ndarray(np.arange(3.0)),
        "nested": {"a": [{"__type__": "datetime", "__value__": _WHEN.isoformat()}, {"b": 1.5}]},
        "other": complex(1, 2),
        "when_sub": {"__type__": "datetime", "__value__": "2026-01-02T00:00:00+00:00"},
        "items_sub": [1, [2]],
    }
    assert type(out["items_sub"]) is list and type(out["items_sub"][0]) is int
    assert type(out["np_float"]) is float and type(out["np_int"]) is int
    assert type(out["np_bool"]) is bool and type(out["nested"]) is dict


def test_plain_json_keeps_every_kind_of_value() -> None:
    meta = {
        2: ("a", np.int64(2)),
        "tagged": {"__type__": "X", "__value__": [np.float64(0.5)]},
        "when": _WHEN,
        "array": np.array([[1, 2]]),
        "nested": _Meta(x=[None, False, 1.0]),
    }
    out = _plain_json(meta)
    assert out == {
        "2": ["a", 2],
        "tagged": [0.5],
        "when": _WHEN.isoformat(),
        "array": [[1, 2]],
        "nested": {"x": [None, False, 1.0]},
    }
    assert type(out["2"][1]) is int and type(out["nested"]) is dict


def test_payloads_up_to_memo_bytes_are_memoised(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(result_encode, "_PAYLOADS", {})
    at_limit = np.arange(16, dtype="<f8")  # 128 header bytes + 128 data bytes = 256
    over = np.arange(129, dtype="|u1")  # 128 + 129 = 257
    encode_array(at_limit)
    encode_array(over)
    assert [len(raw) for raw in result_encode._PAYLOADS] == [result_encode._MEMO_BYTES]
