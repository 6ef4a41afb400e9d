"""Payload encoding: exact compact-JSON size without serialising; zlib only where it pays."""

from __future__ import annotations

import json
import math
import zlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qiskit_rest_provider.codec import tagged
from qiskit_rest_provider.codec.jsonsize import compact_json_size
from qiskit_rest_provider.codec.tagged import decode_ndarray, encode_ndarray


def _dumps_len(obj):
    return len(json.dumps(obj, separators=(",", ":"), allow_nan=False))


_text = st.text(alphabet=st.characters(max_codepoint=0x2FF), max_size=40)
_long_text = st.builds(
    lambda parts, n: "".join(parts) * n,
    st.lists(
        st.sampled_from(
            ["a", '"', "\\", "\n", "\t", "\x01", "\x1f", "\x7f", "\r", "\b", "\f", "é"]
        ),
        min_size=1,
        max_size=8,
    ),
    st.integers(40, 120),
)
_json = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | _text
    | _long_text,
    lambda children: (
        st.lists(children, max_size=5)
        | st.dictionaries(_text, children, max_size=5)
        | st.tuples(children, children)
    ),
    max_leaves=25,
)


@settings(max_examples=200, deadline=None)
@given(_json)
def test_size_equals_compact_json_dumps(obj):
    assert compact_json_size(obj) == _dumps_len(obj)


def test_size_of_real_payload_pieces():
    qasm = 'OPENQASM 3.0;\ninclude "stdgates.inc";\n// x: {"a":"b\\\\c"}\n' + "rz(0.1) $0;\n" * 50
    values = encode_ndarray(np.random.default_rng(0).random((300, 4)))
    pubs = [[qasm, values, 1000], [qasm, {"ZZ": 1.0, "XI": -0.5}, values, None]]
    assert compact_json_size(pubs) == _dumps_len(pubs)
    odd_keys = {1: "int key", None: True}  # json's own rules, through json itself
    assert compact_json_size(odd_keys) == _dumps_len(odd_keys)


class _List(list):
    pass


class _Dict(dict):
    pass


class _Str(str):
    pass


@pytest.mark.parametrize(
    "obj",
    [
        [],
        {},
        [[], [{}]],
        {"a": {}, "b": []},
        {"a": 1, 2: "b"},  # a non-string key after a string one: json itself measures it
        {_Str("k"): _Str("v")},
        _List([1, "a", None]),
        _Dict(a=[1.5, True]),
        ("t", [1], {"x": (2, 3)}),
        (),
        (1,),
        _List(),
        _Dict(),
        _Dict({1: "a"}),  # a dict subclass with a non-string key: json itself measures it
        _Dict(a=1, b=[2], c=None),
    ],
)
def test_exact_types_subclasses_and_empty_containers(obj):
    assert compact_json_size(obj) == _dumps_len(obj)


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf, [1.0, {"x": math.nan}]])
def test_nan_and_infinity_are_refused_like_json(bad):
    with pytest.raises(ValueError):
        compact_json_size(bad)
    with pytest.raises(ValueError):
        _dumps_len(bad)


def test_nan_message_names_the_value():
    with pytest.raises(ValueError) as caught:
        compact_json_size([1.0, {"x": -math.inf}])
    assert str(caught.value) == "Out of range float values are not JSON compliant: -inf"


def test_unserialisable_is_a_type_error():
    with pytest.raises(TypeError):
        compact_json_size({"x": object()})


def _stored(payload: dict) -> tuple[int, np.ndarray]:
    raw = zlib.decompress(__import__("base64").b64decode(payload["__value__"]))
    return len(payload["__value__"]), np.frombuffer(raw, dtype=np.uint8)


def test_incompressible_arrays_are_stored_compressible_ones_compressed():
    rng = np.random.default_rng(1)
    random_values = rng.uniform(-np.pi, np.pi, size=(1000, 400))  # 3.2 MB, shrinks ~3.6 %
    stored = encode_ndarray(random_values)
    np.testing.assert_array_equal(decode_ndarray(stored["__value__"]), random_values)
    npy_size = random_values.nbytes + 128
    # stored: base64 of more than the raw bytes (zlib's stored blocks add a few bytes)
    assert len(stored["__value__"]) > 4 * npy_size / 3
    half = random_values.copy()
    half[:, ::2] = 0.0  # compresses to ~0.6: worth it
    packed = encode_ndarray(half)
    np.testing.assert_array_equal(decode_ndarray(packed["__value__"]), half)
    assert len(packed["__value__"]) < 0.8 * 4 * npy_size / 3
    grid = np.tile(np.linspace(0, 1, 8), (20_000, 1))  # a sweep of few values: tiny
    assert len(encode_ndarray(grid)["__value__"]) < 20_000


def test_probe_threshold_and_small_arrays():
    rng = np.random.default_rng(2)
    # just compressible enough: 7 bits of entropy per byte (~0.88 of the size) is compressed
    data = rng.integers(0, 128, size=400_000, dtype=np.uint8).tobytes()
    assert tagged._zlib(data) == zlib.compress(data, 1)
    assert len(tagged._zlib(data)) < 0.9 * len(data)
    noise = rng.integers(0, 256, size=400_000, dtype=np.uint8).tobytes()
    assert tagged._zlib(noise) == zlib.compress(noise, 0)
    small = noise[: 2 * tagged._PROBE_BYTES]  # too small to probe: level 1 as before
    assert tagged._zlib(small) == zlib.compress(small, 1)
    just_over = noise[: 2 * tagged._PROBE_BYTES + 1]
    assert tagged._zlib(just_over) == zlib.compress(just_over, 0)
