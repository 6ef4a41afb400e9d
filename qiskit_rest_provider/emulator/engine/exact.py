"""Exact (or trajectory-averaged) expectation values of Pauli terms on a simulated circuit."""

from __future__ import annotations

from typing import Any

import numpy as np
from qiskit import QuantumCircuit

from .errors import JobExecutionError

__all__ = ["exact_values", "MAX_STATEVECTOR_QUBITS"]

MAX_STATEVECTOR_QUBITS = 24
_AER_SHOTS = 8192  # dynamic circuits are averaged over trajectories, not enumerated


def exact_values(
    circuit: QuantumCircuit,
    labels: list[str],
    dynamic: bool,
    seed: int,
    noise_model: Any = None,
) -> np.ndarray:
    """``<P>`` for each label (labels over ``circuit``'s qubits, highest first).

    Unitary circuits use a statevector (or a stabilizer state past
    ``MAX_STATEVECTOR_QUBITS`` for Clifford circuits); dynamic circuits, or any run with a
    noise model, average Aer trajectories.
    """
    from qiskit.quantum_info import Pauli

    if not labels:
        return np.zeros(0)
    if circuit.num_qubits == 0:
        return np.ones(len(labels))
    if dynamic or noise_model is not None:
        return _aer_values(circuit, labels, seed, noise_model)
    if circuit.num_qubits > MAX_STATEVECTOR_QUBITS:
        from qiskit.quantum_info import StabilizerState

        try:
            state = StabilizerState(circuit)
        except Exception as exc:  # not Clifford
            raise JobExecutionError(
                f"The circuit acts on {circuit.num_qubits} qubits; exact simulation is limited "
                f"to {MAX_STATEVECTOR_QUBITS} qubits unless the circuit is Clifford."
            ) from exc
    else:
        from qiskit.quantum_info import Statevector

        state = Statevector(circuit)
    return np.array([float(np.real(state.expectation_value(Pauli(label)))) for label in labels])


def _aer_values(circuit: QuantumCircuit, labels: list[str], seed: int, noise_model: Any):
    """Trajectory average of each term (mid-circuit measurement/reset/if, or noise)."""
    from qiskit.quantum_info import Pauli
    from qiskit_aer import AerSimulator

    # Drop only the trailing measurements: earlier ones may feed classical control.
    qc = circuit.copy_empty_like()
    data = list(circuit.data)
    while data and data[-1].operation.name in ("measure", "barrier"):
        data.pop()
    for inst in data:
        qc.append(inst.operation, inst.qubits, inst.clbits, copy=False)
    for k, label in enumerate(labels):
        qc.save_expectation_value(Pauli(label), list(range(qc.num_qubits)), label=f"t{k}")
    simulator = AerSimulator(noise_model=noise_model) if noise_model is not None else AerSimulator()
    try:
        result = simulator.run(qc, shots=_AER_SHOTS, seed_simulator=seed).result()
        data_out = result.data(0)
    except Exception as exc:
        raise JobExecutionError(f"Simulation failed: {exc}") from exc
    return np.array([float(np.real(data_out[f"t{k}"])) for k in range(len(labels))])
