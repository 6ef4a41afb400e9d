"""Execution spans and IQ data decoded as qiskit-ibm-runtime 0.51 decodes them.

Results are built with qiskit-ibm-runtime's own classes, encoded with its RuntimeEncoder (the
service's format), then decoded by ours and by its RuntimeDecoder, and compared.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import numpy as np
import pytest
from qiskit.primitives import BitArray, DataBin, PrimitiveResult, SamplerPubResult
from qiskit_ibm_runtime.execution_span import DoubleSliceSpan as TheirDouble
from qiskit_ibm_runtime.execution_span import ExecutionSpans as TheirSpans
from qiskit_ibm_runtime.execution_span import SliceSpan as TheirSlice
from qiskit_ibm_runtime.json import RuntimeDecoder, RuntimeEncoder

from qiskit_rest_provider.codec.circuits import CregSpec
from qiskit_rest_provider.codec.pubs import PubSpec
from qiskit_rest_provider.codec.results import decode_result
from qiskit_rest_provider.codec.spans import (
    DoubleSliceSpan,
    ExecutionSpans,
    SliceSpan,
    decode_spans,
)

T0 = datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)


def _their_spans():
    return TheirSpans(
        [
            TheirDouble(
                T0 + timedelta(seconds=2),
                T0 + timedelta(seconds=3.5),
                {0: ((2, 3, 5), slice(1, 6), slice(0, 3)), 1: ((4,), slice(0, 1), slice(2, 4))},
            ),
            TheirSlice(T0, T0 + timedelta(seconds=1), {1: ((2, 4), slice(3, 7))}),
        ]
    )


def _roundtrip(spans):
    shots = BitArray(np.zeros((2, 3, 5, 1), dtype=np.uint8), 2)
    result = PrimitiveResult(
        [SamplerPubResult(DataBin(shape=(2, 3), c=shots), metadata={"shots": 5})],
        metadata={"execution": {"execution_spans": spans}, "version": 2},
    )
    return json.dumps(result, cls=RuntimeEncoder)


def test_spans_match_theirs_attribute_by_attribute():
    theirs = _their_spans()
    body = _roundtrip(theirs)
    spec = [PubSpec(shape=(2, 3), cregs=(CregSpec("c", "c", 2),))]
    ours = decode_result(body, "sampler", spec).metadata["execution"]["execution_spans"]
    decoded_theirs = json.loads(body, cls=RuntimeDecoder).metadata["execution"]["execution_spans"]
    assert isinstance(ours, ExecutionSpans) and len(ours) == len(theirs) == 2
    assert isinstance(ours[0], DoubleSliceSpan) and isinstance(ours[1], SliceSpan)
    for mine, ref in zip(ours, decoded_theirs):
        assert (mine.start, mine.stop, mine.duration) == (ref.start, ref.stop, ref.duration)
        assert mine.size == ref.size and mine.pub_idxs == ref.pub_idxs
        for index in ref.pub_idxs:
            np.testing.assert_array_equal(mine.mask(index), ref.mask(index))
            assert mine.filter_by_pub(index).size == ref.filter_by_pub(index).size
        assert mine.contains_pub(1) == ref.contains_pub(1)
        assert mine.contains_pub([0, 7]) == ref.contains_pub([0, 7])
    assert ours.pub_idxs == theirs.pub_idxs == [0, 1]
    assert (ours.start, ours.stop, ours.duration) == (theirs.start, theirs.stop, theirs.duration)
    assert [s.size for s in ours.filter_by_pub(0)] == [s.size for s in theirs.filter_by_pub(0)]
    sorted_copy = ours.sort(inplace=False)
    assert [s.start for s in sorted_copy] == [s.start for s in theirs.sort(inplace=False)]
    assert sorted_copy is not ours and ours[0].start > ours[1].start  # copy left ours alone
    assert ours.sort() is ours and ours[0].start == T0
    assert isinstance(ours[0:1], ExecutionSpans) and len(ours[[0, 1]]) == 2
    with pytest.raises(KeyError):
        ours[0].mask(0)  # the SliceSpan (sorted first now) has only PUB 1
    assert ours == ExecutionSpans(list(ours)) and ours != ExecutionSpans(list(ours)[:1])


def test_the_emulators_spans_decode():
    from qiskit import QuantumCircuit
    from qiskit_aer import AerSimulator

    from qiskit_rest_provider import SamplerV2

    qc = QuantumCircuit(1)
    qc.measure_all()
    result = SamplerV2(mode=AerSimulator()).run([qc, qc], shots=7).result()
    spans = result.metadata["execution"]["execution_spans"]
    assert isinstance(spans, ExecutionSpans) and spans.pub_idxs == [0, 1]
    assert [span.size for span in spans] == [7, 7] and spans.duration >= 0
    assert spans.filter_by_pub(1)[0].size == 0 and spans.filter_by_pub(1)[1].size == 7


def test_unknown_or_malformed_spans_stay_as_sent():
    weird = {"__type__": "ExecutionSpans", "__value__": {"spans": [{"__type__": "Future"}]}}
    assert decode_spans(weird) is weird
    broken = {
        "__type__": "ExecutionSpans",
        "__value__": {
            "spans": [
                {
                    "__type__": "SliceSpan",
                    "__value__": {"start": "x", "stop": "y", "data_slices": {"0": [[1], 0, 1]}},
                }
            ]
        },
    }
    assert decode_spans(broken) is broken
    assert decode_spans([1, 2]) == [1, 2]


@pytest.mark.parametrize("shape", [(3, 4, 2), (4, 2)])  # kerneled, avg_kerneled (2 qubits)
def test_iq_data_decodes_to_complex_arrays_as_theirs(shape):
    rng = np.random.default_rng(5)
    iq = rng.normal(size=shape) + 1j * rng.normal(size=shape)
    result = PrimitiveResult(
        [SamplerPubResult(DataBin(meas=iq), metadata={"shots": 4})], metadata={"version": 2}
    )
    body = json.dumps(result, cls=RuntimeEncoder)
    spec = [PubSpec(shape=(), cregs=(CregSpec("meas", "meas", 2),), shots=4)]
    ours = decode_result(body, "sampler", spec)[0]
    theirs = json.loads(body, cls=RuntimeDecoder)[0]
    assert ours.data.meas.dtype == theirs.data.meas.dtype == np.complex128
    np.testing.assert_array_equal(ours.data.meas, theirs.data.meas)
    assert ours.metadata["shots"] == 4


def test_iq_pairs_become_complex():
    from qiskit_rest_provider.codec.bits import iq_array

    pairs = np.array([[[1.0, 2.0], [3.0, -4.0]]])
    np.testing.assert_array_equal(iq_array(pairs), np.array([[1 + 2j, 3 - 4j]]))
    bits = BitArray(np.zeros((1, 1), dtype=np.uint8), 1)
    assert iq_array(bits) is bits
    assert iq_array(np.array([1j, 2j])).dtype == np.complex128
