"""Results decoding and encoding: exact values for the cases the golden bodies do not reach."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import numpy as np
import pytest
from qiskit.primitives import BitArray, DataBin, PubResult, SamplerPubResult

from qiskit_rest_provider.codec.circuits import CregSpec
from qiskit_rest_provider.codec.pubs import PubSpec
from qiskit_rest_provider.codec.results import decode_result, encode_result
from qiskit_rest_provider.codec.tagged import decode_ndarray
from qiskit_rest_provider.exceptions import DecodeError

WHEN = datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone.utc)


def _plain_sampler() -> dict:
    return {
        "results": [
            {
                "data": {
                    "c": {"samples": ["0x1", "0x3", "0x0"], "num_bits": 2},
                    "d": {"samples": ["0x1", "0x0", "0x1"], "num_bits": 1},
                },
                "metadata": {"circuit_metadata": {"x": 1}},
            }
        ],
        "metadata": {},
    }


def test_sampler_without_specs_keeps_the_wire_registers():
    # A job rebuilt by id has no local PUBs: names, order, shape and shots come from the body.
    result = decode_result(json.dumps(_plain_sampler()), "sampler", [])
    assert result.metadata == {"version": 2}
    (pub,) = list(result)
    assert isinstance(pub, SamplerPubResult)
    assert list(pub.data.keys()) == ["c", "d"]
    assert pub.data.c.get_bitstrings() == ["01", "11", "00"]
    assert pub.data.d.get_bitstrings() == ["1", "0", "1"]
    assert pub.data.shape == ()
    assert pub.metadata == {"circuit_metadata": {"x": 1}, "shots": 3}


def test_sampler_with_specs_uses_the_local_names_and_metadata():
    spec = PubSpec(
        shape=(), cregs=(CregSpec("mine", "c", 2),), circuit_metadata={"local": True}, shots=3
    )
    body = _plain_sampler()
    del body["results"][0]["data"]["d"]
    (pub,) = list(decode_result(body, "sampler", [spec]))
    assert list(pub.data.keys()) == ["mine"]
    assert pub.metadata == {"circuit_metadata": {"local": True}, "shots": 3}


def test_sampler_shots_in_the_metadata_are_kept():
    body = _plain_sampler()
    body["results"][0]["metadata"]["shots"] = 99
    (pub,) = list(decode_result(body, "sampler", []))
    assert pub.metadata["shots"] == 99


def test_a_wrong_number_of_pub_results():
    with pytest.raises(DecodeError) as caught:
        decode_result(_plain_sampler(), "sampler", [PubSpec(shape=()), PubSpec(shape=())])
    assert str(caught.value) == "The result has 1 PUB results for 2 PUBs."


def _plain_estimator(evs, version=None) -> dict:
    body = {
        "results": [
            {
                "data": {"evs": evs, "stds": [0.1] * len(evs), "ensemble_standard_error": None},
                "metadata": {},
            }
        ],
        "metadata": {},
    }
    if version is not None:
        body["metadata"]["version"] = version
    return body


def test_plain_estimator_flattened_arrays_take_the_pub_shape():
    spec = PubSpec(shape=(2, 2), circuit_metadata={"m": 1}, precision=0.5)
    result = decode_result(_plain_estimator([1, 2, 3, 4], version=1), "estimator", [spec])
    assert result.metadata == {"version": 1}
    (pub,) = list(result)
    assert type(pub) is PubResult
    assert pub.data.evs.dtype == np.float64
    assert pub.data.evs.tolist() == [[1.0, 2.0], [3.0, 4.0]]
    assert pub.data.stds.shape == (2, 2)
    assert list(pub.data.keys()) == ["evs", "stds"]  # the null field is dropped
    assert pub.metadata == {"target_precision": 0.5, "circuit_metadata": {"m": 1}}


def test_plain_estimator_without_specs_takes_the_shape_of_evs():
    result = decode_result(_plain_estimator([1, 2, 3, 4]), "estimator", [])
    assert result.metadata == {"version": 2}
    (pub,) = list(result)
    assert pub.data.shape == (4,)
    assert pub.metadata == {"circuit_metadata": {}}


def test_a_target_precision_sent_by_the_server_is_kept():
    body = _plain_estimator([1.0])
    body["results"][0]["metadata"]["target_precision"] = 0.1
    (pub,) = list(decode_result(body, "estimator", [PubSpec(shape=(1,), precision=0.5)]))
    assert pub.metadata["target_precision"] == 0.1


@pytest.mark.parametrize(("evs", "shape"), [([1, 2, 3], (3,)), ([[1, 2, 3, 4, 5]], (1, 5))])
def test_plain_estimator_arrays_of_the_wrong_size_are_refused(evs, shape):
    body = _plain_estimator([0.0])
    body["results"][0]["data"] = {"evs": evs}
    with pytest.raises(DecodeError) as caught:
        decode_result(body, "estimator", [PubSpec(shape=(2, 2))])
    assert str(caught.value) == f"PUB 0: 'evs' has shape {shape}, expected (2, 2)."


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            {"__type__": "PrimitiveResult", "__value__": {"pub_results": [5]}},
            "A pub result is not a tagged object.",
        ),
        (
            {"__type__": "PrimitiveResult", "__value__": {"pub_results": [{"__type__": "X"}]}},
            "A pub result is not a tagged object.",
        ),
        ({"__type__": "PrimitiveResult", "__value__": 5}, "The PrimitiveResult is not an object."),
        (
            {"__type__": "PrimitiveResult", "__value__": {"pub_results": 5}},
            "'pub_results' is not a list.",
        ),
        ({"other": 1}, "The result has neither a PrimitiveResult nor a 'results' list."),
        ([1, 2], "The result is not a JSON object."),
    ],
)
def test_malformed_bodies(body, message):
    with pytest.raises(DecodeError) as caught:
        decode_result(body, "estimator", [])
    assert str(caught.value) == message


def test_a_body_that_is_not_json():
    with pytest.raises(DecodeError, match="^The result is not JSON: "):
        decode_result(b"{nope", "sampler", [])


def _estimator_result() -> PubResult:
    metadata = {"when": WHEN, "arr": np.array([1, 2]), "n": np.int64(3), "t": (1, 2), 4: "four"}
    return PubResult(DataBin(evs=np.array([1.0, 2.0]), shape=(2,)), metadata=metadata)


def test_plain_encoding_of_metadata_with_datetimes_arrays_and_numpy_scalars():
    body = encode_result(
        "estimator", [_estimator_result()], {"when": WHEN, "v": np.float32(0.5)}, tagged=False
    )
    assert body == {
        "results": [
            {
                "data": {"evs": [1.0, 2.0]},
                "metadata": {
                    "when": "2024-01-02T03:04:05+00:00",
                    "arr": [1, 2],
                    "n": 3,
                    "t": [1, 2],
                    "4": "four",
                },
            }
        ],
        "metadata": {"when": "2024-01-02T03:04:05+00:00", "v": 0.5},
    }
    assert type(body["results"][0]["metadata"]["n"]) is int
    json.dumps(body)


def test_plain_encoding_unwraps_tagged_metadata_values():
    pub = PubResult(DataBin(shape=()), metadata={"x": {"__type__": "complex", "__value__": [1, 2]}})
    body = encode_result("estimator", [pub], {}, tagged=False)
    assert body["results"][0]["metadata"] == {"x": [1, 2]}


def test_tagged_encoding_of_metadata():
    body = encode_result("estimator", [_estimator_result()], {"when": WHEN}, tagged=True)
    assert body["__type__"] == "PrimitiveResult"
    assert body["__value__"]["metadata"] == {
        "when": {"__type__": "datetime", "__value__": "2024-01-02T03:04:05+00:00"}
    }
    (pub,) = body["__value__"]["pub_results"]
    assert pub["__type__"] == "PubResult"
    meta = pub["__value__"]["metadata"]
    assert meta["when"] == {"__type__": "datetime", "__value__": "2024-01-02T03:04:05+00:00"}
    assert meta["arr"]["__type__"] == "ndarray"
    assert decode_ndarray(meta["arr"]["__value__"]).tolist() == [1, 2]
    assert meta["n"] == 3 and type(meta["n"]) is int
    assert meta["t"] == [1, 2] and meta["4"] == "four"
    data = pub["__value__"]["data"]
    assert data["__type__"] == "DataBin"
    assert data["__value__"]["field_names"] == ["evs"]
    assert data["__value__"]["field_types"] == ["ndarray"]
    assert data["__value__"]["shape"] == [2]
    # Decoding it back restores the datetime.
    decoded = decode_result(json.dumps(body), "estimator", [])
    assert decoded[0].metadata["when"] == WHEN
    assert decoded.metadata["when"] == WHEN


def test_tagged_sampler_encoding():
    bits = BitArray(np.array([[1], [3]], dtype=np.uint8), 2)
    pub = SamplerPubResult(DataBin(c=bits, shape=()), metadata={"shots": 2})
    body = encode_result("sampler", [pub], {}, tagged=True)
    (item,) = body["__value__"]["pub_results"]
    assert item["__type__"] == "SamplerPubResult"
    value = item["__value__"]["data"]["__value__"]
    assert value["field_types"] == ["<class 'qiskit.primitives.containers.bit_array.BitArray'>"]
    field = value["fields"]["c"]
    assert field["__type__"] == "BitArray" and field["__value__"]["num_bits"] == 2
    assert decode_ndarray(field["__value__"]["array"]["__value__"]).tolist() == [[1], [3]]
    plain = encode_result("sampler", [pub], {}, tagged=False)
    assert plain["results"][0]["data"] == {"c": {"samples": ["0x1", "0x3"], "num_bits": 2}}


def test_plain_complex_arrays_become_pairs():
    pub = PubResult(DataBin(iq=np.array([1 + 2j, 3 - 4j]), shape=(2,)), metadata={})
    body = encode_result("sampler", [pub], {}, tagged=False)
    assert body["results"][0]["data"]["iq"] == [[1.0, 2.0], [3.0, -4.0]]


def test_sampler_without_specs_takes_the_leading_shape_of_the_registers():
    body = {
        "results": [{"data": {"c": {"samples": [["0x1", "0x0"], ["0x1", "0x1"]], "num_bits": 1}}}]
    }
    (pub,) = list(decode_result(body, "sampler", []))
    assert pub.data.shape == (2,)
    assert pub.metadata == {"shots": 2, "circuit_metadata": {}}


def test_a_doubly_escaped_register_name_is_found():
    body = {"results": [{"data": {"esc__if": {"samples": ["0x1"], "num_bits": 1}}}]}
    spec = PubSpec(shape=(), cregs=(CregSpec("if", "if", 1),))
    (pub,) = list(decode_result(body, "sampler", [spec]))
    assert list(pub.data.keys()) == ["if"] and pub.data["if"].get_bitstrings() == ["1"]


def test_a_null_field_before_the_values_does_not_end_the_fields():
    body = {"results": [{"data": {"ensemble_standard_error": None, "evs": [1.0, 2.0]}}]}
    (pub,) = list(decode_result(body, "estimator", [PubSpec(shape=(2,))]))
    assert pub.data.evs.tolist() == [1.0, 2.0]


@pytest.mark.parametrize(("size", "fit"), [(1, "too wide"), (3, "too narrow")])
def test_a_tagged_register_of_the_wrong_width(size, fit):
    bits = BitArray(np.array([[1]], dtype=np.uint8), 2)
    pub = SamplerPubResult(DataBin(c=bits, shape=()), metadata={})
    body = encode_result("sampler", [pub], {}, tagged=True)
    spec = PubSpec(shape=(), cregs=(CregSpec("c", "c", size),))
    with pytest.raises(DecodeError) as caught:
        decode_result(json.dumps(body), "sampler", [spec])
    assert str(caught.value) == (
        f"PUB 0: register 'c' has 2 bits where the circuit declares {size} ({fit})."
    )


def test_any_other_failure_is_a_decode_error_naming_its_cause():
    body = {"results": [{"data": {"evs": "abc"}}]}
    with pytest.raises(DecodeError) as caught:
        decode_result(body, "estimator", [PubSpec(shape=(1,))])
    assert str(caught.value) == (
        "The result is malformed (ValueError: could not convert string to float: 'abc')."
    )
    assert type(caught.value.__cause__) is ValueError
    long = {"results": [{"data": {"evs": ["x" * 300]}}]}
    with pytest.raises(DecodeError) as caught:
        decode_result(long, "estimator", [PubSpec(shape=(1,))])
    cause = "could not convert string to float: '" + "x" * 300
    assert str(caught.value) == f"The result is malformed (ValueError: {cause[:200]})."


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (5, "A pub result's data is not an object."),
        ([1], "A pub result's data is not an object."),
        ({"__type__": "DataBin", "__value__": 7}, "A pub result's DataBin is not an object."),
    ],
)
def test_a_tagged_pub_whose_data_is_not_an_object_is_refused(data, message):
    body = {
        "__type__": "PrimitiveResult",
        "__value__": {
            "pub_results": [{"__type__": "PubResult", "__value__": {"data": data, "metadata": {}}}],
            "metadata": {"version": 2},
        },
    }
    with pytest.raises(DecodeError) as caught:
        decode_result(json.dumps(body), "estimator", [])
    assert str(caught.value) == message
