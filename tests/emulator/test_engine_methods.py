"""Engine: which simulation method runs a circuit, exactness, and refusing at once."""

from __future__ import annotations

import math

import numpy as np
import pytest
from qiskit import QuantumCircuit
from qiskit.circuit import Parameter
from qiskit.quantum_info import Pauli, Statevector

from qiskit_rest_provider.emulator.engine import methods
from qiskit_rest_provider.emulator.engine.errors import JobExecutionError
from qiskit_rest_provider.emulator.engine.exact import exact_values
from qiskit_rest_provider.emulator.engine.methods import (
    TooLargeToSimulate,
    bond_log2_bound,
    is_clifford,
    noiseless_method,
    noisy_method,
)
from qiskit_rest_provider.emulator.engine.sampler import _aer_probabilities, _exact_shots


def _ghz(n: int, t_gates: bool = False) -> QuantumCircuit:
    qc = QuantumCircuit(n)
    qc.h(0)
    for q in range(n - 1):
        qc.cx(q, q + 1)
        if t_gates:
            qc.t(q + 1)
    return qc


def _dense(n: int, layers: int = 3) -> QuantumCircuit:
    """Non-Clifford, every pair entangled: no cheap method for wide ones."""
    qc = QuantumCircuit(n)
    for layer in range(layers):
        for q in range(n):
            qc.ry(0.1 + 0.01 * q + layer, q)
        for a in range(n):
            for b in range(a + 1, n):
                qc.cx(a, b)
    return qc


def _asymmetric(n: int) -> QuantumCircuit:
    qc = QuantumCircuit(n)
    for q in range(n):
        qc.ry(0.3 + 0.17 * q, q)
    for q in range(n - 1):
        qc.cx(q, q + 1)
        qc.rz(0.2 * q + 0.1, q + 1)
    qc.t(0)
    return qc


def test_is_clifford_names_and_rz_angles():
    qc = QuantumCircuit(2, 1)
    qc.h(0)
    qc.cx(0, 1)
    qc.ecr(0, 1)
    qc.sx(1)
    qc.rz(math.pi / 2, 0)
    qc.rz(-math.pi, 1)
    qc.rz(0.0, 1)
    qc.barrier()
    qc.reset(1)
    qc.measure(0, 0)
    assert is_clifford(qc)
    for bad in (lambda c: c.rz(0.3, 0), lambda c: c.t(0), lambda c: c.rz(Parameter("a"), 0)):
        other = qc.copy()
        bad(other)
        assert not is_clifford(other)
    almost = QuantumCircuit(1)
    almost.rz(math.pi / 2 + 1e-9, 0)
    assert not is_clifford(almost)


def test_bond_bound_counts_gates_across_each_cut():
    assert bond_log2_bound(QuantumCircuit(1)) == 0
    assert bond_log2_bound(_ghz(20)) == 1
    long_range = QuantumCircuit(4)
    long_range.cz(0, 3)
    assert bond_log2_bound(long_range) == 1
    swaps = QuantumCircuit(6)
    swaps.swap(2, 3)  # rank 4: two bits at once
    assert bond_log2_bound(swaps) == 2
    swaps.swap(2, 3)
    assert bond_log2_bound(swaps) == 3  # capped by min(3, 3) qubits on either side
    three = QuantumCircuit(8)
    three.ccx(0, 1, 7)
    assert bond_log2_bound(three) == 4
    measured = _ghz(3)
    measured.measure_all()
    measured.barrier()
    assert bond_log2_bound(measured) == 1  # measurements and barriers do not entangle
    assert bond_log2_bound(_dense(12)) == 6


def test_noiseless_method_choice():
    assert noiseless_method(_ghz(2)) == "quantum_info"
    assert noiseless_method(_ghz(methods.SMALL_QUBITS)) == "quantum_info"
    assert noiseless_method(_ghz(methods.SMALL_QUBITS + 1)) == "stabilizer"
    assert noiseless_method(_ghz(60)) == "stabilizer"
    assert noiseless_method(_ghz(methods.SMALL_QUBITS + 1, t_gates=True)) == "statevector"
    assert noiseless_method(_ghz(methods.MAX_STATEVECTOR_QUBITS, t_gates=True)) == "statevector"
    wide = methods.MAX_STATEVECTOR_QUBITS + 1
    assert noiseless_method(_ghz(wide, t_gates=True)) == "matrix_product_state"


def test_noisy_method_choice():
    assert noisy_method(_ghz(methods.MAX_DENSITY_MATRIX_QUBITS, True), 1000) == "density_matrix"
    eleven = _ghz(methods.MAX_DENSITY_MATRIX_QUBITS + 1, True)
    assert noisy_method(eleven, 10) == "statevector"  # cheap trajectories
    assert noisy_method(eleven, 10**6) == "matrix_product_state"
    assert noisy_method(_ghz(20, True), 1000) == "matrix_product_state"
    # high entanglement: trajectories however long they take, if they fit in memory
    assert noisy_method(_dense(24, layers=1), 10**6) == "statevector"
    assert noisy_method(_dense(12), 10**6) == "matrix_product_state"  # bond <= 2**6


def test_too_large_is_refused_naming_qubits_and_method():
    wide = methods.MAX_STATEVECTOR_QUBITS + 4
    with pytest.raises(TooLargeToSimulate) as info:
        noiseless_method(_dense(wide, layers=1))
    message = str(info.value)
    assert f"acts on {wide} qubits" in message
    assert "not Clifford" in message and "statevector" in message
    assert "16 GiB" in message  # 2**30 amplitudes x 16 B
    assert "matrix product state" in message and f"2**{wide // 2}" in message
    assert isinstance(info.value, JobExecutionError)
    with pytest.raises(TooLargeToSimulate, match=f"acts on {wide} qubits.*every shot"):
        noisy_method(_dense(wide, layers=1), 100)


def test_aer_probabilities_follow_qiskit_qubit_order():
    qc = _asymmetric(12)
    for qubits in ([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], [7, 2, 11], [3]):
        expected = Statevector(qc).probabilities(qargs=qubits)
        np.testing.assert_allclose(_aer_probabilities(qc, qubits), expected, atol=1e-12)


@pytest.mark.parametrize("method", ["quantum_info", "statevector", "stabilizer"])
def test_exact_shots_respect_measured_pairs(method):
    qc = QuantumCircuit(12, 3)
    qc.x(4)
    qc.h(9)
    qc.cx(9, 11)
    pairs = ((4, 0), (11, 2), (9, 1), (0, 2))  # clbit 2 written twice: the last (qubit 0) wins
    bools = _exact_shots(qc, pairs, 3, 400, np.random.default_rng(5), method)
    assert bools.shape == (400, 3)
    assert bools[:, 0].all() and not bools[:, 2].any()
    assert 100 < bools[:, 1].sum() < 300


def test_estimator_values_stay_exact_for_every_method():
    labels = ["Z" * 12, "IIIIIIIIIIXZ", "YYIIIIIIIIII"]
    qc = _asymmetric(12)  # statevector by Aer
    reference = [Statevector(qc).expectation_value(Pauli(label)).real for label in labels]
    np.testing.assert_allclose(exact_values(qc, labels, False, 1), reference, atol=1e-9)
    ghz = _ghz(12)  # stabilizer
    assert exact_values(ghz, ["Z" * 12, "X" * 12, "IZ" + "I" * 10], False, 1).tolist() == [
        1.0,
        1.0,
        0.0,
    ]
    wide = methods.MAX_STATEVECTOR_QUBITS + 2  # matrix product state
    chain = QuantumCircuit(wide)
    chain.ry(0.7, 0)
    for q in range(wide - 1):
        chain.cx(q, q + 1)
    chain.t(wide - 1)
    values = exact_values(chain, ["Z" * wide, "I" * (wide - 1) + "Z", "I" * wide], False, 1)
    np.testing.assert_allclose(values, [1.0, math.cos(0.7), 1.0], atol=1e-9)


def test_estimator_refuses_before_simulating():
    wide = methods.MAX_STATEVECTOR_QUBITS + 4
    with pytest.raises(TooLargeToSimulate, match=f"acts on {wide} qubits"):
        exact_values(_dense(wide, layers=1), ["Z" * wide], False, 1)
