"""Engine: compiled gate steps give the estimator's statevector to the last bit.

``smallstate.compile_gates`` works out once what ``np.tensordot`` and ``np.moveaxis`` derived
per gate per job; the amplitudes (and so every precision-0 value) must not move by a bit.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from qiskit import QuantumCircuit
from qiskit.circuit import Parameter
from qiskit.circuit.library import GlobalPhaseGate, UnitaryGate
from qiskit.circuit.random import random_circuit
from qiskit.quantum_info import random_unitary

from qiskit_rest_provider.emulator.engine import estimator_prep, smallstate
from qiskit_rest_provider.emulator.engine.exact import exact_values
from qiskit_rest_provider.emulator.engine.smallstate import (
    compile_gates,
    evolve,
    small_expectations,
)


def _tensordot_state(circuit: QuantumCircuit) -> np.ndarray:
    """The evolution as the engine wrote it before compiling (tensordot and moveaxis)."""
    n = circuit.num_qubits
    psi = np.zeros(2**n, dtype=complex)
    psi[0] = 1.0
    psi = psi.reshape((2,) * n)
    for inst in circuit.data:
        if inst.operation.name in ("barrier", "delay"):
            continue
        matrix = np.asarray(inst.operation.to_matrix(), dtype=complex)
        qubits = [circuit.find_bit(q).index for q in inst.qubits]
        k = len(qubits)
        axes = [n - 1 - q for q in reversed(qubits)]
        psi = np.tensordot(matrix.reshape((2,) * (2 * k)), psi, axes=(list(range(k, 2 * k)), axes))
        psi = np.moveaxis(psi, list(range(k)), axes)
    return np.asarray(psi).reshape(-1)


def _old_expectations(circuit: QuantumCircuit, labels: list[str]) -> np.ndarray:
    state = _tensordot_state(circuit)
    n = circuit.num_qubits
    index = np.arange(2**n)
    out = np.empty(len(labels))
    for t, label in enumerate(labels):
        flip = phase_mask = ys = 0
        for q in range(n):
            char = label[n - 1 - q]
            flip |= (char in "XY") << q
            phase_mask |= (char in "ZY") << q
            ys += char == "Y"
        signs = 1.0 - 2.0 * (np.bitwise_count(index & phase_mask) & 1)
        out[t] = float(np.real(np.vdot(state[index ^ flip], signs * state) * (1j**ys)))
    return out


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(1, 5),
    depth=st.integers(0, 5),
    seed=st.integers(0, 10_000),
    data=st.data(),
)
def test_compiled_steps_give_the_same_bits(n, depth, seed, data):
    circuit = random_circuit(n, depth, max_operands=min(n, 3), seed=seed)
    steps = compile_gates(circuit)
    assert steps is not None
    assert evolve(n, steps).tobytes() == _tensordot_state(circuit).tobytes()
    labels = data.draw(st.lists(st.text("IXYZ", min_size=n, max_size=n), min_size=1, max_size=4))
    expected = _old_expectations(circuit, labels).tobytes()
    assert small_expectations(circuit, labels).tobytes() == expected
    assert small_expectations(circuit, labels, steps).tobytes() == expected  # cached terms


def test_unitaries_on_reversed_qubits_barriers_delays_and_zero_qubit_gates():
    qc = QuantumCircuit(4)
    qc.h(2)
    qc.barrier()
    qc.append(UnitaryGate(random_unitary(8, seed=4)), [3, 0, 2])
    qc.delay(10, 1)
    qc.append(GlobalPhaseGate(0.4), [])
    qc.ccx(1, 3, 0)
    steps = compile_gates(qc)
    assert steps is not None and len(steps) == 4
    assert evolve(4, steps).tobytes() == _tensordot_state(qc).tobytes()


def test_non_gates_are_not_compiled():
    theta = Parameter("t")
    unbound = QuantumCircuit(1)
    unbound.rx(theta, 0)
    assert compile_gates(unbound) is None
    measured = QuantumCircuit(1, 1)
    measured.measure(0, 0)
    assert compile_gates(measured) is None
    assert small_expectations(measured, ["Z"]) is None


def test_term_cache_is_bounded_and_only_for_small_widths(monkeypatch):
    monkeypatch.setattr(smallstate, "_TERMS", {})
    monkeypatch.setattr(smallstate, "_TERMS_MAX", 3)
    qc = random_circuit(2, 3, seed=1)
    labels = ["ZZ", "XI", "IY", "YX", "ZI"]
    assert small_expectations(qc, labels).tobytes() == _old_expectations(qc, labels).tobytes()
    assert 0 < len(smallstate._TERMS) <= 3
    wide = QuantumCircuit(smallstate._TERMS_MAX_QUBITS + 1)
    wide.h(0)
    smallstate._TERMS.clear()
    label = "X" + "I" * (wide.num_qubits - 1)
    assert small_expectations(wide, [label]).tolist() == [0.0]
    assert smallstate._TERMS == {}
    edge = QuantumCircuit(smallstate._TERMS_MAX_QUBITS)
    edge.x(0)
    assert small_expectations(edge, ["I" * (edge.num_qubits - 1) + "Z"]).tolist() == [-1.0]
    assert len(smallstate._TERMS) == 1


def test_exact_values_use_the_steps_they_are_given():
    qc = QuantumCircuit(1)
    qc.x(0)
    other = QuantumCircuit(1)  # the steps decide: |0>, not X|0>
    steps = compile_gates(other)
    assert exact_values(qc, ["Z"], False, 1).tolist() == [-1.0]
    assert exact_values(qc, ["Z"], False, 1, steps=steps).tolist() == [1.0]


def _bell() -> QuantumCircuit:
    qc = QuantumCircuit(2)
    qc.h(0)
    qc.cx(0, 1)
    qc.measure_all()
    return qc


@pytest.fixture
def empty_cache(monkeypatch):
    monkeypatch.setattr(estimator_prep, "_PREPARED", type(estimator_prep._PREPARED)())


def test_preparations_without_parameters_carry_their_steps(empty_cache):
    bell = _bell()
    entry = estimator_prep._prepared(bell, [0, 1], ())
    assert entry.steps is not None and len(entry.steps) == 2
    assert (
        evolve(2, entry.steps).tobytes()
        == _tensordot_state(entry.binder.bind(np.zeros(0))).tobytes()
    )
    theta = Parameter("t")
    param = QuantumCircuit(1)
    param.rx(theta, 0)
    assert estimator_prep._prepared(param, [0], ("t",)).steps is None
    dynamic = QuantumCircuit(1, 1)
    dynamic.measure(0, 0)
    dynamic.x(0)
    assert estimator_prep._prepared(dynamic, [0], ()).steps is None


def test_wide_preparations_are_left_to_the_run(empty_cache, monkeypatch):
    monkeypatch.setattr(estimator_prep, "SMALL_QUBITS", 1)
    assert estimator_prep._prepared(_bell(), [0, 1], ()).steps is None
    monkeypatch.setattr(estimator_prep, "SMALL_QUBITS", 2)
    assert estimator_prep._prepared(_bell(), [0, 1], ()).steps is not None


def test_positions_of_a_pub_broadcast_bindings_against_observables():
    from qiskit_rest_provider.emulator.engine.estimator import _positions

    assert list(_positions((), (), ())) == [((), 0, 0)]
    assert list(_positions((2, 3), (2, 1), (3,))) == [
        ((i, j), i, j) for i in range(2) for j in range(3)
    ]
    assert list(_positions((2,), (), (2,))) == [((0,), 0, 0), ((1,), 0, 1)]
    assert list(_positions((0,), (0,), ())) == []


def _estimate(circuit: QuantumCircuit, precision: float, rng: object) -> np.ndarray:
    from qiskit_rest_provider.emulator.engine.estimator import (
        EstimatorSettings,
        run_estimator_pub,
    )
    from qiskit_rest_provider.emulator.engine.inputs import PubTask
    from qiskit_rest_provider.emulator.engine.resilience import Resilience, plan_shots

    resilience = Resilience(measure_mitigation=False, twirl_measure=False)
    plan = plan_shots(400, resilience) if precision else None
    settings = EstimatorSettings(precision, plan, resilience)
    observables = np.empty((), dtype=object)
    observables[()] = {"Z" * circuit.num_qubits: 1.0}
    task = PubTask(0, "", [], np.zeros((0,)), observables, None, precision, ())
    result = run_estimator_pub(task, circuit, settings, rng, lambda: False, {})  # type: ignore[arg-type]
    return np.asarray(result.data.evs)


def test_exact_small_pubs_never_create_their_generator():
    calls: list[int] = []

    def make() -> np.random.Generator:
        calls.append(1)
        return np.random.default_rng(9)

    bell = QuantumCircuit(2)
    bell.h(0)
    bell.cx(0, 1)
    assert _estimate(bell, 0.0, make).tolist() == pytest.approx(1.0)
    assert calls == []
    sampled = _estimate(bell, 0.05, make)
    assert calls == [1]  # created once, for the shots
    given = _estimate(bell, 0.05, np.random.default_rng(9))
    assert sampled.tolist() == given.tolist()  # the stream of a generator given at once
    dynamic = QuantumCircuit(1, 1)
    dynamic.h(0)
    dynamic.measure(0, 0)
    dynamic.h(0)
    calls.clear()
    assert _estimate(dynamic, 0.0, make).tolist() == pytest.approx(0.0, abs=0.05)
    assert calls == [1]  # Aer's trajectories take a seed


def test_only_pubs_the_numpy_statevector_takes_are_seedless():
    from qiskit_rest_provider.emulator.engine.methods import SMALL_QUBITS

    calls: list[int] = []

    def make() -> np.random.Generator:
        calls.append(1)
        return np.random.default_rng(9)

    for width, created in ((SMALL_QUBITS, []), (SMALL_QUBITS + 1, [1])):
        circuit = QuantumCircuit(width)
        circuit.x(range(width))
        calls.clear()
        assert _estimate(circuit, 0.0, make).tolist() == (-1.0) ** width
        assert calls == created
