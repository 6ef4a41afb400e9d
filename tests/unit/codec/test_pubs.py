"""PUBs <-> wire lists: exact wire items, decode specs, every accepted short form and refusal."""

from __future__ import annotations

import numpy as np
import pytest
from qiskit import QuantumCircuit
from qiskit.circuit import Parameter
from qiskit.primitives.containers.estimator_pub import EstimatorPub
from qiskit.primitives.containers.sampler_pub import SamplerPub

from qiskit_rest_provider.codec.circuits import CregSpec, export_circuit
from qiskit_rest_provider.codec.pubs import (
    PubSpec,
    encode_estimator_pub,
    encode_sampler_pub,
    normalize_observables,
    normalize_parameter_values,
    observables_to_wire,
    spec_from_wire,
    split_wire_pub,
)
from qiskit_rest_provider.codec.tagged import decode_ndarray, encode_ndarray
from qiskit_rest_provider.exceptions import DecodeError


def _circuit(measure: bool = True) -> QuantumCircuit:
    qc = QuantumCircuit(2, 2 if measure else 0, metadata={"run": 3})
    qc.rx(Parameter("a"), 0)
    qc.ry(Parameter("b"), 1)
    if measure:
        qc.measure([0, 1], [0, 1])
    return qc


def test_sampler_pub_wire_and_spec():
    qc = _circuit()
    export = export_circuit(qc)
    pub = SamplerPub.coerce((qc, [[0.1, 0.2], [0.3, 0.4]], 7))
    wire, spec = encode_sampler_pub(pub, export)
    assert wire[0] == export.qasm
    assert wire[1]["__type__"] == "ndarray"
    values = decode_ndarray(wire[1]["__value__"])
    assert values.dtype == np.float64
    assert values.tolist() == [[0.1, 0.2], [0.3, 0.4]]
    assert wire[2] == 7 and type(wire[2]) is int
    assert spec == PubSpec(
        shape=(2,), cregs=(CregSpec("c", "c", 2),), circuit_metadata={"run": 3}, shots=7
    )


def test_sampler_pub_without_metadata_or_parameters():
    qc = QuantumCircuit(1, 1)
    qc.measure(0, 0)
    pub = SamplerPub.coerce(qc, 5)
    wire, spec = encode_sampler_pub(pub, export_circuit(qc))
    assert decode_ndarray(wire[1]["__value__"]).shape == (0,)
    assert wire[2] == 5
    assert spec.circuit_metadata == {} and spec.shape == () and spec.precision is None


def test_estimator_pub_wire_and_spec():
    qc = _circuit(measure=False)
    export = export_circuit(qc)
    # Integer parameter values still travel as float64.
    pub = EstimatorPub.coerce((qc, [["ZZ"], ["X0"]], [[1, 2]], 0.25))
    wire, spec = encode_estimator_pub(pub, export)
    assert wire[0] == export.qasm
    assert wire[1] == [[{"ZZ": 1.0}], [{"XI": 0.5, "XZ": 0.5}]]
    values = decode_ndarray(wire[2]["__value__"])
    assert values.dtype == np.float64 and values.tolist() == [[1.0, 2.0]]
    assert wire[3] == 0.25
    assert spec == PubSpec(shape=(2, 1), circuit_metadata={"run": 3}, precision=0.25)
    assert spec.shots is None and spec.cregs == ()


def test_estimator_pub_without_precision_sends_null():
    qc = _circuit(measure=False)
    pub = EstimatorPub.coerce((qc, "ZI", [0.0, 0.0]))
    wire, spec = encode_estimator_pub(pub, export_circuit(qc))
    assert wire[1] == {"ZI": 1.0}
    assert wire[3] is None and spec.precision is None


def test_observables_expand_projectors_into_paulis():
    pub = EstimatorPub.coerce((_circuit(measure=False), [{"+-": 2.0}, {"0I": 1.0}], [0, 0]))
    assert observables_to_wire(pub.observables) == [
        {"II": 0.5, "XI": 0.5, "IX": -0.5, "XX": -0.5},
        {"II": 0.5, "ZI": 0.5},
    ]


def test_pauli_observables_keep_their_terms_and_real_coefficients():
    pub = EstimatorPub.coerce((_circuit(measure=False), {"XY": 1.5, "IZ": -2.0}, [0, 0]))
    assert observables_to_wire(pub.observables) == {"XY": 1.5, "IZ": -2.0}


# --------------------------------------------------------------------- parameter values


def test_values_none_without_parameters():
    out = normalize_parameter_values(None, [])
    assert out.shape == (0,)


def test_values_none_with_parameters_is_refused():
    with pytest.raises(DecodeError) as caught:
        normalize_parameter_values(None, ["a", "b"])
    assert str(caught.value) == "The circuit has 2 parameters but no values were given."


def test_values_dict_in_circuit_order_broadcast():
    out = normalize_parameter_values({"b": [1.0, 2.0, 3.0], "a": 0.5}, ["a", "b"])
    assert out.dtype == np.float64
    assert out.tolist() == [[0.5, 1.0], [0.5, 2.0], [0.5, 3.0]]


def test_values_empty_dict_without_parameters():
    assert normalize_parameter_values({}, []).shape == (0,)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"a": 1.0}, "missing ['b'], unknown []"),
        ({"a": 1.0, "b": 2.0, "c": 3.0}, "missing [], unknown ['c']"),
        ({"c": 1.0}, "missing ['a', 'b'], unknown ['c']"),
    ],
)
def test_values_dict_with_wrong_names_is_refused(value, message):
    with pytest.raises(DecodeError) as caught:
        normalize_parameter_values(value, ["a", "b"])
    assert str(caught.value) == f"Parameter names do not match the circuit: {message}."


def test_values_tagged_ndarray():
    tagged = encode_ndarray(np.array([[1, 2], [3, 4]], dtype=np.int64))
    out = normalize_parameter_values(tagged, ["a", "b"])
    assert out.dtype == np.float64
    assert out.tolist() == [[1.0, 2.0], [3.0, 4.0]]


def test_values_nested_lists():
    out = normalize_parameter_values([[0.1, 0.2]], ["a", "b"])
    assert out.shape == (1, 2) and out.tolist() == [[0.1, 0.2]]


def test_one_scalar_for_one_parameter():
    out = normalize_parameter_values(0.5, ["a"])
    assert out.shape == (1,) and out.tolist() == [0.5]


def test_values_not_numeric_are_refused():
    with pytest.raises(DecodeError) as caught:
        normalize_parameter_values(["x", "y"], ["a", "b"])
    assert str(caught.value) == (
        "Parameter values are not numeric: could not convert string to float: 'x'"
    )
    with pytest.raises(DecodeError, match="^Parameter values are not numeric: "):
        normalize_parameter_values([[1.0], [1.0, 2.0]], ["a"])


@pytest.mark.parametrize("value", [[], [[], []], np.zeros((3, 0)), np.zeros((0, 3))])
def test_empty_values_without_parameters_keep_their_leading_shape(value):
    out = normalize_parameter_values(value, [])
    array = np.asarray(value, dtype=float)
    assert out.shape == array.shape[:-1] + (0,)


@pytest.mark.parametrize(
    ("value", "names", "shape"),
    [
        ([0.1], [], (1,)),
        ([[0.1, 0.2]], [], (1, 2)),
        (0.5, [], ()),
        (0.5, ["a", "b"], ()),
        ([0.1, 0.2], ["a"], (2,)),
        ([[0.1, 0.2, 0.3]], ["a", "b"], (1, 3)),
        ([[0.1], [0.2]], ["a", "b"], (2, 1)),
    ],
)
def test_values_that_do_not_fit_are_refused(value, names, shape):
    with pytest.raises(DecodeError) as caught:
        normalize_parameter_values(value, names)
    assert str(caught.value) == (
        f"Parameter values of shape {shape} do not fit a circuit with {len(names)} parameters "
        "(the last axis must have one entry per parameter)."
    )


# --------------------------------------------------------------------- observables


def test_observables_label_dict_and_nesting():
    out = normalize_observables([["ZZ", {"XI": 2}], [{"IY": -1.5, "ZZ": 1}, "II"]])
    assert out.shape == (2, 2) and out.dtype == object
    assert out.tolist() == [
        [{"ZZ": 1.0}, {"XI": 2.0}],
        [{"IY": -1.5, "ZZ": 1.0}, {"II": 1.0}],
    ]
    assert type(out[0, 1]["XI"]) is float


def test_observables_scalar_and_tuple():
    single = normalize_observables("XZ")
    assert single.shape == () and single[()] == {"XZ": 1.0}
    assert normalize_observables(("X", "Y")).tolist() == [{"X": 1.0}, {"Y": 1.0}]
    assert normalize_observables({1: 2}).tolist() == {"1": 2.0}


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (3, "Invalid observable 3: expected a dict or a Pauli label."),
        ([["Z"], [None]], "Invalid observable None: expected a dict or a Pauli label."),
        ([], "Observables must not be empty."),
        ([["Z"], []], "Observables must not be empty."),
        ([["Z"], ["X", "Y"]], "Observable arrays must be rectangular."),
        (["Z", ["X"]], "Observable arrays must be rectangular."),
    ],
)
def test_observables_refused(value, message):
    with pytest.raises(DecodeError) as caught:
        normalize_observables(value)
    assert str(caught.value) == message


# --------------------------------------------------------------------- wire PUBs


@pytest.mark.parametrize(
    ("program", "pub", "parts"),
    [
        ("sampler", "Q", ("Q", None, None, None)),
        ("sampler", ["Q"], ("Q", None, None, None)),
        ("sampler", ["Q", [1.0]], ("Q", None, [1.0], None)),
        ("sampler", ("Q", [1.0], 9), ("Q", None, [1.0], 9)),
        ("estimator", ["Q", "Z"], ("Q", "Z", None, None)),
        ("estimator", ["Q", "Z", [1.0]], ("Q", "Z", [1.0], None)),
        ("estimator", ["Q", "Z", [1.0], 0.1], ("Q", "Z", [1.0], 0.1)),
    ],
)
def test_split_wire_pub(program, pub, parts):
    assert split_wire_pub(program, pub) == parts


@pytest.mark.parametrize(
    ("program", "pub", "message"),
    [
        ("sampler", 5, "A PUB must be a list whose first item is an OpenQASM 3 string."),
        ("sampler", [], "A PUB must be a list whose first item is an OpenQASM 3 string."),
        ("sampler", [5], "A PUB must be a list whose first item is an OpenQASM 3 string."),
        ("estimator", {"Q": 1}, "A PUB must be a list whose first item is an OpenQASM 3 string."),
        ("sampler", ["Q", None, 1, 2], "A sampler PUB is [circuit, values?, shots?]."),
        (
            "estimator",
            ["Q"],
            "An estimator PUB is [circuit, observables, values?, precision?].",
        ),
        (
            "estimator",
            "Q",
            "An estimator PUB is [circuit, observables, values?, precision?].",
        ),
        (
            "estimator",
            ["Q", "Z", None, 0.1, 5],
            "An estimator PUB is [circuit, observables, values?, precision?].",
        ),
    ],
)
def test_split_wire_pub_refusals(program, pub, message):
    with pytest.raises(DecodeError) as caught:
        split_wire_pub(program, pub)
    assert str(caught.value) == message


def test_spec_from_wire_sampler():
    export = export_circuit(_circuit())
    spec = spec_from_wire("sampler", [export.qasm, [[0.1, 0.2]] * 3, "11"])
    assert spec == PubSpec(
        shape=(3,), cregs=(CregSpec("c", "c", 2),), circuit_metadata={"run": 3}, shots=11
    )
    assert type(spec.shots) is int
    assert spec_from_wire("sampler", [export.qasm, [0.1, 0.2]]).shots is None


def test_spec_from_wire_estimator_broadcasts_observables_and_values():
    export = export_circuit(_circuit(measure=False))
    values = [[[0.0, 1.0]], [[2.0, 3.0]]]  # shape (2, 1) bindings
    spec = spec_from_wire("estimator", [export.qasm, [["Z", "X", "Y"]], values, "0.5"])
    assert spec == PubSpec(shape=(2, 3), circuit_metadata={"run": 3}, precision=0.5)
    assert type(spec.precision) is float and spec.shots is None
    spec = spec_from_wire("estimator", [export.qasm, "ZZ", [0.0, 1.0]])
    assert spec.shape == () and spec.precision is None and spec.shots is None


def test_spec_from_wire_without_header_reads_declared_registers():
    qasm = 'OPENQASM 3.0;\ninclude "stdgates.inc";\nbit[2] a;\nbit[1] b;\nqubit[1] q;\n'
    spec = spec_from_wire("sampler", [qasm, None, 4])
    assert spec == PubSpec(shape=(), cregs=(CregSpec("a", "a", 2), CregSpec("b", "b", 1)), shots=4)


def test_tiny_projector_coefficients_are_kept():
    # Qiskit keeps a 1.5e-8 term; its halves are below simplify()'s default tolerance (1e-8),
    # which would drop them: the wire keeps them.
    pub = EstimatorPub.coerce((_circuit(measure=False), {"0I": 1.5e-8}, [0, 0]))
    assert observables_to_wire(pub.observables) == {"II": 7.5e-9, "ZI": 7.5e-9}


def test_values_dict_broadcast_in_two_dimensions():
    out = normalize_parameter_values({"a": [[1, 2]], "b": [[3], [4]]}, ["a", "b"])
    assert out.shape == (2, 2, 2) and out.dtype == np.float64
    assert out.tolist() == [[[1.0, 3.0], [2.0, 3.0]], [[1.0, 4.0], [2.0, 4.0]]]


def test_values_keyed_by_name_travel_in_circuit_order():
    qc = _circuit()
    pub = SamplerPub.coerce((qc, {"b": [0.2, 0.4], "a": [0.1, 0.3]}), 5)
    wire, spec = encode_sampler_pub(pub, export_circuit(qc))
    assert decode_ndarray(wire[1]["__value__"]).tolist() == [[0.1, 0.2], [0.3, 0.4]]
    assert spec.shape == (2,)
