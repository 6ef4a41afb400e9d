"""Plain sampler bodies read without a string per shot: same results as parsing them whole."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from qiskit.primitives import BitArray

from qiskit_rest_provider.codec import hexbody
from qiskit_rest_provider.codec.bits import bitarray_from_hex, bitarray_from_json_strings
from qiskit_rest_provider.codec.circuits import CregSpec
from qiskit_rest_provider.codec.pubs import PubSpec
from qiskit_rest_provider.codec.results import decode_result
from qiskit_rest_provider.exceptions import DecodeError


@pytest.fixture
def always(monkeypatch):
    monkeypatch.setattr(hexbody, "MIN_BYTES", 0)  # small test bodies take the fast path too


def _body(registers, metadata=None, indent=None, separators=None):
    data = {name: {"samples": samples, "num_bits": bits} for name, (samples, bits) in registers}
    doc = {"results": [{"data": data, "metadata": {}}], "metadata": metadata or {}}
    return json.dumps(doc, indent=indent, separators=separators).encode()


def _specs(*names_bits):
    return [PubSpec(shape=(), cregs=tuple(CregSpec(n, n, b) for n, b in names_bits))]


@settings(max_examples=60, deadline=None)
@given(
    st.integers(1, 70).flatmap(
        lambda bits: st.tuples(
            st.just(bits), st.lists(st.integers(0, 2**bits - 1), min_size=1, max_size=30)
        )
    ),
    st.sampled_from([(",", ":"), (", ", ": "), None]),
)
def test_fast_path_equals_the_whole_parse(case, separators):
    bits, values = case
    samples = [hex(v) for v in values]
    body = _body([("meas", (samples, bits)), ("c", (samples[::-1], bits))], separators=separators)
    specs = _specs(("meas", bits), ("c", bits))
    old = hexbody.MIN_BYTES
    try:
        hexbody.MIN_BYTES = 0
        fast = decode_result(body, "sampler", specs)[0].data
        hexbody.MIN_BYTES = 1 << 60
        slow = decode_result(body, "sampler", specs)[0].data
    finally:
        hexbody.MIN_BYTES = old
    assert fast.meas == slow.meas == BitArray.from_samples(samples, bits)
    assert fast.c == slow.c


def test_spans_in_simple_forms_only():
    assert bitarray_from_json_strings(b'"0x1","0x2"', 4) == bitarray_from_hex(["0x1", "0x2"], 4)
    assert bitarray_from_json_strings(b' "0x1", "0x2" \n', 4) == bitarray_from_hex(
        ["0x1", "0x2"], 4
    )
    for span in (b'"0x1" , "0x2"', b'"0x1",\n  "0x2"', b'"0\\u0078"', b"", b'"0x1",', b'x"0x1"'):
        assert bitarray_from_json_strings(span, 4) is None, span
    with pytest.raises(DecodeError, match="non-hex"):
        bitarray_from_json_strings(b'"0x1","0xg"', 4)
    with pytest.raises(DecodeError, match="0x"):
        bitarray_from_json_strings(b'"0x1","1"', 4)
    with pytest.raises(DecodeError, match="wider"):
        bitarray_from_json_strings(b'"0x1","0x10"', 4)


@pytest.mark.usefixtures("always")
def test_unusual_bodies_fall_back_and_decode_the_same():
    specs = _specs(("meas", 3))
    indented = _body([("meas", (["0x1", "0x7"], 3))], indent=2)  # newlines: span refused
    assert decode_result(indented, "sampler", specs)[0].data.meas.get_counts() == {
        "001": 1,
        "111": 1,
    }
    # "samples" in the metadata too: the marker would land there, so the whole body is parsed
    meta = _body([("meas", (["0x1"], 3))], metadata={"samples": ["0x5"]})
    result = decode_result(meta, "sampler", specs)
    assert result.metadata["samples"] == ["0x5"]
    assert result[0].data.meas.get_counts() == {"001": 1}
    # nested samples (a parameter sweep): the general path
    nested = _body([("meas", ([["0x1", "0x2"], ["0x3", "0x4"]], 3))])
    spec = [PubSpec(shape=(2,), cregs=(CregSpec("meas", "meas", 3),))]
    assert decode_result(nested, "sampler", spec)[0].data.meas.array[:, :, 0].tolist() == [
        [1, 2],
        [3, 4],
    ]
    # an escaped character inside a sample is read by JSON, then refused as not hex
    escaped = b'{"results": [{"data": {"meas": {"samples": ["0x\\u0031"], "num_bits": 3}}}]}'
    assert decode_result(escaped, "sampler", specs)[0].data.meas.get_counts() == {"001": 1}
    with pytest.raises(DecodeError, match="non-hex"):
        decode_result(_body([("meas", (["0x1", "0xz"], 3))]), "sampler", specs)


def test_big_bodies_take_the_fast_path(monkeypatch):
    rng = np.random.default_rng(0)
    samples = [hex(int(v)) for v in rng.integers(0, 2**60, size=60_000)]
    body = _body([("meas", (samples, 60))])
    assert len(body) >= hexbody.MIN_BYTES
    cut = []
    real = hexbody.bitarray_from_json_strings
    monkeypatch.setattr(hexbody, "bitarray_from_json_strings", lambda *a: cut.append(a) or real(*a))
    bits = decode_result(body, "sampler", _specs(("meas", 60)))[0].data.meas
    assert len(cut) == 1 and bits == BitArray.from_samples(samples, 60)
    small = _body([("meas", (samples[:10], 60))])
    decode_result(small, "sampler", _specs(("meas", 60)))
    assert len(cut) == 1  # under MIN_BYTES: parsed as a whole


@pytest.mark.usefixtures("always")
def test_cut_out_arrays_keep_the_size_and_shape_checks():
    from qiskit_rest_provider.codec import result_checks

    body = _body([("meas", (["0x1", "0x2", "0x3"], 3))])
    sweep = [PubSpec(shape=(3,), cregs=(CregSpec("meas", "meas", 3),))]
    with pytest.raises(DecodeError, match=r"shape \(3,\)"):
        decode_result(body, "sampler", sweep)
    items, _ = result_checks.read_pub_items(
        {"results": [{"data": {"meas": {"samples": "\x00qrp-samples:0", "num_bits": 3}}}]},
        "sampler",
        _specs(("meas", 3)),
        [b'"0x1","0x2","0x3"'],
    )
    assert items[0][0]["meas"].num_shots == 3
    budget = result_checks.ArrayBudget(3 * 5)  # 3 shots x (2 digits + 3) bytes: just enough
    fields = {"meas": {"samples": "\x00qrp-samples:0", "num_bits": 3}}
    spans = [b'"0x1","0x2","0x3"']
    assert result_checks.plain_fields(fields, "sampler", None, budget, spans)["meas"].num_shots == 3
    with pytest.raises(DecodeError, match="more than the job's result can"):
        result_checks.plain_fields(
            fields, "sampler", None, result_checks.ArrayBudget(3 * 5 - 1), spans
        )
