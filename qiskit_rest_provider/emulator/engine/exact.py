"""Exact (or trajectory-averaged) expectation values of Pauli terms on a simulated circuit."""

from __future__ import annotations

from typing import Any

import numpy as np
from qiskit import QuantumCircuit

from .errors import JobExecutionError
from .methods import MAX_STATEVECTOR_QUBITS, aer_simulator, noiseless_method, noisy_method

__all__ = ["exact_values", "MAX_STATEVECTOR_QUBITS"]

_AER_SHOTS = 8192  # dynamic circuits are averaged over trajectories, not enumerated


def exact_values(
    circuit: QuantumCircuit,
    labels: list[str],
    dynamic: bool,
    seed: int,
    noise_model: Any = None,
    *,
    steps: list[Any] | None = None,
) -> np.ndarray:
    """``<P>`` for each label (labels over ``circuit``'s qubits, highest first).

    Unitary circuits are exact (:func:`.methods.noiseless_method` picks ``quantum_info`` for
    small ones, a stabilizer state for Clifford ones, Aer's statevector or matrix product state
    otherwise); dynamic circuits, or any run with a noise model, average Aer trajectories.
    ``steps``: the circuit's ``smallstate.compile_gates``, when already compiled.

    Raises:
        TooLargeToSimulate: No method can simulate the circuit (before any simulation).
    """
    from qiskit.quantum_info import Pauli

    if not labels:
        return np.zeros(0)
    if circuit.num_qubits == 0:
        return np.ones(len(labels))
    if dynamic or noise_model is not None:
        if noise_model is not None:
            method = noisy_method(circuit, _AER_SHOTS)
        else:
            method = noiseless_method(circuit)
            method = "statevector" if method == "quantum_info" else method
        return _aer_values(circuit, labels, seed, noise_model, method)
    method = noiseless_method(circuit)
    if method == "quantum_info":
        from qiskit.quantum_info import Statevector

        from .smallstate import small_expectations

        fast = small_expectations(circuit, labels, steps)
        if fast is not None:
            return fast

        state: Any = Statevector(circuit)
    elif method == "stabilizer":
        from qiskit.quantum_info import StabilizerState

        state = StabilizerState(circuit)
    else:
        return _aer_values(circuit, labels, seed, None, method)
    return np.array([float(np.real(state.expectation_value(Pauli(label)))) for label in labels])


def _aer_values(
    circuit: QuantumCircuit, labels: list[str], seed: int, noise_model: Any, method: str
) -> np.ndarray:
    """Each term by Aer: exact for a unitary noiseless circuit, else a trajectory average."""
    import qiskit_aer  # noqa: F401 - adds QuantumCircuit.save_expectation_value
    from qiskit.quantum_info import Pauli

    # Drop only the trailing measurements: earlier ones may feed classical control.
    qc = circuit.copy_empty_like()
    data = list(circuit.data)
    while data and data[-1].operation.name in ("measure", "barrier"):
        data.pop()
    for inst in data:
        qc.append(inst.operation, inst.qubits, inst.clbits, copy=False)
    for k, label in enumerate(labels):
        qc.save_expectation_value(Pauli(label), list(range(qc.num_qubits)), label=f"t{k}")
    try:
        simulator = aer_simulator(method, noise_model)
        result = simulator.run(qc, shots=_AER_SHOTS, seed_simulator=seed).result()
        data_out = result.data(0)
    except Exception as exc:
        raise JobExecutionError(f"Simulation failed: {exc}") from exc
    return np.array([float(np.real(data_out[f"t{k}"])) for k in range(len(labels))])
