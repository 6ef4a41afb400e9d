"""Decoding of both result formats, golden bodies as IBM's service returns them."""

from datetime import datetime, timezone

import numpy as np
import pytest
from qiskit.primitives import BitArray, DataBin, PrimitiveResult, PubResult, SamplerPubResult

from qiskit_rest_provider.codec.circuits import CregSpec
from qiskit_rest_provider.codec.pubs import PubSpec
from qiskit_rest_provider.codec.results import (
    bitarray_from_hex,
    bitarray_to_hex,
    decode_result,
    encode_result,
)
from qiskit_rest_provider.exceptions import DecodeError
from tests.fixtures import golden_results as golden

C2 = PubSpec(shape=(), cregs=(CregSpec("c", "c", 2),), circuit_metadata={"k": 1})


@pytest.mark.parametrize(
    "body", [golden.SAMPLER_RUNTIME_ENCODER, golden.SAMPLER_SCHEMA, golden.SAMPLER_PLAIN]
)
def test_sampler_golden_bodies_decode_to_bitarrays(body):
    result = decode_result(body, "sampler", [C2])
    assert isinstance(result, PrimitiveResult)
    pub = result[0]
    assert isinstance(pub, SamplerPubResult)
    expected = ["11", "00", "01"]
    assert pub.data.c.get_bitstrings() == expected
    assert pub.data.c.array.dtype == np.uint8
    assert pub.metadata["shots"] == 3
    assert pub.metadata["circuit_metadata"] == {"k": 1}
    assert result.metadata["version"] == 2


def test_execution_spans_become_datetimes():
    result = decode_result(golden.SAMPLER_SCHEMA, "sampler", [C2])
    span = result.metadata["execution"]["execution_spans"][0]  # decoded (issue 11)
    assert span.start == datetime(2026, 1, 1, tzinfo=timezone.utc)


def test_estimator_schema_body():
    result = decode_result(golden.ESTIMATOR_SCHEMA, "estimator", [PubSpec(shape=(2,))])
    pub = result[0]
    assert type(pub) is PubResult
    assert list(pub.data.keys()) == ["evs", "stds", "ensemble_standard_error"]
    np.testing.assert_array_equal(pub.data.evs, [0.5, 0.25])
    np.testing.assert_array_equal(pub.data.stds, [0.01, 0.02])
    assert pub.data.evs.dtype == np.float64
    assert pub.metadata["target_precision"] == 0.015625
    assert pub.metadata["shots"] == 4096


def test_estimator_plain_seed_body():
    result = decode_result(golden.ESTIMATOR_PLAIN_SEED, "estimator", [PubSpec(shape=())])
    evs = result[0].data.evs
    assert evs.shape == () and evs.dtype == np.float64
    assert float(evs) == 0.5121617512921861
    assert result[0].metadata["num_randomizations"] == 32


def test_user_register_names_and_order_are_restored():
    bits = BitArray.from_samples(["0x1", "0x0"], 1)
    wide = BitArray.from_samples(["0x2", "0x3"], 2)
    # The server answers with its (exported / escaped) names in another order.
    server = SamplerPubResult(DataBin(z_1=bits, esc__meas_1=bits, if_0=wide))
    body = encode_result("sampler", [server], {"version": 2}, tagged=True)
    spec = PubSpec(
        shape=(),
        cregs=(
            CregSpec("if", "if_0", 2),
            CregSpec("z", "z_1", 1),
            CregSpec("meas-1", "_meas_1", 1),
        ),
    )
    data = decode_result(body, "sampler", [spec])[0].data
    assert list(data.keys()) == ["if", "z", "meas-1"]
    assert data["if"] == wide


@pytest.mark.parametrize("tagged", [True, False])
def test_encode_decode_round_trip_with_shape(tagged):
    rng = np.random.default_rng(1)
    bits = BitArray(rng.integers(0, 256, size=(2, 3, 5, 2), dtype=np.uint8), 9)
    bits = BitArray(bits.array & np.array([1, 255], dtype=np.uint8), 9)
    sampler = SamplerPubResult(DataBin(shape=(2, 3), meas=bits), metadata={"shots": 5})
    body = encode_result("sampler", [sampler], {"version": 2}, tagged=tagged)
    spec = PubSpec(shape=(2, 3), cregs=(CregSpec("meas", "meas", 9),))
    assert decode_result(body, "sampler", [spec])[0].data.meas == bits

    evs = rng.normal(size=(4, 1))
    est = PubResult(DataBin(shape=(4, 1), evs=evs, stds=np.abs(evs)))
    body = encode_result("estimator", [est], {"version": 2}, tagged=tagged)
    out = decode_result(body, "estimator", [PubSpec(shape=(4, 1))])[0].data
    np.testing.assert_array_equal(out.evs, evs)


def test_hex_round_trip_and_validation():
    bits = BitArray.from_samples(["0x1ff", "0x1", "0x0"], 9)
    assert bitarray_to_hex(bits) == ["0x1ff", "0x1", "0x0"]
    assert bitarray_from_hex(["0x1ff", "0x1", "0x0"], 9) == bits
    for bad in (["1ff"], ["0xzz"], ["0x3ff"]):
        with pytest.raises(DecodeError):
            bitarray_from_hex(bad, 9)


def test_bad_bodies_raise_decode_error():
    for body in ("not json", "[]", '{"x": 1}'):
        with pytest.raises(DecodeError):
            decode_result(body, "sampler", [])
    with pytest.raises(DecodeError, match="2 PUBs"):
        decode_result(golden.SAMPLER_PLAIN, "sampler", [C2, C2])


@pytest.mark.parametrize("shape", [(), (1,), (2, 3)])
def test_ndarray_round_trip_keeps_shape(shape):
    from qiskit_rest_provider.codec.tagged import decode_ndarray, encode_ndarray

    array = np.arange(int(np.prod(shape)), dtype=float).reshape(shape)
    out = decode_ndarray(encode_ndarray(array)["__value__"])
    assert out.shape == shape
    np.testing.assert_array_equal(out, array)
    strided = np.arange(12.0).reshape(3, 4)[:, ::2]
    np.testing.assert_array_equal(decode_ndarray(encode_ndarray(strided)["__value__"]), strided)
