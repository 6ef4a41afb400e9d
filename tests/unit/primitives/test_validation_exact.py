"""Validation before the queue: exact messages, exact limits and their boundaries."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from qiskit import QuantumCircuit
from qiskit.circuit import Parameter
from qiskit.primitives.containers.estimator_pub import EstimatorPub
from qiskit.primitives.containers.sampler_pub import SamplerPub
from qiskit.quantum_info import SparseObservable

from qiskit_rest_provider.primitives import validation
from qiskit_rest_provider.primitives._submit import InvalidPubError
from qiskit_rest_provider.primitives.validation import (
    MAX_EXPANDED_TERMS,
    MAX_PAYLOAD_BYTES,
    PubValidationError,
    PubValidator,
    check_payload_size,
)

HINT = " (pass validate=False to the primitive to skip these checks)."


# The emulator's backends read offline (tests/unit/primitives/conftest.py): no server starts.
@pytest.fixture(scope="module")
def brisbane(offline_brisbane):
    return offline_brisbane


@pytest.fixture(scope="module")
def rest_backend(offline_simulator):
    return offline_simulator


def _message(call, *args, **kwargs) -> str:
    with pytest.raises(PubValidationError) as caught:
        call(*args, **kwargs)
    return str(caught.value)


def test_limits():
    assert MAX_PAYLOAD_BYTES == 62_914_560
    assert MAX_EXPANDED_TERMS == 65_536


def test_width_message_and_boundary(rest_backend):
    validator = PubValidator(rest_backend)
    full = QuantumCircuit(32)
    full.measure_all()
    validator.check_circuit(full, 0, needs_measure=True)  # exactly the backend's width
    wide = QuantumCircuit(33)
    assert _message(validator.check_circuit, wide, 4) == (
        "PUB 4: the circuit has 33 qubits but ibmq_qasm_simulator has 32. Use a smaller circuit "
        f"or a larger backend{HINT}"
    )


def test_missing_measurements_warning_text(rest_backend):
    qc = QuantumCircuit(1, 1)
    with pytest.warns(UserWarning) as caught:
        PubValidator(rest_backend).check_circuit(qc, 2, needs_measure=True)
    assert [str(w.message) for w in caught] == [
        "PUB 2: the circuit has classical registers but no measurements, so every sample will "
        "be 0. Did you mean to add measurements, e.g. circuit.measure_all()?"
    ]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        PubValidator(rest_backend).check_circuit(qc, 0)  # estimator circuits: no warning


def test_a_circuit_is_checked_once_per_measure_need(rest_backend):
    validator = PubValidator(rest_backend)
    qc = QuantumCircuit(1, 1)
    validator.check_circuit(qc, 0)
    with pytest.warns(UserWarning):
        validator.check_circuit(qc, 1, needs_measure=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        validator.check_circuit(qc, 2, needs_measure=True)  # checked already


def test_measurements_in_a_definition_deeper_than_the_limit_are_not_looked_for(rest_backend):
    inner = QuantumCircuit(1, 1)
    inner.measure(0, 0)
    for _ in range(18):
        outer = QuantumCircuit(1, 1)
        outer.append(inner.to_instruction(), [0], [0])
        inner = outer
    assert not validation._measures(inner)
    shallow = QuantumCircuit(1, 1)
    sub = QuantumCircuit(1, 1)
    sub.measure(0, 0)
    shallow.append(sub.to_instruction(), [0], [0])
    assert validation._measures(shallow)
    # A definition without clbits cannot measure into the circuit's registers.
    quiet = QuantumCircuit(1, 1)
    quiet.append(QuantumCircuit(1).to_instruction(), [0])
    assert not validation._measures(quiet)


def test_parameter_values_must_be_finite(rest_backend):
    theta = Parameter("θ")
    qc = QuantumCircuit(1, 1)
    qc.rx(theta, 0)
    qc.measure(0, 0)
    validator = PubValidator(rest_backend)
    validator.check_values(SamplerPub.coerce((qc, [[0.1], [2.0]])), 0)
    for bad in (np.nan, np.inf, -np.inf):
        pub = SamplerPub.coerce((qc, [[0.1], [bad]]))
        assert _message(validator.check_values, pub, 1) == (
            "PUB 1: parameter values for ['θ'] contain NaN or infinity."
        )


def test_shots_limit_and_boundary(brisbane, rest_backend):
    limit = brisbane.configuration()["max_shots"]
    validator = PubValidator(brisbane)
    validator.check_shots(limit, 0)
    assert _message(validator.check_shots, limit + 1, 3) == (
        f"PUB 3: {limit + 1} shots exceed the {limit} that ibm_brisbane allows per PUB. "
        "Split the PUB or lower shots."
    )


def test_precision(brisbane, rest_backend):
    device = PubValidator(brisbane)
    device.check_precision(None, 0)
    device.check_precision(1e-9, 0)
    for bad in (0.0, -0.1):
        assert _message(device.check_precision, bad, 2) == (
            "PUB 2: precision must be > 0 on the device ibm_brisbane (0 = exact is for "
            "simulators). Pass e.g. precision=0.015625."
        )
    PubValidator(rest_backend).check_precision(0.0, 0)


def _estimator_pub(observables, qubits=2):
    return EstimatorPub.coerce((QuantumCircuit(qubits), observables))


def test_observable_coefficients(rest_backend):
    validator = PubValidator(rest_backend)
    validator.check_observables(_estimator_pub({"ZZ": 1.0, "XX": -2.0}), 0)
    assert _message(validator.check_observables, _estimator_pub({"ZZ": np.inf}), 1) == (
        "PUB 1: the observable has a NaN or infinite coefficient."
    )
    pub = _estimator_pub([["ZZ", "XX"], ["YY", {"ZI": np.nan}]])
    assert _message(validator.check_observables, pub, 0) == (
        "PUB 0: observable (1, 1) has a NaN or infinite coefficient."
    )


def test_projector_expansion_limit_and_boundary(rest_backend):
    validator = PubValidator(rest_backend)
    validator.check_observables(_estimator_pub("0" * 16, 16), 0)  # 2**16 terms: the limit
    assert _message(validator.check_observables, _estimator_pub("0" * 17, 17), 5) == (
        "PUB 5: the observable uses projector letters (0 1 + - r l) that expand to 1.31e+05 "
        "Pauli terms on the wire (limit 65536). Use fewer projector letters per term, or Pauli "
        "(I X Y Z) observables."
    )
    pub = _estimator_pub(["Z" * 17, "+" * 17], 17)
    assert _message(validator.check_observables, pub, 0).startswith(
        "PUB 0: observable (1,) uses projector letters"
    )


@pytest.mark.parametrize(
    ("terms", "expanded"),
    [
        ([("ZZX", 1.0)], 0.0),  # Paulis only: nothing to expand
        ([("0ZI", 1.0)], 2.0),
        ([("0+r", 1.0)], 8.0),
        ([("0+r", 1.0), ("1ZZ", 2.0), ("XYZ", 1.0)], 8.0 + 2.0 + 1.0),
        ([("0II", 1.0), ("III", 1.0)], 2.0 + 1.0),  # an identity term has no letters
        ([("III", 1.0), ("-II", 1.0)], 1.0 + 2.0),
        ([("II", 1.0)], 0.0),  # no letters at all
    ],
)
def test_expanded_terms_counts_each_term(terms, expanded):
    assert validation._expanded_terms(SparseObservable.from_list(terms)) == expanded


def test_large_observables_take_numpys_path_with_the_same_answers(rest_backend):
    # Past _SMALL_OBSERVABLE terms or letters numpy checks them; below it, a Python loop.
    small = validation._SMALL_OBSERVABLE
    validator = PubValidator(rest_backend)
    labels = [format(i, "06b").replace("0", "Z").replace("1", "X") for i in range(small + 1)]
    terms = dict.fromkeys(labels, 1.0)
    validator.check_observables(_estimator_pub(terms, 6), 0)
    assert (
        _message(validator.check_observables, _estimator_pub({**terms, "YYYYYY": np.nan}, 6), 2)
        == "PUB 2: the observable has a NaN or infinite coefficient."
    )
    wide = small + 1
    assert validation._expanded_terms(SparseObservable.from_label("Z" * wide)) == 0.0
    assert validation._expanded_terms(SparseObservable.from_label("X" * small + "0")) == 2.0
    assert validation._expanded_terms(SparseObservable.from_label("Y" * wide + "1")) == 2.0
    assert validation._expanded_terms(SparseObservable.from_label("Z" * small)) == 0.0
    assert _message(validator.check_observables, _estimator_pub("+" * wide, wide), 0).startswith(
        "PUB 0: the observable uses projector letters (0 1 + - r l) that expand to 8.59e+09 "
    )


def test_payload_size_exact():
    assert check_payload_size([["ab", None, 10]]) == len('[["ab",null,10]]')
    wire = [["x" * 994]]  # 1000 bytes encoded
    assert check_payload_size(wire, limit=1000) == 1000
    with pytest.raises(InvalidPubError) as caught:
        check_payload_size(wire, limit=999)
    assert str(caught.value) == (
        "The encoded PUBs take 0.0 MB; the service accepts at most 0 MB per job. Split them "
        "over several jobs."
    )
    with pytest.raises(InvalidPubError) as caught:
        check_payload_size([["x" * 2_600_000]], limit=2_000_000)
    assert str(caught.value) == (
        "The encoded PUBs take 2.6 MB; the service accepts at most 2 MB per job. Split them "
        "over several jobs."
    )
    with pytest.raises(InvalidPubError) as caught:
        check_payload_size([["q", {"Z": float("inf")}]])
    assert str(caught.value).startswith("The PUBs contain a value JSON cannot carry: ")
    assert caught.value.__cause__ is None and caught.value.__suppress_context__


def test_default_payload_limit(monkeypatch):
    monkeypatch.setattr(validation, "compact_json_size", lambda wire: MAX_PAYLOAD_BYTES)
    assert check_payload_size([]) == MAX_PAYLOAD_BYTES
    monkeypatch.setattr(validation, "compact_json_size", lambda wire: MAX_PAYLOAD_BYTES + 1)
    with pytest.raises(InvalidPubError, match="at most 63 MB per job"):
        check_payload_size([])
