"""The shortcuts of a small PUB's encoding give the bytes of the general path, and never stale.

Each shortcut is compared with the general computation it replaces: the parameter values with
``encode_ndarray(as_array(...))``, the QASM header with ``json.dumps``; and a job sent again
after its circuit or values changed carries the change.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from qiskit import QuantumCircuit
from qiskit.circuit import Parameter
from qiskit.primitives.containers.bindings_array import BindingsArray
from qiskit.primitives.containers.estimator_pub import EstimatorPub
from qiskit.primitives.containers.sampler_pub import SamplerPub

from qiskit_rest_provider.codec import pubs as pubs_module
from qiskit_rest_provider.codec.pubs import encode_estimator_pub, encode_sampler_pub
from qiskit_rest_provider.codec.tagged import decode_ndarray, encode_ndarray


def _reference_values(pub) -> dict[str, str]:
    return encode_ndarray(pub.parameter_values.as_array(pub.circuit.parameters).astype(float))


def _circuit(num_parameters: int) -> QuantumCircuit:
    qc = QuantumCircuit(2)
    qc.h(0)
    qc.cx(0, 1)
    for index in range(num_parameters):
        qc.rz(Parameter(f"t{index}"), index % 2)
    return qc


_FLOATS = st.floats(allow_nan=True, allow_infinity=True, width=64) | st.sampled_from(
    [0.0, -0.0, 1e-310, 2**53 + 1.0]
)


@settings(max_examples=150, deadline=None)
@given(
    num_parameters=st.integers(0, 3),
    shape=st.lists(st.integers(1, 3), max_size=2).map(tuple),
    data=st.data(),
)
def test_values_equal_the_general_encoding_every_time(num_parameters, shape, data):
    qc = _circuit(num_parameters)
    if num_parameters:
        values = np.array(
            data.draw(
                st.lists(
                    _FLOATS,
                    min_size=int(np.prod(shape)) * num_parameters,
                    max_size=int(np.prod(shape)) * num_parameters,
                )
            )
        ).reshape((*shape, num_parameters))
        pub = SamplerPub.coerce((qc.measure_all(inplace=False), values), 10)
    else:
        pub = SamplerPub.coerce(qc.measure_all(inplace=False), 10)
    expected = _reference_values(pub)
    for _ in range(2):  # the second one comes from the cache
        wire, _spec = encode_sampler_pub(pub, _export(pub.circuit))
        assert wire[1] == expected


def _export(circuit):
    from qiskit_rest_provider.codec.circuits import export_circuit

    return export_circuit(circuit)


@pytest.mark.parametrize("shape", [(), (3,), (2, 1)])
def test_no_values_keep_the_bindings_shape(shape):
    qc = _circuit(0)
    pub = EstimatorPub.coerce((qc, "ZZ", BindingsArray(shape=shape)), 0.0)
    wire, spec = encode_estimator_pub(pub, _export(qc))
    assert wire[2] == _reference_values(pub)
    assert decode_ndarray(wire[2]["__value__"]).shape == (*shape, 0)
    assert spec.shape == shape


def test_changed_values_change_the_body():
    qc = _circuit(1)
    values = np.array([0.25])
    first, _ = encode_estimator_pub(EstimatorPub.coerce((qc, "ZZ", values), 0.0), _export(qc))
    values[0] = 0.5  # the same array object, changed in place
    second, _ = encode_estimator_pub(EstimatorPub.coerce((qc, "ZZ", values), 0.0), _export(qc))
    assert decode_ndarray(first[2]["__value__"]).tolist() == [0.25]
    assert decode_ndarray(second[2]["__value__"]).tolist() == [0.5]
    zero, _ = encode_estimator_pub(EstimatorPub.coerce((qc, "ZZ", [0.0]), 0.0), _export(qc))
    negative, _ = encode_estimator_pub(EstimatorPub.coerce((qc, "ZZ", [-0.0]), 0.0), _export(qc))
    assert zero[2] != negative[2]  # equal floats, different bytes: both sent as given
    assert str(decode_ndarray(negative[2]["__value__"])[0]) == "-0.0"


def test_values_seen_before_come_from_the_cache(monkeypatch):
    qc = _circuit(2)
    pub = EstimatorPub.coerce((qc, "ZZ", [0.125, -3.5]), 0.0)
    first, _ = encode_estimator_pub(pub, _export(qc))

    def refuse(array):
        raise AssertionError("encoded again")

    monkeypatch.setattr(pubs_module, "encode_ndarray", refuse)
    again, _ = encode_estimator_pub(
        EstimatorPub.coerce((qc, "ZZ", [0.125, -3.5]), 0.0), _export(qc)
    )
    assert again[2] == first[2]
    assert again[2] is not first[2]  # a fresh dict each time: the body may be changed


def test_values_cache_is_bounded_and_skips_large_arrays(monkeypatch):
    monkeypatch.setattr(pubs_module, "_small_values", {})
    cache = pubs_module._small_values
    limit_floats = pubs_module._SMALL_VALUES_BYTES // 8
    names = [Parameter(f"p{i}") for i in range(limit_floats + 1)]
    qc = QuantumCircuit(1)
    for name in names:
        qc.rz(name, 0)
    largest = SamplerPub.coerce((qc.measure_all(inplace=False), np.ones(limit_floats + 1)), 1)
    encode_sampler_pub(largest, _export(largest.circuit))
    assert cache == {}  # above the limit: encoded, not kept
    qc = QuantumCircuit(1)
    for name in names[:limit_floats]:
        qc.rz(name, 0)
    measured = qc.measure_all(inplace=False)
    at_limit = SamplerPub.coerce((measured, np.ones(limit_floats)), 1)
    wire, _ = encode_sampler_pub(at_limit, _export(measured))
    assert list(cache.values()) == [wire[1]["__value__"]]  # at the limit: kept
    one = QuantumCircuit(1)
    one.rz(Parameter("a"), 0)
    one.measure_all()
    export = _export(one)
    for index in range(pubs_module._SMALL_VALUES_ENTRIES + 3):
        pub = SamplerPub.coerce((one, [float(index)]), 1)
        wire, _ = encode_sampler_pub(pub, export)
        assert wire[1] == _reference_values(pub)
        assert 1 <= len(cache) <= pubs_module._SMALL_VALUES_ENTRIES
    assert len(cache) == 4  # cleared once full, then three more


@settings(max_examples=100, deadline=None)
@given(
    names=st.lists(st.text(max_size=6), max_size=3, unique=True),
    metadata=st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)
def test_header_is_the_json_of_the_register_names(names, metadata):
    from qiskit import ClassicalRegister

    from qiskit_rest_provider.codec.circuits import HEADER_PREFIX, _header, read_header

    qc = QuantumCircuit(1)
    for name in names:
        qc.add_register(ClassicalRegister(1, name))
    qc.metadata = metadata
    header = {"cregs": names, **({"metadata": metadata} if metadata else {})}
    line = _header(qc, {})
    assert line == HEADER_PREFIX + json.dumps(header, ensure_ascii=True, separators=(",", ":"))
    assert read_header(line) == header
    with_map = _header(qc, {"map": [0]})
    assert read_header(with_map) == {**header, "map": [0]}


_LABELS = st.text(alphabet="IXYZ01+-rl", min_size=2, max_size=2)


@settings(max_examples=100, deadline=None)
@given(
    observables=_LABELS
    | st.lists(_LABELS, max_size=3)
    | st.lists(st.lists(_LABELS, min_size=2, max_size=2), max_size=2)
    | st.dictionaries(_LABELS, st.floats(0.5, 2) | st.floats(-2, -0.5), min_size=1, max_size=3)
)
def test_observables_wire_form_is_tolist_converted(observables):
    from qiskit.primitives.containers.observables_array import ObservablesArray

    from qiskit_rest_provider.codec.pubs import _pauli_terms, observables_to_wire

    array = ObservablesArray.coerce(observables)

    def reference(item):
        return _pauli_terms(item) if isinstance(item, dict) else [reference(i) for i in item]

    wire = observables_to_wire(array)
    assert wire == reference(array.tolist())
    assert json.dumps(wire) == json.dumps(reference(array.tolist()))  # key order too


_PUB_CIRCUITS = [QuantumCircuit(2), _circuit(1), QuantumCircuit(1)]
_PUB_LABELS = st.sampled_from(["ZZ", "XI", "0+", "Z", "ZZZ", "", "ZQ", "zz", "II"]) | st.text(
    alphabet="IXYZ01+-rlQ ", max_size=3
)


@settings(max_examples=200, deadline=None)
@given(
    circuit=st.sampled_from(_PUB_CIRCUITS),
    label=_PUB_LABELS,
    rest=st.lists(st.sampled_from([None, [0.5], [[0.1], [0.2]], 0.0, 0.25, -1.0, "x"]), max_size=3),
    as_list=st.booleans(),
    precision=st.sampled_from([None, 0.0, 0.5]),
)
def test_a_label_coerced_once_gives_qiskits_pub_or_error(circuit, label, rest, as_list, precision):
    from unittest import mock

    from qiskit_rest_provider import EstimatorV2
    from qiskit_rest_provider.primitives import estimator as estimator_module

    pub = [circuit, label, *rest] if as_list else (circuit, label, *rest)
    estimator = EstimatorV2()

    def outcome():
        try:
            coerced = estimator._coerce(pub, precision)
        except Exception as exc:  # noqa: BLE001 - compared by type and message
            return type(exc), str(exc)
        values = coerced.parameter_values.as_array(coerced.circuit.parameters)
        return (
            coerced.circuit is circuit,
            coerced.observables.tolist(),
            coerced.shape,
            values.tolist(),
            values.shape,
            coerced.precision,
        )

    for _ in range(2):  # the second time from the cache
        with_cache = outcome()
    with mock.patch.object(estimator_module, "_label_coerced_once", lambda pub: pub):
        assert with_cache == outcome()


def test_label_cache_is_bounded_and_skips_long_labels(monkeypatch):
    from qiskit_rest_provider.primitives import estimator as estimator_module

    monkeypatch.setattr(estimator_module, "_label_observables", {})
    cache = estimator_module._label_observables
    limit = estimator_module._LABEL_MAX_CHARS
    long_pub = (QuantumCircuit(limit + 1), "Z" * (limit + 1))
    assert estimator_module._label_coerced_once(long_pub) is long_pub
    at_limit = estimator_module._label_coerced_once((QuantumCircuit(limit), "Z" * limit))
    assert list(cache) == ["Z" * limit]
    assert at_limit[1] is cache["Z" * limit]
    for pub in [(QuantumCircuit(2),), (QuantumCircuit(2), "ZZ", None, None, None), "ZZ"]:
        assert estimator_module._label_coerced_once(pub) is pub
    labels = [format(i, "012b").replace("0", "I").replace("1", "Z") for i in range(1, 300)]
    for label in labels[: estimator_module._LABEL_ENTRIES + 2]:
        estimator_module._label_coerced_once((QuantumCircuit(12), label))
        assert 1 <= len(cache) <= estimator_module._LABEL_ENTRIES
    assert len(cache) == 3  # cleared once full (with the long one in it), then three more
    first = estimator_module._label_coerced_once([QuantumCircuit(12), labels[-1]])
    again = estimator_module._label_coerced_once((QuantumCircuit(12), labels[-1], [], 0.1))
    assert isinstance(first, tuple) and again[1] is first[1] and again[2:] == ([], 0.1)
