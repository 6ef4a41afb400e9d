"""Estimator PUBs: exact expectation values, or shot-based estimates meeting a precision.

Only the qubits the circuit acts on are simulated: on an untouched qubit (still ``|0>``) a
Pauli term's factor is 1 for ``I``/``Z`` and 0 for ``X``/``Y``, so a 127-qubit ISA circuit
that touches 5 qubits costs a 5-qubit simulation.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from qiskit import QuantumCircuit
from qiskit.primitives import DataBin, PubResult

from .circuits import Binder, active_qubits, restrict, split_final_measurements
from .errors import VALIDATION_ERROR, JobExecutionError, JobStopped
from .inputs import PubTask

__all__ = ["EstimatorSettings", "run_estimator_pub", "MAX_STATEVECTOR_QUBITS"]

MAX_STATEVECTOR_QUBITS = 24
_AER_EXACT_SHOTS = 8192  # dynamic circuits are averaged over trajectories, not enumerated


@dataclass(frozen=True)
class EstimatorSettings:
    """How one PUB is estimated: ``shots is None`` means exact (precision 0)."""

    target_precision: float
    shots: int | None


class _Terms:
    """The distinct Pauli terms of a PUB's observables, reduced to the simulated qubits."""

    def __init__(self, observables: np.ndarray, width: int, active: list[int]) -> None:
        self.labels: list[str] = []  # reduced labels to evaluate (highest active qubit first)
        index: dict[str, int] = {}
        idle_xy = [q for q in range(width) if q not in set(active)]
        self.per_observable: list[tuple[np.ndarray, np.ndarray]] = []
        for item in observables.reshape(-1):
            term_ids, coeffs = [], []
            for label, coeff in item.items():
                if any(label[width - 1 - q] in "XY" for q in idle_xy):
                    term_ids.append(-1)  # X or Y on |0>: exactly 0
                else:
                    reduced = "".join(label[width - 1 - q] for q in reversed(active))
                    term_ids.append(index.setdefault(reduced, len(index)))
                    if term_ids[-1] == len(self.labels):
                        self.labels.append(reduced)
                coeffs.append(coeff)
            self.per_observable.append((np.array(term_ids, dtype=int), np.array(coeffs)))


def _exact_values(
    circuit: QuantumCircuit, labels: list[str], dynamic: bool, seed: int
) -> np.ndarray:
    from qiskit.quantum_info import Pauli

    if not labels:
        return np.zeros(0)
    if circuit.num_qubits == 0:
        return np.ones(len(labels))
    if dynamic:
        return _aer_values(circuit, labels, seed)
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


def _aer_values(circuit: QuantumCircuit, labels: list[str], seed: int) -> np.ndarray:
    """Trajectory average of each term for circuits with mid-circuit measurement/reset/if."""
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
    try:
        result = AerSimulator().run(qc, shots=_AER_EXACT_SHOTS, seed_simulator=seed).result()
        data = result.data(0)
    except Exception as exc:
        raise JobExecutionError(f"Simulation failed: {exc}") from exc
    return np.array([float(np.real(data[f"t{k}"])) for k in range(len(labels))])


def run_estimator_pub(
    task: PubTask,
    circuit: QuantumCircuit,
    settings: EstimatorSettings,
    rng: np.random.Generator,
    should_stop: Callable[[], bool],
    circuit_metadata: dict,
) -> PubResult:
    """Estimate one PUB on the (noiseless) simulator."""
    width = circuit.num_qubits
    for item in task.observables.reshape(-1):
        if any(len(label) != width for label in item):
            raise JobExecutionError(
                f"PUB {task.index}: an observable's length differs from the circuit's "
                f"{width} qubits.",
                VALIDATION_ERROR,
            )
    active = active_qubits(circuit)
    reduced = restrict(circuit, active)
    dynamic = split_final_measurements(reduced) is None
    if not dynamic:
        reduced = reduced.remove_final_measurements(inplace=False)
    terms = _Terms(task.observables, width, active)
    binder = Binder(reduced, task.names)

    bshape, oshape = task.bindings_shape, task.observables.shape
    b_index = np.broadcast_to(np.arange(math.prod(bshape)).reshape(bshape), task.shape)
    o_index = np.broadcast_to(np.arange(math.prod(oshape)).reshape(oshape), task.shape)
    rows = task.values.reshape(math.prod(task.bindings_shape), task.values.shape[-1])
    evs = np.zeros(task.shape)
    stds = np.zeros(task.shape)
    cache: dict[int, np.ndarray] = {}
    for pos in np.ndindex(task.shape):
        b, o = int(b_index[pos]), int(o_index[pos])
        if b not in cache:
            if should_stop():
                raise JobStopped()
            values = _exact_values(
                binder.bind(rows[b]), terms.labels, dynamic, int(rng.integers(2**31))
            )
            if settings.shots is None:
                stats = np.stack([values, np.zeros_like(values)])
            else:
                stats = _sampled(values, settings.shots, rng)
            # A trailing (0, 0) column: term id -1 (X/Y on an idle qubit) reads value 0, var 0.
            cache[b] = np.concatenate([stats, np.zeros((2, 1))], axis=1)
        term_ids, coeffs = terms.per_observable[o]
        stats = cache[b]
        evs[pos] = float(np.dot(coeffs, stats[0][term_ids]))
        stds[pos] = float(math.sqrt(np.dot(coeffs**2, stats[1][term_ids])))
    fields = {"evs": evs, "stds": stds}
    metadata = {"target_precision": settings.target_precision, "circuit_metadata": circuit_metadata}
    if settings.shots is not None:
        fields["ensemble_standard_error"] = stds.copy()
        metadata["shots"] = settings.shots
    return PubResult(DataBin(shape=task.shape, **fields), metadata=metadata)


def _sampled(exact: np.ndarray, shots: int, rng: np.random.Generator) -> np.ndarray:
    """Per-term shot estimates: ``k ~ Binomial(shots, (1 + e) / 2)``, ``ê = 2k/shots - 1``.

    Returns a ``(2, n_terms)`` array: the estimates and their estimated variances
    ``(1 - ê²) / shots`` (so the reported std comes from the data, as on hardware).
    """
    p = np.clip((1.0 + exact) / 2.0, 0.0, 1.0)
    hat = 2.0 * rng.binomial(shots, p) / shots - 1.0
    return np.stack([hat, (1.0 - hat**2) / shots])
