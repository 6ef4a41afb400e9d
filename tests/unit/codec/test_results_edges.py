"""Results decoding at its edges: exact errors and values mutation testing found unpinned.

Registers rebuilt from shared clbits, missing registers, IQ data without bits, the shape a
result takes with and without PUB specs, big plain bodies decoded through the cut-out path,
bodies nested too deeply, and complex arrays of more than one axis.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from qiskit.primitives import BitArray, DataBin, PubResult, SamplerPubResult

from qiskit_rest_provider.codec.circuits import CregSpec
from qiskit_rest_provider.codec.hexbody import MIN_BYTES
from qiskit_rest_provider.codec.pubs import PubSpec
from qiskit_rest_provider.codec.results import decode_result, encode_result
from qiskit_rest_provider.exceptions import DecodeError


def _refusal(body, program, specs) -> str:
    with pytest.raises(DecodeError) as caught:
        decode_result(body, program, specs)
    return str(caught.value)


def _two_registers() -> dict:
    return {
        "results": [
            {
                "data": {
                    "c": {"samples": ["0x5", "0x2"], "num_bits": 3},
                    "d": {"samples": ["0x1", "0x0"], "num_bits": 1},
                }
            },
            {
                "data": {
                    "c": {"samples": ["0x6"], "num_bits": 3},
                    "d": {"samples": ["0x0"], "num_bits": 1},
                }
            },
        ]
    }


# ------------------------------------------------ registers that share clbits with others


def test_a_register_rebuilt_from_bits_of_two_wire_registers():
    # alias = (c[0], c[2], d[0]), its clbit 0 first; c[0] and c[2] form one run of c.
    alias = CregSpec("alias", "", 3, sources=(("c", 0), ("c", 2), ("d", 0)))
    spec = PubSpec(shape=(), cregs=(CregSpec("c", "c", 3), alias), shots=2)
    (pub,) = list(decode_result({"results": _two_registers()["results"][:1]}, "sampler", [spec]))
    assert pub.data.c.get_bitstrings() == ["101", "010"]
    assert pub.data.alias.get_bitstrings() == ["111", "000"]
    swapped = CregSpec("alias", "", 3, sources=(("c", 2), ("c", 1), ("d", 0)))
    spec = PubSpec(shape=(), cregs=(swapped,), shots=2)
    (pub,) = list(decode_result({"results": _two_registers()["results"][:1]}, "sampler", [spec]))
    assert pub.data.alias.get_bitstrings() == ["101", "010"]


@pytest.mark.parametrize(
    ("sources", "message"),
    [
        (
            (("c", 0), ("e", 0)),
            "PUB 1: the result has no register 'e' (for 'alias'); it has ['c', 'd'].",
        ),
        ((("c", 0), ("c", 3)), "PUB 1: register 'c' is too narrow for 'alias'."),  # bit 3 of 3
        ((("d", 0), ("d", 1)), "PUB 1: register 'd' is too narrow for 'alias'."),
    ],
)
def test_a_shared_register_whose_bits_are_not_in_the_result(sources, message):
    specs = [
        PubSpec(shape=(), cregs=(CregSpec("c", "c", 3),), shots=2),
        PubSpec(shape=(), cregs=(CregSpec("alias", "", 2, sources=sources),), shots=1),
    ]
    assert _refusal(_two_registers(), "sampler", specs) == message


def test_a_shared_register_whose_source_is_not_bits():
    iq = np.ones((1, 1), dtype=complex)  # IQ data where the circuit's register should be
    pub = SamplerPubResult(DataBin(c=iq, shape=()), metadata={})
    body = json.dumps(encode_result("sampler", [pub], {}, tagged=True))
    spec = PubSpec(shape=(), cregs=(CregSpec("alias", "", 1, sources=(("c", 0),)),), shots=1)
    assert _refusal(body, "sampler", [spec]) == "PUB 0: register 'c' is too narrow for 'alias'."


def test_a_missing_register_names_the_pub_and_what_there_is():
    spec = PubSpec(shape=(), cregs=(CregSpec("mine", "m", 1),), shots=1)
    specs = [PubSpec(shape=(), cregs=(CregSpec("c", "c", 3),), shots=2), spec]
    assert _refusal(_two_registers(), "sampler", specs) == (
        "PUB 1: the result has no register 'm' (for 'mine'); it has ['c', 'd']."
    )


# ------------------------------------------------------------------ shapes and shot counts


def _tagged_sampler(iq: np.ndarray, shape: tuple[int, ...]) -> str:
    pub = SamplerPubResult(DataBin(meas=iq, shape=shape), metadata={})
    return json.dumps(encode_result("sampler", [pub], {}, tagged=True))


def test_iq_data_without_bits_takes_its_shots_from_the_spec_or_none():
    kerneled = np.arange(6).reshape(2, 3, 1) + 1j  # PUB shape (2,), 3 shots, 1 qubit
    body = _tagged_sampler(kerneled, (2,))
    (pub,) = list(decode_result(body, "sampler", []))
    assert pub.data.shape == (2,)  # the shape before the shots and qubits axes
    np.testing.assert_array_equal(pub.data.meas, kerneled)
    assert pub.metadata == {"shots": None, "circuit_metadata": {}}
    (pub,) = list(decode_result(body, "sampler", [PubSpec(shape=(2,), shots=3)]))
    assert pub.metadata == {"shots": 3, "circuit_metadata": {}}


def test_the_spec_gives_the_shape_when_there_is_one():
    averaged = np.ones((2, 4), dtype=complex)  # avg_kerneled: no shots axis
    (pub,) = list(decode_result(_tagged_sampler(averaged, (2,)), "sampler", [PubSpec(shape=(2,))]))
    assert pub.data.shape == (2,)


def test_a_result_with_no_fields():
    (pub,) = list(decode_result({"results": [{"data": {}}]}, "sampler", []))
    assert pub.data.shape == () and list(pub.data.keys()) == []
    (pub,) = list(decode_result({"results": [{"data": {}}]}, "estimator", []))
    assert pub.data.shape == (0,)  # no evs: the shape of an empty evs


def test_registers_of_another_shape_than_the_pub():
    bits = BitArray(np.array([[[1]], [[0]]], dtype=np.uint8), 1)  # shape (2,), 1 shot
    pub = SamplerPubResult(DataBin(c=bits, shape=(2,)), metadata={})
    body = json.dumps(encode_result("sampler", [pub], {}, tagged=True))
    spec = PubSpec(shape=(3,), cregs=(CregSpec("c", "c", 1),), shots=1)
    assert _refusal(body, "sampler", [spec]).startswith(
        "PUB 0: result does not match the PUB shape (3,): "
    )


def test_estimator_fields_beyond_the_float_ones_keep_their_type():
    body = {
        "results": [
            {
                "data": {"evs": [1, 2], "counts": [3, 4]},
                "metadata": {"circuit_metadata": {"from": "server"}},
            }
        ]
    }
    (pub,) = list(decode_result(body, "estimator", []))
    assert pub.data.evs.dtype == np.float64 and pub.data.counts.dtype == np.int64
    assert pub.metadata == {"circuit_metadata": {"from": "server"}}
    body["results"][0]["data"]["counts"] = [3, 4, 5]
    assert _refusal(body, "estimator", [PubSpec(shape=(2,))]).startswith(
        "PUB 0: result does not match the PUB shape: "
    )


# -------------------------------------------------------------------- whole-body handling


def test_a_big_plain_body_decodes_through_the_cut_out_samples():
    shots = MIN_BYTES // 6 + 3  # each '"0x1", ' takes 6 bytes or more: over MIN_BYTES
    samples = ["0x1", "0x0", "0x3"] * (shots // 3)
    body = json.dumps({"results": [{"data": {"c": {"samples": samples, "num_bits": 2}}}]})
    assert len(body) >= MIN_BYTES
    (pub,) = list(decode_result(body.encode(), "sampler", []))
    third = len(samples) // 3
    assert pub.data.c.get_counts() == {"01": third, "00": third, "11": third}


def test_a_body_nested_too_deeply():
    with pytest.raises(DecodeError) as caught:
        decode_result(b"[" * 100_000 + b"]" * 100_000, "sampler", [])
    assert str(caught.value) == "The result is nested too deeply."
    assert caught.value.__cause__ is None and caught.value.__suppress_context__


def test_plain_complex_arrays_of_two_axes_become_pairs_on_the_last():
    iq = np.array([[1 + 2j, 3 + 4j], [5 + 6j, 7 + 8j]])
    pub = PubResult(DataBin(iq=iq, shape=(2,)), metadata={})
    body = encode_result("sampler", [pub], {}, tagged=False)
    assert body["results"][0]["data"]["iq"] == [[[1.0, 2.0], [3.0, 4.0]], [[5.0, 6.0], [7.0, 8.0]]]


def test_a_job_rebuilt_by_id_takes_the_tagged_databin_shape():
    # Averaged IQ data has no shots axis: (2, 3) PUB shape x 4 qubits. Without PUB specs the
    # fields alone would suggest shape (2,); the tagged DataBin says (2, 3).
    iq = (np.arange(24) + 1j * np.arange(24)).reshape(2, 3, 4)
    pub = SamplerPubResult(DataBin(shape=(2, 3), meas=iq), metadata={"shots": 10})
    body = json.dumps(encode_result("sampler", [pub], {}, tagged=True))
    (decoded,) = decode_result(body, "sampler", [])
    assert decoded.data.shape == (2, 3)
    # the oracle: qiskit-ibm-runtime 0.51 decodes the same body to the same shape
    from qiskit_ibm_runtime import RuntimeDecoder

    assert json.loads(body, cls=RuntimeDecoder)[0].data.shape == (2, 3)
    np.testing.assert_array_equal(decoded.data.meas, iq)
    estimator = PubResult(DataBin(shape=(2,), evs=np.array([0.5, -0.5]), stds=np.zeros(2)))
    body = json.dumps(encode_result("estimator", [estimator], {}, tagged=True))
    assert decode_result(body, "estimator", [])[0].data.shape == (2,)


@pytest.mark.parametrize("shape", [[-1], [1.5], [True], "2", {"a": 1}])
def test_a_tagged_databin_shape_that_is_not_sizes_is_refused(shape):
    pub = SamplerPubResult(DataBin(shape=(2,), meas=np.zeros((2, 4), complex)), metadata={})
    body = encode_result("sampler", [pub], {}, tagged=True)
    body["__value__"]["pub_results"][0]["__value__"]["data"]["__value__"]["shape"] = shape
    with pytest.raises(DecodeError, match="DataBin's shape"):
        decode_result(json.dumps(body), "sampler", [])
