"""Engine: the numpy statevector of small estimator PUBs, and the per-circuit preparation cache."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from qiskit import QuantumCircuit
from qiskit.circuit import Gate, Parameter
from qiskit.circuit.random import random_circuit
from qiskit.primitives import StatevectorEstimator
from qiskit.quantum_info import Pauli, SparsePauliOp, Statevector

from qiskit_rest_provider.codec.circuits import export_circuit
from qiskit_rest_provider.emulator.devices import default_backends
from qiskit_rest_provider.emulator.engine import estimator as est
from qiskit_rest_provider.emulator.engine import run_job, validate_job
from qiskit_rest_provider.emulator.engine.exact import exact_values
from qiskit_rest_provider.emulator.engine.smallstate import small_expectations


def _reference(circuit: QuantumCircuit, labels: list[str]) -> list[float]:
    state = Statevector(circuit)
    return [float(np.real(state.expectation_value(Pauli(label)))) for label in labels]


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(1, 4),
    depth=st.integers(1, 4),
    seed=st.integers(0, 10_000),
    labels=st.data(),
)
def test_matches_statevector_on_random_circuits(n, depth, seed, labels):
    circuit = random_circuit(n, depth, max_operands=min(n, 3), seed=seed)
    circuit.global_phase = 0.3
    chosen = labels.draw(st.lists(st.text("IXYZ", min_size=n, max_size=n), min_size=1, max_size=5))
    got = small_expectations(circuit, chosen)
    assert got is not None
    np.testing.assert_allclose(got, _reference(circuit, chosen), atol=1e-10)


def test_qubit_order_and_every_pauli_on_an_asymmetric_state():
    qc = QuantumCircuit(3)
    qc.ry(0.4, 0)
    qc.rx(1.1, 1)
    qc.cx(0, 2)
    qc.s(2)
    qc.cry(0.7, 2, 1)
    labels = [a + b + c for a in "IXYZ" for b in "IXYZ" for c in "IXYZ"]
    got = small_expectations(qc, labels)
    assert got is not None
    np.testing.assert_allclose(got, _reference(qc, labels), atol=1e-12)
    assert got[labels.index("IIZ")] == pytest.approx(np.cos(0.4))  # qubit 0 is the last char
    assert got[labels.index("IZI")] != pytest.approx(got[labels.index("IIZ")])


def test_barriers_and_delays_are_identity():
    qc = QuantumCircuit(2)
    qc.h(0)
    qc.barrier()
    qc.delay(100, 1)
    qc.cx(0, 1)
    got = small_expectations(qc, ["ZZ", "XX", "YY", "IZ"])
    assert got is not None
    assert got.tolist() == pytest.approx([1.0, 1.0, -1.0, 0.0], abs=1e-15)


def test_not_plain_gates_fall_back_to_statevector():
    opaque = QuantumCircuit(1)
    opaque.append(Gate("mystery", 1, []), [0])
    assert small_expectations(opaque, ["Z"]) is None
    with_reset = QuantumCircuit(1)
    with_reset.x(0)
    with_reset.reset(0)
    assert small_expectations(with_reset, ["Z"]) is None
    parametric = QuantumCircuit(1)
    parametric.rx(Parameter("a"), 0)
    assert small_expectations(parametric, ["Z"]) is None
    # exact_values keeps giving what Statevector gives for a circuit the fast path refuses
    prepared = QuantumCircuit(2)
    prepared.prepare_state([0, 1, 0, 0], [0, 1])
    prepared.h(1)
    assert small_expectations(prepared, ["ZZ"]) is None
    values = exact_values(prepared, ["IZ", "XI", "ZZ"], False, 1).tolist()
    assert values == pytest.approx([-1.0, 1.0, 0.0], abs=1e-12)


def test_estimator_job_values_equal_statevector_estimator():
    sim = default_backends()["ibmq_qasm_simulator"]
    qc = QuantumCircuit(3)
    qc.h(0)
    qc.cx(0, 1)
    qc.ry(0.3, 2)
    qc.cz(1, 2)
    observables = [{"ZZI": 1.0}, {"XYZ": 0.5, "IIY": -2.0}, {"YXI": 1.5}]
    body = {"pubs": [[export_circuit(qc).qasm, observables, None, 0]], "version": 2}
    validate_job("estimator", body, sim)
    result = run_job("estimator", body, sim, seed=3)
    evs = np.asarray(result["results"][0]["data"]["evs"])
    reference = StatevectorEstimator().run(
        [(qc, [SparsePauliOp.from_list(list(o.items())) for o in observables])]
    )
    np.testing.assert_allclose(evs, reference.result()[0].data.evs, atol=1e-12)
    assert result["results"][0]["data"]["stds"] == [0.0, 0.0, 0.0]


def _bell() -> QuantumCircuit:
    qc = QuantumCircuit(2)
    qc.h(0)
    qc.cx(0, 1)
    qc.measure_all()
    return qc


def test_preparation_is_reused_for_the_same_circuit_object_only():
    est._PREPARED.clear()
    bell = _bell()
    first = est._prepared(bell, [0, 1], ())
    assert est._prepared(bell, [0, 1], ()) is first
    assert first.dynamic is False
    assert [i.operation.name for i in first.binder.bind(np.zeros(0)).data] == ["h", "cx"]
    assert est._prepared(bell, None, ()).active == [0, 1]
    # an entry whose circuit is another object (a reused id) is never served
    other = QuantumCircuit(2)
    other.x(1)
    key = (id(other), (1,), ())
    est._PREPARED[key] = est._Prepared(bell, [1], False, first.binder)
    fresh = est._prepared(other, [1], ())
    assert fresh.circuit is other
    assert [i.operation.name for i in fresh.binder.bind(np.zeros(0)).data] == ["x"]


def test_preparation_depends_on_the_declared_names_and_active_qubits():
    est._PREPARED.clear()
    a, b = Parameter("a"), Parameter("b")
    qc = QuantumCircuit(3)
    qc.rx(a, 0)
    qc.ry(b, 1)
    ab = est._prepared(qc, [0, 1], ("a", "b")).binder.bind(np.array([0.1, 0.2]))
    ba = est._prepared(qc, [0, 1], ("b", "a")).binder.bind(np.array([0.1, 0.2]))
    assert [i.operation.params[0] for i in ab.data] == [0.1, 0.2]
    assert [i.operation.params[0] for i in ba.data] == [0.2, 0.1]
    row = np.array([0.1, 0.2])
    assert est._prepared(qc, [0, 1], ("a", "b")).binder.bind(row).num_qubits == 2
    assert est._prepared(qc, [0, 1, 2], ("a", "b")).binder.bind(row).num_qubits == 3
    assert est._prepared(qc, None, ()).active == [0, 1]


def test_preparation_cache_is_bounded():
    est._PREPARED.clear()
    circuits = [_bell() for _ in range(est._PREPARED_SIZE + 5)]
    for circuit in circuits:
        est._prepared(circuit, None, ())
    assert len(est._PREPARED) == est._PREPARED_SIZE
    assert (id(circuits[-1]), None, ()) in est._PREPARED
    assert (id(circuits[0]), None, ()) not in est._PREPARED


def test_big_circuits_are_prepared_but_not_kept():
    est._PREPARED.clear()
    big = QuantumCircuit(2)
    for _ in range(est._PREPARED_MAX_OPS // 2 + 1):  # two more than the limit
        big.h(0)
        big.cx(0, 1)
    assert est._prepared(big, None, ()).active == [0, 1]
    assert len(est._PREPARED) == 0
    edge = QuantumCircuit(2)
    for _ in range(est._PREPARED_MAX_OPS):
        edge.x(1)
    assert est._prepared(edge, None, ()).active == [1]
    assert len(est._PREPARED) == 1
