"""Plain sampler bodies with their flat sample arrays cut out of the bytes (codec.hexbody)."""

from __future__ import annotations

import json

import pytest
from qiskit.primitives import BitArray

from qiskit_rest_provider.codec import hexbody
from qiskit_rest_provider.codec.hexbody import loads_plain, marked_span, span_bits, span_shots

MARK = "\x00qrp-samples:"


def body_of(registers: dict, metadata: dict | None = None) -> bytes:
    data = {name: {"samples": samples, "num_bits": 4} for name, samples in registers.items()}
    doc = {"metadata": metadata or {}, "results": [{"data": data, "metadata": {}}]}
    return json.dumps(doc).encode()


@pytest.fixture
def always(monkeypatch):
    monkeypatch.setattr(hexbody, "MIN_BYTES", 0)


@pytest.mark.usefixtures("always")
def test_flat_arrays_are_views_of_the_body_in_order():
    body = body_of({"meas": ["0x1", "0x2"], "c": ["0xf"]}, metadata={"note": "samples"})
    data, spans = loads_plain(body)
    fields = data["results"][0]["data"]
    assert fields["meas"] == {"samples": MARK + "0", "num_bits": 4}
    assert fields["c"] == {"samples": MARK + "1", "num_bits": 4}
    assert data["metadata"] == {"note": "samples"}  # "samples" as a value: not cut
    assert [bytes(span) for span in spans] == [b'"0x1", "0x2"', b'"0xf"']
    assert all(isinstance(span, memoryview) and span.obj is body for span in spans)
    assert marked_span(fields["c"]["samples"], spans) is spans[1]
    assert span_shots(spans[0]) == 2 and span_shots(spans[1]) == 1


@pytest.mark.usefixtures("always")
@pytest.mark.parametrize(
    "body",
    [
        body_of({"meas": [["0x1"], ["0x2"]]}),  # nested: the general path
        body_of({"meas": ["0x1"]}, metadata={"samples": ["0x5"]}),  # a marker off the registers
        body_of({"meas": []}).replace(b'"samples": []', b'"samples": "0x1"'),  # no array
        b'{"samples" : 1, "results": []}',
    ],
)
def test_unusual_bodies_parse_whole(body):
    assert loads_plain(body) == (json.loads(body), [])


@pytest.mark.usefixtures("always")
def test_an_array_without_its_end_is_not_json():
    with pytest.raises(ValueError):
        loads_plain(b'{"results": [{"data": {"meas": {"samples": ["0x1", "0x2"')


def test_only_bytes_bodies_of_min_bytes_or_more_are_cut(monkeypatch):
    body = body_of({"meas": ["0x1", "0x2"]})
    monkeypatch.setattr(hexbody, "MIN_BYTES", len(body))
    assert len(loads_plain(body)[1]) == 1
    assert loads_plain(body.decode()) == (json.loads(body), [])
    monkeypatch.setattr(hexbody, "MIN_BYTES", len(body) + 1)
    assert loads_plain(body) == (json.loads(body), [])


@pytest.mark.parametrize(("size", "cut"), [((1 << 20) - 1, False), (1 << 20, True)])
def test_the_threshold_is_one_mebibyte(size, cut):
    body = body_of({"meas": ["0x1", "0x2"]}, metadata={"pad": ""})
    body = body.replace(b'"pad": ""', b'"pad": "' + b"p" * (size - len(body)) + b'"')
    assert len(body) == size
    data, spans = loads_plain(body)
    assert len(spans) == cut
    assert data["results"][0]["data"]["meas"]["samples"] == (MARK + "0" if cut else ["0x1", "0x2"])


def test_marked_span_reads_markers_only():
    spans = [memoryview(b'"0x1"'), b'"0x2"']
    assert marked_span(MARK + "1", spans) is spans[1]
    assert marked_span(MARK + "0", spans) is spans[0]
    assert marked_span(MARK + "0", []) is None
    assert marked_span("0x1", spans) is None
    assert marked_span(["0x1"], spans) is None


def test_span_bits_falls_back_to_json():
    assert span_bits(b'"0x1", "0x2"', 4) == BitArray.from_samples(["0x1", "0x2"], 4)
    indented = memoryview(b'\n  "0x1",\n  "0x3"\n')
    assert span_bits(indented, 4) == BitArray.from_samples(["0x1", "0x3"], 4)


@pytest.mark.usefixtures("always")
@pytest.mark.parametrize(
    "body",
    [
        b'[{"samples": ["0x1"]}]',
        b'{"results": 5, "x": {"samples": ["0x1"]}}',
        b'{"results": [1], "x": {"samples": ["0x1"]}}',
        b'{"results": [{"data": [1]}], "x": {"samples": ["0x1"]}}',
        b'{"results": [{"data": {"m": 1}}], "x": {"samples": ["0x1"]}}',
        b'{"results": [{"data": {"m": {"samples": null}}}], "x": {"samples": ["0x1"]}}',
    ],
)
def test_markers_outside_the_registers_parse_whole(body):
    assert loads_plain(body) == (json.loads(body), [])


@pytest.mark.usefixtures("always")
def test_a_string_of_samples_is_not_a_marker():
    body = b'{"results": [{"data": {"m": {"samples": "0x1"}, "n": {"samples": ["0x2"]}}}]}'
    data, spans = loads_plain(body)
    assert [bytes(span) for span in spans] == [b'"0x2"']
    assert data["results"][0]["data"] == {"m": {"samples": "0x1"}, "n": {"samples": MARK + "0"}}


def test_simple_spans_are_read_without_json(monkeypatch):
    def refuse(*args):
        raise AssertionError("parsed as JSON")

    monkeypatch.setattr(hexbody, "bitarray_from_hex", refuse)
    assert span_bits(memoryview(b'"0x1", "0x2"'), 4) == BitArray.from_samples(["0x1", "0x2"], 4)
