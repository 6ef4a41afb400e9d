"""Tagged bodies with their long ndarray payloads cut out as views (codec/tagbody.py).

The oracle is the whole-body parse: the same body through ``json.loads`` (and through
qiskit-ibm-runtime's ``RuntimeDecoder``) must give the same data and the same results.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from qiskit.primitives import BitArray, DataBin, SamplerPubResult
from qiskit_ibm_runtime import RuntimeDecoder

from qiskit_rest_provider.codec import tagbody
from qiskit_rest_provider.codec.circuits import CregSpec
from qiskit_rest_provider.codec.hexbody import loads_plain
from qiskit_rest_provider.codec.pubs import PubSpec
from qiskit_rest_provider.codec.results import decode_result, encode_result
from qiskit_rest_provider.codec.tagged import decode_ndarray
from qiskit_rest_provider.exceptions import DecodeError


def _body(pubs: int = 3, shots: int = 60_000, num_bits: int = 77, seed: int = 1):
    rng = np.random.default_rng(seed)
    nbytes = (num_bits + 7) // 8
    results = []
    for _ in range(pubs):
        array = rng.integers(0, 256, size=(shots, nbytes), dtype=np.uint8)
        array[:, 0] &= (1 << (num_bits % 8 or 8)) - 1
        results.append(
            SamplerPubResult(DataBin(meas=BitArray(array, num_bits)), metadata={"shots": shots})
        )
    body = json.dumps(encode_result("sampler", results, {"version": 2}, tagged=True)).encode()
    spec = PubSpec(shape=(), cregs=(CregSpec("meas", "meas", num_bits),), shots=shots)
    return body, [spec] * pubs


def _as_text(data):
    """``data`` with every view turned back into the string it was cut from."""
    if isinstance(data, dict):
        return {key: _as_text(value) for key, value in data.items()}
    if isinstance(data, list):
        return [_as_text(item) for item in data]
    if isinstance(data, memoryview):
        return bytes(data).decode()
    return data


def _views(data) -> int:
    if isinstance(data, dict):
        return sum(_views(value) for value in data.values())
    if isinstance(data, list):
        return sum(_views(item) for item in data)
    return isinstance(data, memoryview)


@pytest.mark.parametrize("compact", [False, True], ids=["spaced", "compact"])
def test_a_big_tagged_body_parses_to_the_same_data_with_views(compact):
    body, _ = _body()
    if compact:  # as the emulator writes it: no space after ':' or ','
        body = json.dumps(json.loads(body), separators=(",", ":")).encode()
    assert len(body) >= tagbody.MIN_BYTES
    data = tagbody.loads_tagged(body)
    assert data is not None and _views(data) == 3  # one per register payload
    assert _as_text(data) == json.loads(body)


def test_results_equal_the_whole_body_parse_and_the_official_decoder():
    body, specs = _body()
    ours = decode_result(body, "sampler", specs)
    whole = decode_result(body.decode(), "sampler", specs)  # text: never cut
    theirs = json.loads(body.decode(), cls=RuntimeDecoder)
    for a, b, c in zip(ours, whole, theirs):
        assert a.data.meas == b.data.meas == c.data.meas
        assert a.metadata == b.metadata


def test_loads_plain_hands_tagged_bodies_over():
    body, _ = _body()
    data, spans = loads_plain(body)
    assert spans == [] and _views(data) == 3 and _as_text(data) == json.loads(body)


@pytest.mark.parametrize(
    "body",
    [
        json.dumps({"__type__": "PrimitiveResult", "__value__": "x" * 10}).encode(),  # small
        json.dumps({"results": [{"x": "A" * (2 << 20)}]}).encode(),  # not tagged
        json.dumps({"__type__": "T", "__value__": ["A" * 1000] * 2000}).encode(),  # no long one
        b'{"__type__": "T", "__value__": "' + b"A" * (2 << 20),  # the string never ends
    ],
    ids=["small", "plain", "short-payloads", "unterminated"],
)
def test_bodies_without_anything_to_cut_parse_whole(body):
    assert tagbody.loads_tagged(body) is None


def _tagged(value_type: str, payload: str, extra: object = None) -> bytes:
    inner = {"__type__": value_type, "__value__": payload}
    return json.dumps(
        {"__type__": "PrimitiveResult", "__value__": {"a": inner, "meta": extra}}
    ).encode()


def test_an_escape_inside_a_payload_falls_back_to_the_whole_parse():
    body = _tagged("ndarray", "A" * (2 << 20)).replace(b"AAAA", b"A\\/A", 1)
    assert tagbody.loads_tagged(body) is None
    assert json.loads(body)["__value__"]["a"]["__value__"].startswith("A/A")


def test_a_long_payload_of_another_type_falls_back():
    assert tagbody.loads_tagged(_tagged("QuantumCircuit", "A" * (2 << 20))) is None


@pytest.mark.parametrize(
    "extra",
    [
        "\x00qrp-payload:0",  # a string that looks like a marker, elsewhere
        {"__type__": "ndarray", "__value__": "\x00qrp-payload:0"},  # ...where a payload sits
        {"__type__": "ndarray", "__value__": "\x00qrp-payload:7"},  # ...with an unknown index
        {"__type__": "ndarray", "__value__": "\x00qrp-payload:1"},  # ...one past the last
        {"__type__": "ndarray", "__value__": "\x00qrp-payload:x"},
    ],
    ids=["elsewhere", "duplicate", "unknown-index", "one-past-the-last", "not-a-number"],
)
def test_a_body_that_forges_markers_falls_back(extra):
    body = _tagged("ndarray", "A" * (2 << 20), extra)
    assert tagbody.loads_tagged(body) is None


def test_a_view_decodes_as_its_string_and_bad_base64_is_refused():
    body, _ = _body(pubs=1, shots=150_000)
    data = tagbody.loads_tagged(body)
    fields = data["__value__"]["pub_results"][0]["__value__"]["data"]["__value__"]["fields"]
    view = fields["meas"]["__value__"]["array"]["__value__"]
    assert isinstance(view, memoryview)
    np.testing.assert_array_equal(decode_ndarray(view), decode_ndarray(bytes(view).decode()))
    for bad in (b"AAA*", b"A\xffAA", b"AAAAA"):
        with pytest.raises(DecodeError, match="Invalid ndarray payload"):
            decode_ndarray(memoryview(bad))


def test_only_long_payloads_are_cut_and_short_ones_stay_text():
    short = {"__type__": "ndarray", "__value__": "QUJD"}
    long = {"__type__": "ndarray", "__value__": "A" * (2 << 20)}
    body = json.dumps(
        {"__type__": "PrimitiveResult", "__value__": [short, long, short, long]},
        separators=(",", ":"),
    ).encode()
    data = tagbody.loads_tagged(body)
    assert data is not None
    kinds = [type(item["__value__"]) for item in data["__value__"]]
    assert kinds == [str, memoryview, str, memoryview]
    assert _as_text(data) == json.loads(body)


@pytest.mark.parametrize("where", ["before", "after"])
def test_an_escape_outside_the_payloads_does_not_stop_the_cut(where):
    note = {"note": 'a "quoted" \\ text'}  # escapes in another string
    long = {"__type__": "ndarray", "__value__": "A" * (2 << 20)}
    items = [note, long] if where == "before" else [long, note]
    body = json.dumps({"__type__": "PrimitiveResult", "__value__": items}).encode()
    assert b"\\" in body
    data = tagbody.loads_tagged(body)
    assert data is not None and _views(data) == 1
    assert _as_text(data) == json.loads(body)


@pytest.mark.parametrize(
    ("length", "kind"), [(tagbody.MIN_PAYLOAD - 1, str), (tagbody.MIN_PAYLOAD, memoryview)]
)
def test_the_payload_length_from_which_payloads_are_cut(length, kind):
    items = [
        {"__type__": "ndarray", "__value__": "B" * length},
        {"__type__": "ndarray", "__value__": "A" * (2 << 20)},
    ]
    body = json.dumps({"__type__": "PrimitiveResult", "__value__": items}).encode()
    data = tagbody.loads_tagged(body)
    assert type(data["__value__"][0]["__value__"]) is kind
